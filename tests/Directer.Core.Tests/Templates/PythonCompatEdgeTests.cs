using System.Text.Json.Nodes;
using Directer.Core.PythonCompat;

namespace Directer.Core.Tests.Templates;

/// <summary>Edges of the Python-compatible helpers that the templates' tests do not reach (survivors of the first
/// mutation pass of <c>PythonCompat/</c>). Every expected value is what Python 3.11 prints: <c>json.dumps</c>,
/// <c>json.loads</c>, <c>float(s)</c>, <c>str.strip()</c>, <c>str.splitlines()</c>.</summary>
public sealed class PythonCompatEdgeTests
{
    [Fact]
    public void NestedContainersInsideAListAreIndentedOneLevelDeeper()
    {
        // json.dumps([[1, {"a": [2]}]], indent=2)
        var value = PythonJson.Parse("[[1, {\"a\": [2]}]]", "test");
        Assert.Equal("[\n  [\n    1,\n    {\n      \"a\": [\n        2\n      ]\n    }\n  ]\n]", PythonJson.Dumps(value, indent: 2));
    }

    [Fact]
    public void EnsureAsciiKeepsTheTildeAndEscapesWhatFollowsIt()
    {
        // json.dumps("~\x7f", ensure_ascii=True)
        Assert.Equal("\"~\\u007f\"", PythonJson.Dumps(new PythonJsonString("~\u007f"), ensureAscii: true));
    }

    [Theory]
    [InlineData("", "\"\"")]
    [InlineData("a\"é\n", "\"a\\\"é\\n\"")]
    public void AStringAloneIsQuotedAndEscaped(string value, string python)
    {
        // json.dumps(value, ensure_ascii=False)
        Assert.Equal(python, PythonJson.DumpsString(value));
    }

    [Fact]
    public void NullTrueAndFalseRoundTrip()
    {
        // json.dumps(json.loads('[null, true, false]'))
        Assert.Equal("[null, true, false]", PythonJson.Dumps(PythonJson.Parse("[null, true, false]", "test")));
    }

    [Fact]
    public void NestingDeeperThanSixtyFourLevelsIsRead()
    {
        // json.loads reads 200 nested lists (its limit is the interpreter's recursion limit, near 1000)
        string deep = new string('[', 200) + new string(']', 200);
        Assert.Equal(deep, PythonJson.Dumps(PythonJson.Parse(deep, "test")));
    }

    [Fact]
    public void BooleansFromDotNetObjectsAreJsonLiterals()
    {
        // json.dumps({"b": False, "a": True})
        var value = PythonJsonConversion.FromObject(new Dictionary<string, object?> { ["b"] = false, ["a"] = true });
        Assert.Equal("{\"b\": false, \"a\": true}", PythonJson.Dumps(value));
    }

    private const string NodePython = "{\"s\": \"x\", \"t\": true, \"f\": false, \"n\": null, \"i\": 1, \"big\": 12345678901, \"d\": 1.5, \"e\": 1e+16, \"l\": [1, {\"k\": []}]}";

    [Fact]
    public void ABuiltJsonNodeTreeIsWrittenAsPythonWould()
    {
        // json.dumps({"s": "x", "t": True, "f": False, "n": None, "i": 1, "big": 12345678901, "d": 1.5, "e": 1e16, "l": [1, {"k": []}]})
        var node = new JsonObject
        {
            ["s"] = "x", ["t"] = true, ["f"] = false, ["n"] = null, ["i"] = 1, ["big"] = 12345678901L, ["d"] = 1.5, ["e"] = 1e16,
            ["l"] = new JsonArray(1, new JsonObject { ["k"] = new JsonArray() }),
        };
        Assert.Equal(NodePython, PythonJson.Dumps(node));
    }

    [Fact]
    public void AParsedJsonNodeTreeIsWrittenAsPythonWould()
    {
        var node = JsonNode.Parse("{\"s\":\"x\",\"t\":true,\"f\":false,\"n\":null,\"i\":1,\"big\":12345678901,\"d\":1.5,\"e\":1e16,\"l\":[1,{\"k\":[]}]}");
        Assert.Equal(NodePython, PythonJson.Dumps(node));
    }

    [Fact]
    public void AJsonValueOfAnotherTypeIsRefusedNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => PythonJson.Dumps(JsonValue.Create(1.5m)));
        Assert.Equal("Unsupported JSON value 1.5.", error.Message);
    }

    [Theory]
    [InlineData("inf", double.PositiveInfinity)]
    [InlineData("-Infinity", double.NegativeInfinity)]
    [InlineData("+INF", double.PositiveInfinity)]
    [InlineData("1.5", 1.5)]
    public void FloatReadsPythonsSpellingsOfInfinity(string text, double python)
    {
        Assert.Equal(python, PythonFloat.Parse(text));
    }

    [Theory]
    [InlineData("nan")]
    [InlineData("NaN")]
    [InlineData("-nan")]
    public void FloatReadsNan(string text)
    {
        Assert.True(double.IsNaN(PythonFloat.Parse(text)!.Value));
    }

    [Theory]
    [InlineData(" \u001c\u3000a b\u001f\n ", "a b")]
    [InlineData(" \t ", "")]
    [InlineData("x", "x")]
    [InlineData("", "")]
    public void StripBoundsAreThoseOfStrStrip(string text, string python)
    {
        var (start, end) = PythonText.StripBounds(text);
        Assert.Equal(python, text[start..end]);
    }

    [Theory]
    [InlineData("a\r", new[] { "a" })]
    [InlineData("a\rb\r", new[] { "a", "b" })]
    [InlineData("\r", new[] { "" })]
    [InlineData("a\r\nb", new[] { "a", "b" })]
    public void ACarriageReturnAtTheEndEndsTheLastLine(string text, string[] python)
    {
        // str.splitlines()
        Assert.Equal(python, PythonText.SplitLines(text).Select(l => text[l.Start..l.ContentEnd]).ToArray());
    }
}
