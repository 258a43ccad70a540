using Directer.Core.Templates;
using Directer.Core.PythonCompat;
using Directer.Core.Chat;

namespace Directer.Core.Tests.Templates;

/// <summary>Expected values come from Python 3.11: <c>json.dumps(json.loads(s))</c>.</summary>
public sealed class PythonJsonTests
{
    [Theory]
    [InlineData("1e16", "1e+16")]
    [InlineData("1e15", "1000000000000000.0")]
    [InlineData("1234567890123456.0", "1234567890123456.0")]
    [InlineData("0.0001", "0.0001")]
    [InlineData("0.00001", "1e-05")]
    [InlineData("1e21", "1e+21")]
    [InlineData("1.5e-5", "1.5e-05")]
    [InlineData("123456789.123456789", "123456789.12345679")]
    [InlineData("-0.0", "-0.0")]
    [InlineData("0.1", "0.1")]
    [InlineData("1e-7", "1e-07")]
    [InlineData("5e-324", "5e-324")]
    [InlineData("1.7976931348623157e308", "1.7976931348623157e+308")]
    [InlineData("100.0", "100.0")]
    [InlineData("2.50", "2.5")]
    [InlineData("-1.25e+300", "-1.25e+300")]
    [InlineData("1e22", "1e+22")]
    [InlineData("9007199254740993.0", "9007199254740992.0")]
    [InlineData("0.30000000000000004", "0.30000000000000004")]
    [InlineData("1e400", "Infinity")]
    [InlineData("12345678901234567890123", "12345678901234567890123")]
    [InlineData("-0", "0")]
    public void NumbersAsPythonWritesThem(string json, string python)
    {
        Assert.Equal(python, PythonJson.Dumps(PythonJson.Parse(json, "test")));
    }

    [Fact]
    public void SeparatorsEscapesAndKeyOrder()
    {
        const string json = "{\"b\": [1, {\"x\": null}], \"a\": \"é \\\"q\\\" \\\\ \\n \\u0001 <&> 😀\", \"b\": true, \"e\": {}, \"l\": []}";
        Assert.Equal(
            "{\"b\": true, \"a\": \"é \\\"q\\\" \\\\ \\n \\u0001 <&> 😀\", \"e\": {}, \"l\": []}",
            PythonJson.Dumps(PythonJson.Parse(json, "test")));
    }

    [Fact]
    public void IndentedLikeJsonDumpsIndent4()
    {
        var value = PythonJson.Parse("{\"a\": [1, 2], \"b\": {}, \"c\": {\"d\": []}}", "test");
        Assert.Equal("{\n    \"a\": [\n        1,\n        2\n    ],\n    \"b\": {},\n    \"c\": {\n        \"d\": []\n    }\n}", PythonJson.Dumps(value, indent: 4));
    }

    [Fact]
    public void InvalidJsonNamesWhatItWas()
    {
        var error = Assert.Throws<ArgumentException>(() => PythonJson.Parse("{\"a\": }", "The arguments of tool call 'f' in turn 3"));
        Assert.StartsWith("The arguments of tool call 'f' in turn 3 is not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderingRejectsInvalidToolJson()
    {
        var turns = new[] { new ChatTurn(ChatRole.User, "x"), new ChatTurn(ChatRole.Assistant, "") { ToolCalls = [new ToolCall("f", "{not json")] } };
        var error = Assert.Throws<ArgumentException>(() => ChatTemplates.ByName("qwen2.5").Render(turns, [], false));
        Assert.Contains("tool call 'f' in turn 1", error.Message, StringComparison.Ordinal);

        var badSchema = new[] { new ToolDefinition("g", null, "[") };
        var schemaError = Assert.Throws<ArgumentException>(() => ChatTemplates.ByName("llama3").Render([new ChatTurn(ChatRole.User, "x")], badSchema, true));
        Assert.Contains("tool 0 ('g')", schemaError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SortedIndentedAsciiDumpsEqualPythons()
    {
        // /usr/bin/python3: json.dumps({"b": 1, "a": "é\u2028😀\x7f\b", "c": [1.5, 1e-06, 10000.0], "d": {}}, indent=2, sort_keys=True)
        var value = new Dictionary<string, object?> { ["b"] = 1, ["a"] = "é\u2028😀\u007f\b", ["c"] = new object[] { 1.5, 1e-6, 10000.0 }, ["d"] = new Dictionary<string, object?>() };
        string expected = "{\n  \"a\": \"\\u00e9\\u2028\\ud83d\\ude00\\u007f\\b\",\n  \"b\": 1,\n  \"c\": [\n    1.5,\n    1e-06,\n    10000.0\n  ],\n  \"d\": {}\n}";
        Assert.Equal(expected, PythonJson.Dumps(PythonJsonConversion.FromObject(value), indent: 2, sortKeys: true, ensureAscii: true));
    }
}
