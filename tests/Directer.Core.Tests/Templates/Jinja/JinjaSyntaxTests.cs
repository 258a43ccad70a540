using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Directer.Core.PythonCompat;
using Directer.Core.Templates;
using Directer.Core.Templates.Jinja;

namespace Directer.Core.Tests.Templates.Jinja;

/// <summary>The engine's syntax side (lexer, parser, tojson, the names a template reads) against jinja2 3.1.6 in
/// transformers' environment: Fixtures/templates/jinja_syntax.json, written by reference/jinja_syntax_cases.py.
/// jinja2 decides the token streams and their lines, the rendered text, which templates fail and on which line;
/// the wording of an error is the engine's own, so it is spelled out here.</summary>
public sealed partial class JinjaSyntaxTests
{
    private static readonly Lazy<JsonElement> Document = new(() => TemplateFixtures.Load("jinja_syntax.json"));

    private static JsonElement Section(string name) => Document.Value.GetProperty(name);

    private static JsonElement Case(string section, string name) =>
        Section(section).EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static TheoryData<string> Names(string section)
    {
        var data = new TheoryData<string>();
        foreach (var c in Section(section).EnumerateArray())
        {
            data.Add(c.GetProperty("name").GetString()!);
        }

        return data;
    }

    public static TheoryData<string> TokenCases() => Names("tokens");

    public static TheoryData<string> RenderCases() => Names("renders");

    public static TheoryData<string> ToJsonCases() => Names("tojson");

    public static TheoryData<string> NameCases() => Names("names");

    [GeneratedRegex(@"line (\d+)")]
    private static partial Regex LineNumber();

    /// <summary>The line an engine error names (every error names one).</summary>
    private static int LineOf(ChatTemplateException error)
    {
        var match = LineNumber().Match(error.Message);
        Assert.True(match.Success, $"the error names no line: {error.Message}");
        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    // ---- token streams ----

    /// <summary>A token as both sides can state it: the begin tags without jinja2's sign (the engine has already
    /// applied it), end tags without text (jinja2 keeps the sign and the newline it ate, the parser reads only the
    /// kind), numbers by value (jinja2 holds 1000 for <c>1_000</c>, 1000.0 for <c>1e3</c>).</summary>
    private static string Normalise(int line, string kind, string value) => kind switch
    {
        "VariableBegin" or "BlockBegin" => $"{line} {kind} {value[..2]}",
        "VariableEnd" or "BlockEnd" => $"{line} {kind}",
        // jinja2's end of stream repeats the last token's line; the engine's End names the template's last line
        // (where its "unexpected end of template" errors point), so only its kind and text are compared.
        "End" => $"{kind} {JsonSerializer.Serialize(value)}",
        "Integer" => $"{line} {kind} {BigInteger.Parse(value, CultureInfo.InvariantCulture)}",
        "Float" => $"{line} {kind} {double.Parse(value, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture)}",
        _ => $"{line} {kind} {JsonSerializer.Serialize(value)}",
    };

    [Theory]
    [MemberData(nameof(TokenCases))]
    public void TokenStreamsAndTheirLinesAreJinja2s(string name)
    {
        var @case = Case("tokens", name);
        string source = @case.GetProperty("template").GetString()!;
        if (@case.TryGetProperty("error", out _))
        {
            var error = Assert.Throws<ChatTemplateException>(() => JinjaLexer.Tokenize(source));
            Assert.Equal(@case.GetProperty("line").GetInt32(), LineOf(error));
            return;
        }

        var expected = @case.GetProperty("tokens").EnumerateArray().Select(t =>
        {
            string kind = t[1].GetString()!;
            string value = kind == "String"
                ? new string(t[2].EnumerateArray().Select(u => (char)u.GetInt32()).ToArray())
                : t[2].GetString()!;
            return Normalise(t[0].GetInt32(), kind, value);
        }).ToList();
        var actual = JinjaLexer.Tokenize(source).Select(t => Normalise(t.Line, t.Kind.ToString(), t.Value)).ToList();
        Assert.Equal(expected, actual);
    }

    // ---- rendering ----

    /// <summary>The fixture's variables, as a caller passes plain values, or as conversation data (every string a
    /// tracked <see cref="TrackedString.Data"/>, every dict's keys data): both must render jinja2's text.</summary>
    private static List<KeyValuePair<string, object?>> Variables(bool asData) =>
        Document.Value.GetProperty("variables").EnumerateObject().Select(p =>
        {
            var parsed = PythonJson.Parse(p.Value.GetRawText(), "a test variable");
            return new KeyValuePair<string, object?>(p.Name, asData ? JinjaValues.FromJsonAsData(parsed) : JinjaValues.FromJson(parsed));
        }).ToList();

    /// <summary>The engine's message for each template jinja2 refuses too (jinja2's wording differs; the line must not).</summary>
    private static readonly Dictionary<string, string> Errors = new()
    {
        ["prec_concat_binds_tighter_than_plus"] = "Chat template error at line 1: unsupported operand type(s) for +: 'int' and 'str'.",
        ["prec_pow_right_operand_filtered"] = "Chat template error at line 1: unsupported operand type(s) for **: 'int' and 'str'.",
        ["err_open_variable_at_end"] = "Chat template syntax error at line 1: unclosed {{ (no }}).",
        ["err_open_block_at_end"] = "Chat template syntax error at line 1: unclosed {% (no %}).",
        ["err_raw_unfinished"] = "Chat template syntax error at line 1: unclosed {% (no %}).",
        ["err_raw_unfinished_space"] = "Chat template syntax error at line 1: unclosed {% (no %}).",
        ["err_raw_then_open_at_end"] = "Chat template syntax error at line 1: unclosed {% raw %} block (no {% endraw %}).",
        ["err_raw_then_open_space_at_end"] = "Chat template syntax error at line 1: unclosed {% raw %} block (no {% endraw %}).",
        ["err_raw_then_endraw_at_end"] = "Chat template syntax error at line 1: unclosed {% raw %} block (no {% endraw %}).",
        ["err_raw_then_endraw_space_at_end"] = "Chat template syntax error at line 1: unclosed {% raw %} block (no {% endraw %}).",
        ["err_raw_then_endraw_minus_at_end"] = "Chat template syntax error at line 1: unclosed {% raw %} block (no {% endraw %}).",
        ["err_half_close_at_end"] = "Chat template syntax error at line 1: unclosed {{ (no }}).",
        ["err_number_at_end"] = "Chat template syntax error at line 1: unclosed {{ (no }}).",
        ["err_float_at_end"] = "Chat template syntax error at line 1: unclosed {{ (no }}).",
        ["err_number_dot_at_end"] = "Chat template syntax error at line 1: unclosed {{ (no }}).",
        ["err_exponent_letter_at_end"] = "Chat template syntax error at line 1: unclosed {{ (no }}).",
        ["err_exponent_sign_at_end"] = "Chat template syntax error at line 1: unclosed {{ (no }}).",
        ["err_exponent_at_end"] = "Chat template syntax error at line 1: unclosed {{ (no }}).",
        ["err_string_backslash_at_end"] = "Chat template syntax error at line 1: unterminated string literal.",
        ["err_hex_at_end"] = "Chat template syntax error at line 1: unterminated string literal.",
        ["err_hex_truncated_at_end"] = "Chat template syntax error at line 1: malformed \\x, \\u or \\U escape in a string literal.",
        ["err_paren_then_close"] = "Chat template syntax error at line 1: unclosed {{ (no }}).",
        ["err_bracket_then_close"] = "Chat template syntax error at line 1: unclosed {{ (no }}).",
        ["err_brace_then_close"] = "Chat template syntax error at line 1: unclosed {{ (no }}).",
        ["err_block_set_two_names"] = "Chat template syntax error at line 1: a block set assigns one name.",
        ["err_endmacro_with_name"] = "Chat template syntax error at line 1: expected the end of the tag (%}), found 'm'.",
        ["err_test_operator_name"] = "Chat template syntax error at line 1: expected a test name after 'is', found '=='.",
        ["err_test_argument_if"] = "Chat template syntax error at line 1: expected '}}', found 'true'.",
        ["err_variable_plus_end"] = "Chat template syntax error at line 1: unexpected '}}' in an expression.",
        ["err_macro_trailing_comma"] = "Chat template syntax error at line 1: expected a name, found ')'.",
        ["err_call_params_trailing_comma"] = "Chat template syntax error at line 1: expected a name, found ')'.",
        ["err_unclosed_variable"] = "Chat template syntax error at line 2: unclosed {{ (no }}).",
        ["err_unclosed_block"] = "Chat template syntax error at line 3: unclosed {% (no %}).",
        ["err_unclosed_comment"] = "Chat template syntax error at line 2: unclosed comment ({# without #}).",
        ["err_unclosed_raw"] = "Chat template syntax error at line 2: unclosed {% raw %} block (no {% endraw %}).",
        ["err_unclosed_string"] = "Chat template syntax error at line 2: unterminated string literal.",
        ["err_unexpected_character"] = "Chat template syntax error at line 2: unexpected character ';'.",
        ["err_unexpected_char_block"] = "Chat template syntax error at line 1: unexpected character '$'.",
        ["err_malformed_hex"] = "Chat template syntax error at line 2: malformed \\x, \\u or \\U escape in a string literal.",
        ["err_malformed_unicode"] = "Chat template syntax error at line 3: malformed \\x, \\u or \\U escape in a string literal.",
        ["err_big_escape"] = "Chat template syntax error at line 1: the escape \\U00110000 in a string literal is not a Unicode code point (at most 10ffff).",
        ["err_unclosed_if"] = "Chat template syntax error at line 2: unexpected end of template: expected '{% elif %}' or '{% else %}' or '{% endif %}'.",
        ["err_unclosed_for"] = "Chat template syntax error at line 2: unexpected end of template: expected '{% else %}' or '{% endfor %}'.",
        ["err_unclosed_macro"] = "Chat template syntax error at line 1: unexpected end of template: expected '{% endmacro %}'.",
        ["err_unclosed_set_block"] = "Chat template syntax error at line 1: unexpected end of template: expected '{% endset %}'.",
        ["err_unclosed_nested"] = "Chat template syntax error at line 2: unexpected '{% endfor %}' (no open block it could close).",
        ["err_end_without_open_endif"] = "Chat template syntax error at line 2: unexpected '{% endif %}' (no open block it could close).",
        ["err_end_without_open_endfor"] = "Chat template syntax error at line 1: unexpected '{% endfor %}' (no open block it could close).",
        ["err_end_without_open_endset"] = "Chat template syntax error at line 1: unexpected '{% endset %}' (no open block it could close).",
        ["err_end_without_open_endmacro"] = "Chat template syntax error at line 1: unexpected '{% endmacro %}' (no open block it could close).",
        ["err_end_without_open_endcall"] = "Chat template syntax error at line 1: unexpected '{% endcall %}' (no open block it could close).",
        ["err_end_without_open_endfilter"] = "Chat template syntax error at line 1: unexpected '{% endfilter %}' (no open block it could close).",
        ["err_end_without_open_else"] = "Chat template syntax error at line 1: unexpected '{% else %}' (no open block it could close).",
        ["err_end_without_open_elif"] = "Chat template syntax error at line 1: unexpected '{% elif %}' (no open block it could close).",
        ["err_end_without_open_endgeneration"] = "Chat template syntax error at line 1: unexpected '{% endgeneration %}' (no open block it could close).",
        ["err_end_without_open_endraw"] = "Chat template syntax error at line 1: unexpected '{% endraw %}' (no open block it could close).",
        ["err_unknown_tag"] = "Chat template line 2: the '{% include %}' statement is not supported by Directer's jinja engine (it implements the subset Hugging Face chat templates use).",
        ["err_for_no_in"] = "Chat template syntax error at line 1: expected 'in' in the for loop, found 'on'.",
        ["err_for_target_not_name"] = "Chat template syntax error at line 1: expected a name, found a string.",
        ["err_for_paren_unclosed"] = "Chat template syntax error at line 1: unclosed {% (no %}).",
        ["err_set_attr_no_equals"] = "Chat template syntax error at line 1: expected '=', found '1'.",
        ["err_set_no_value"] = "Chat template syntax error at line 1: unexpected '%}' in an expression.",
        ["err_if_extra_token"] = "Chat template syntax error at line 1: expected the end of the tag (%}), found 'y'.",
        ["err_variable_extra_token"] = "Chat template syntax error at line 1: expected '}}', found 'y'.",
        ["err_empty_variable"] = "Chat template syntax error at line 2: unexpected '}}' in an expression.",
        ["err_dot_then_string"] = "Chat template syntax error at line 1: expected an attribute name after '.', found a string.",
        ["err_positional_after_keyword"] = "Chat template syntax error at line 1: a positional argument follows a keyword argument.",
        ["err_call_block_not_call"] = "Chat template syntax error at line 1: '{% call %}' needs a macro call.",
        ["err_test_name_string"] = "Chat template syntax error at line 1: expected a test name after 'is', found a string.",
        ["err_unknown_filter"] = "Chat template line 2: the filter 'frobnicate' is not supported by Directer's jinja engine (it implements the subset Hugging Face chat templates use).",
        ["err_unknown_filter_dotted"] = "Chat template line 1: the filter 'a.b' is not supported by Directer's jinja engine (it implements the subset Hugging Face chat templates use).",
        ["err_unknown_test"] = "Chat template line 1: the test 'frob' is not supported by Directer's jinja engine (it implements the subset Hugging Face chat templates use).",
        ["err_macro_name_missing"] = "Chat template syntax error at line 1: expected a name, found '('.",
        ["err_endif_with_argument"] = "Chat template syntax error at line 1: expected the end of the tag (%}), found 'x'.",
        ["err_subscript_unclosed"] = "Chat template syntax error at line 1: unclosed {{ (no }}).",
        ["err_list_missing_comma"] = "Chat template syntax error at line 1: expected ',', found '2'.",
        ["err_dict_missing_colon"] = "Chat template syntax error at line 1: expected ':', found '1'.",
        ["err_break_with_argument"] = "Chat template syntax error at line 1: expected the end of the tag (%}), found '1'.",
        ["err_tojson_not_serializable"] = "Chat template error at line 2: Object of type function is not JSON serializable.",
        ["err_tojson_tuple_key"] = "Chat template error at line 1: keys must be str, int, float, bool or None, not tuple.",
        ["err_octal_at_end"] = "Chat template syntax error at line 1: unterminated string literal.",
        ["err_octal_two_digits_at_end"] = "Chat template syntax error at line 1: unterminated string literal.",
        ["err_keyword_argument_not_a_name"] = "Chat template syntax error at line 1: expected ',', found '='.",
        ["err_keyword_argument_string"] = "Chat template syntax error at line 1: expected ',', found '='.",
        ["err_line_after_raw_tag_over_lines"] = "Chat template error at line 3: unsupported operand type(s) for +: 'int' and 'str'.",
    };

    /// <summary>Templates jinja2 renders but the engine refuses as outside the chat-template subset, each with its message.</summary>
    private static readonly Dictionary<string, string> Unsupported = new()
    {
        ["str_named_escape"] = "Chat template line 1: the escape \\N{...} (a character by its Unicode name) in a string literal is not supported by Directer's jinja engine (it implements the subset Hugging Face chat templates use).",
        ["err_for_recursive"] = "Chat template line 1: a recursive for loop is not supported by Directer's jinja engine (it implements the subset Hugging Face chat templates use).",
        ["err_call_star_args"] = "Chat template line 1: *args / **kwargs in a call is not supported by Directer's jinja engine (it implements the subset Hugging Face chat templates use).",
        ["err_call_double_star"] = "Chat template line 1: *args / **kwargs in a call is not supported by Directer's jinja engine (it implements the subset Hugging Face chat templates use).",
    };

    private static void AssertRendersLikeJinja2(JsonElement @case, string name, bool asData)
    {
        string source = @case.GetProperty("template").GetString()!;
        string Render() => JinjaTemplate.Compile(source).Render(Variables(asData), _ => "now").ToString();
        if (@case.TryGetProperty("error", out var jinjaError))
        {
            var error = Assert.Throws<ChatTemplateException>(Render);
            Assert.True(Errors.ContainsKey(name), $"{name}: jinja2 raised {jinjaError.GetString()}; the engine said: {error.Message}");
            Assert.Equal(Errors[name], error.Message);
            Assert.Equal(@case.GetProperty("line").GetInt32(), LineOf(error));
            return;
        }

        if (Unsupported.TryGetValue(name, out string? message))
        {
            var error = Assert.Throws<ChatTemplateException>(Render);
            Assert.Equal(message, error.Message);
            return;
        }

        Assert.Equal(@case.GetProperty("output").GetString(), Render());
    }

    [Theory]
    [MemberData(nameof(RenderCases))]
    public void RendersOrFailsOnTheLineLikeJinja2(string name) => AssertRendersLikeJinja2(Case("renders", name), name, asData: false);

    [Theory]
    [MemberData(nameof(RenderCases))]
    public void RendersConversationDataLikeJinja2(string name) => AssertRendersLikeJinja2(Case("renders", name), name, asData: true);

    [Theory]
    [MemberData(nameof(ToJsonCases))]
    public void ToJsonIsTransformersJsonDumps(string name)
    {
        AssertRendersLikeJinja2(Case("tojson", name), name, asData: false);
        AssertRendersLikeJinja2(Case("tojson", name), name, asData: true);
    }

    [Theory]
    [MemberData(nameof(NameCases))]
    public void ReferencedNamesHoldEveryNameJinja2FindsUndeclared(string name)
    {
        var @case = Case("names", name);
        var names = JinjaTemplate.Compile(@case.GetProperty("template").GetString()!).ReferencedNames;
        var missing = @case.GetProperty("undeclared").EnumerateArray().Select(n => n.GetString()!).Where(n => !names.Contains(n)).ToList();
        Assert.Empty(missing);
    }
}
