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

    private static object? Convert(JsonElement element) => JinjaValues.FromJson(Directer.Core.PythonCompat.PythonJson.Parse(element.GetRawText(), "a test variable"));

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void RendersLikeJinja2(string name)
    {
        var @case = Document.Value.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
        var variables = Document.Value.GetProperty("variables").EnumerateObject().Select(p => new KeyValuePair<string, object?>(p.Name, Convert(p.Value))).ToList();
        string source = @case.GetProperty("template").GetString()!;
        var fixedNow = new DateTime(2024, 7, 26, 12, 0, 0);
        if (@case.TryGetProperty("error", out var error))
        {
            var thrown = Assert.Throws<ChatTemplateException>(() => JinjaTemplate.Compile(source).Render(variables, f => PythonStrftime.Format(fixedNow, f)));
            string expected = error.GetString()!;
            if (expected.StartsWith("TemplateError: ", StringComparison.Ordinal))
            {
                Assert.Equal(expected["TemplateError: ".Length..], thrown.Message); // raise_exception: the template's own message
            }
            else
            {
                Assert.Contains("line 1", thrown.Message, StringComparison.Ordinal);
            }

            return;
        }

        string output = JinjaTemplate.Compile(source).Render(variables, f => PythonStrftime.Format(fixedNow, f)).ToString();
        Assert.Equal(@case.GetProperty("output").GetString(), output);
    }

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
