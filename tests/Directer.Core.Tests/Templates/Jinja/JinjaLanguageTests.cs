using System.Text.Json;
using Directer.Core.Templates;
using Directer.Core.Templates.Jinja;

namespace Directer.Core.Tests.Templates.Jinja;

/// <summary>The jinja language subset, case by case, against jinja2 in transformers' environment
/// (Fixtures/templates/jinja_language.json, written by reference/jinja_language_cases.py).</summary>
public sealed class JinjaLanguageTests
{
    private static readonly Lazy<JsonElement> Document = new(() => TemplateFixtures.Load("jinja_language.json"));

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in Document.Value.GetProperty("cases").EnumerateArray())
        {
            data.Add(c.GetProperty("name").GetString()!);
        }

        return data;
    }

    /// <summary>The refusals whose text is the engine's own, where jinja2's names Python internals
    /// (<c>make_environment.&lt;locals&gt;.raise_exception()</c>), differs by Python version, or comes from a
    /// construct the engine refuses differently; every other refusal repeats jinja2's message.</summary>
    private static readonly Dictionary<string, string> OwnMessages = new(StringComparer.Ordinal)
    {
        ["fk_select_unknown_test"] = "Chat template line 1: the test 'frob' is not supported by Directer's jinja engine (it implements the subset Hugging Face chat templates use).",
        ["fk_map_unknown_filter"] = "Chat template line 1: the filter 'frob' is not supported by Directer's jinja engine (it implements the subset Hugging Face chat templates use).",
        ["t_odd_str"] = "Chat template line 1: printf-style string formatting ('...' % value) is not supported by Directer's jinja engine (it implements the subset Hugging Face chat templates use).",
        ["r_top_break"] = "Chat template syntax error at line 1: 'break' or 'continue' outside a loop.",
        ["t_in_missing_argument"] = "Chat template error at line 1: the test 'in' needs an argument.",
        ["t_missing_argument"] = "Chat template error at line 1: the test 'eq' needs an argument.",
        ["mk_too_many_args"] = "Chat template error at line 1: strip() takes at most 1 argument(s) (2 given).",
        ["mk_no_args_method_given_one"] = "Chat template error at line 1: upper() takes no arguments (1 given).",
        ["mk_strip_keyword"] = "Chat template error at line 1: strip() takes no keyword arguments.",
        ["mk_join_keyword"] = "Chat template error at line 1: join() takes no keyword arguments.",
        ["mk_removeprefix_keyword"] = "Chat template error at line 1: removeprefix() takes no keyword arguments.",
        ["mk_replace_keyword"] = "Chat template error at line 1: replace() takes no keyword arguments.",
        ["mk_get_keyword"] = "Chat template error at line 1: get() takes no keyword arguments.",
        ["fk_dictsort_not_mapping"] = "Chat template error at line 1: dictsort needs a mapping.",
        ["fk_tojson_bad_indent"] = "Chat template error at line 1: tojson's indent must be an int or a string, not float.",
        ["r_caller_bad_keyword"] = "Chat template error at line 1: macro 'caller' takes no keyword argument 'x'.",
        ["r_raise_no_args"] = "Chat template error at line 1: raise_exception() missing 1 required positional argument: 'message'.",
        ["r_strftime_no_args"] = "Chat template error at line 1: strftime_now needs a format string.",
    };

    /// <summary>Cases jinja2 renders that the engine refuses on purpose, each with its refusal: start/end positions
    /// of the string search methods (not implemented), a dict key that is None (a JinjaDict cannot hold one).</summary>
    private static readonly Dictionary<string, string> RefusedOnPurpose = new(StringComparer.Ordinal)
    {
        ["mk_find_start"] = "Chat template line 1: find() with start and end positions is not supported by Directer's jinja engine (it implements the subset Hugging Face chat templates use).",
        ["r_dict_key_none"] = "Chat template line 1: a dict key that is None or undefined is not supported by Directer's jinja engine (it implements the subset Hugging Face chat templates use).",
        ["r_dict_key_undefined"] = "Chat template line 1: a dict key that is None or undefined is not supported by Directer's jinja engine (it implements the subset Hugging Face chat templates use).",
        ["mk_rfind_start"] = "Chat template line 1: rfind() with start and end positions is not supported by Directer's jinja engine (it implements the subset Hugging Face chat templates use).",
        ["mk_index_start"] = "Chat template line 1: index() with start and end positions is not supported by Directer's jinja engine (it implements the subset Hugging Face chat templates use).",
        ["mk_count_start"] = "Chat template line 1: count() with start and end positions is not supported by Directer's jinja engine (it implements the subset Hugging Face chat templates use).",
        ["mk_startswith_start"] = "Chat template line 1: startswith() with start and end positions is not supported by Directer's jinja engine (it implements the subset Hugging Face chat templates use).",
        ["mk_endswith_start"] = "Chat template line 1: endswith() with start and end positions is not supported by Directer's jinja engine (it implements the subset Hugging Face chat templates use).",
    };

    private static object? Convert(JsonElement element) => JinjaValues.FromJson(Directer.Core.PythonCompat.PythonJson.Parse(element.GetRawText(), "a test variable"));

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void RendersLikeJinja2(string name)
    {
        var @case = Document.Value.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
        var variables = Document.Value.GetProperty("variables").EnumerateObject().Select(p => new KeyValuePair<string, object?>(p.Name, Convert(p.Value))).ToList();
        foreach (var p in Document.Value.GetProperty("non_finite_variables").EnumerateObject())
        {
            // Strict JSON has no literal for these: they reach the engine as doubles of the chat's object data.
            double value = p.Value.GetString() switch { "nan" => double.NaN, "inf" => double.PositiveInfinity, _ => double.NegativeInfinity };
            variables.Add(new(p.Name, JinjaValues.FromJson(Directer.Core.PythonCompat.PythonJsonConversion.FromObject(value))));
        }
        string source = @case.GetProperty("template").GetString()!;
        var fixedNow = new DateTime(2024, 7, 26, 12, 0, 0);
        if (RefusedOnPurpose.TryGetValue(name, out string? refusal))
        {
            Assert.True(@case.TryGetProperty("output", out _), "jinja2 renders this case");
            Assert.Equal(refusal, Assert.Throws<ChatTemplateException>(() => JinjaTemplate.Compile(source).Render(variables, f => PythonStrftime.Format(fixedNow, f))).Message);
            return;
        }

        if (@case.TryGetProperty("error", out var error))
        {
            var thrown = Assert.Throws<ChatTemplateException>(() => JinjaTemplate.Compile(source).Render(variables, f => PythonStrftime.Format(fixedNow, f)));
            string expected = error.GetString()!;
            if (expected.StartsWith("TemplateError: ", StringComparison.Ordinal))
            {
                Assert.Equal(expected["TemplateError: ".Length..], thrown.Message); // raise_exception: the template's own message
            }
            else if (OwnMessages.TryGetValue(name, out string? own))
            {
                Assert.Equal(own, thrown.Message);
            }
            else
            {
                // jinja2's error text ("ValueError: substring not found"), which the engine repeats after the line,
                // ending it with a full stop.
                string message = expected[(expected.IndexOf(": ", StringComparison.Ordinal) + 2)..];
                Assert.Equal($"Chat template error at line 1: {message}{(message.EndsWith('.') ? "" : ".")}", thrown.Message);
            }

            return;
        }

        string output = JinjaTemplate.Compile(source).Render(variables, f => PythonStrftime.Format(fixedNow, f)).ToString();
        Assert.Equal(@case.GetProperty("output").GetString(), output);
    }

    public static TheoryData<string, string, string> StrftimeCases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var c in Document.Value.GetProperty("strftime").EnumerateArray())
        {
            data.Add(c.GetProperty("time").GetString()!, c.GetProperty("format").GetString()!, c.GetProperty("output").GetString()!);
        }

        return data;
    }

    /// <summary>strftime_now's formatting against Python's datetime.strftime, directive by directive.</summary>
    [Theory]
    [MemberData(nameof(StrftimeCases))]
    public void FormatsTimesLikePythonsStrftime(string time, string format, string output) =>
        Assert.Equal(output, PythonStrftime.Format(DateTime.Parse(time, System.Globalization.CultureInfo.InvariantCulture), format));

    [Theory]
    [InlineData("{% for x in y %}", "line 1", "endfor")]
    [InlineData("a\n{% include 'x' %}", "line 2", "include")]
    [InlineData("a\n\n{{ x | frobnicate }}", "line 3", "frobnicate")]
    [InlineData("{{ x is frob }}", "line 1", "frob")]
    [InlineData("{% if x %}\n{% endfor %}", "line 2", "endfor")]
    [InlineData("{{ 'unterminated }}", "line 1", "unterminated")]
    [InlineData("{% for x in y recursive %}{% endfor %}", "line 1", "recursive")]
    [InlineData("\n{{ '%s' % x }}", "line 2", "formatting")]
    public void UnsupportedOrBrokenTemplatesFailNamingTheLine(string source, string line, string what)
    {
        var error = Assert.Throws<ChatTemplateException>(() => JinjaTemplate.Compile(source).Render([new("x", 1L), new("y", new List<object?>())]));
        Assert.Contains(line, error.Message, StringComparison.Ordinal);
        Assert.Contains(what, error.Message, StringComparison.Ordinal);
    }
}
