using System.Text.Encodings.Web;
using System.Text.Json;
using Directer.Core.PythonCompat;

namespace Directer.Core.Tests.Templates;

/// <summary><see cref="PythonJsonSyntax"/> (the IFEval JSON checker's <c>json.loads</c>) against Python's own verdicts:
/// Fixtures/templates/python_json_syntax.json, written by reference/python_json_syntax_cases.py with CPython 3.11's
/// <c>json.loads</c>. The nesting bound is the product's rule (Python's is its recursion limit), tested at its edge.</summary>
public sealed class PythonJsonSyntaxTests
{
    private static readonly Lazy<List<(string Text, bool Valid)>> Cases = new(() =>
        TemplateFixtures.Load("python_json_syntax.json").GetProperty("cases").EnumerateArray()
            .Select(c => (c.GetProperty("text").GetString()!, c.GetProperty("valid").GetBoolean()))
            .ToList());

    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Fact]
    public void TheFixtureHoldsBothVerdictsForEveryKindOfCase()
    {
        Assert.True(Cases.Value.Count > 2000);
        Assert.Contains(Cases.Value, c => c.Valid);
        Assert.Contains(Cases.Value, c => !c.Valid);
    }

    [Fact]
    public void AcceptsExactlyWhatPythonJsonLoadsAccepts()
    {
        var mismatches = Cases.Value
            .Select(c => (c.Text, c.Valid, Got: Verdict(c.Text)))
            .Where(c => c.Got != (c.Valid ? "valid" : "invalid"))
            .Select(c => $"{JsonSerializer.Serialize(c.Text, Readable)}: python says {(c.Valid ? "valid" : "invalid")}, got {c.Got}")
            .ToList();
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {Cases.Value.Count}:\n" + string.Join("\n", mismatches.Take(40)));
    }

    /// <summary>A value nested <c>repeat</c> times in <c>open</c>/<c>close</c>; the levels are its brackets and braces.</summary>
    [Theory]
    [InlineData("[", 1000, "1", "]", true)]
    [InlineData("[", 1001, "1", "]", false)]
    [InlineData("[", 999, "[]", "]", true)]
    [InlineData("[", 1000, "[]", "]", false)]
    [InlineData("[", 999, "{}", "]", true)]
    [InlineData("[", 1000, "{}", "]", false)]
    [InlineData("{\"k\": ", 1000, "\"s\"", "}", true)]
    [InlineData("{\"k\": ", 1001, "\"s\"", "}", false)]
    [InlineData("{\"k\": ", 999, "{}", "}", true)]
    [InlineData("{\"k\": ", 1000, "{}", "}", false)]
    [InlineData("[{\"k\": ", 500, "null", "}]", true)]
    [InlineData("[{\"k\": ", 500, "[]", "}]", false)]
    [InlineData("[{\"k\": ", 499, "[[]]", "}]", true)]
    public void NestingIsAcceptedUpToMaxDepthLevelsAndRefusedPastIt(string open, int repeat, string inner, string close, bool valid)
    {
        string text = string.Concat(Enumerable.Repeat(open, repeat)) + inner + string.Concat(Enumerable.Repeat(close, repeat));
        int levels = text.Count(c => c is '[' or '{');
        Assert.Equal(valid, levels <= PythonJsonSyntax.MaxDepth);
        Assert.Equal(valid, PythonJsonSyntax.IsValid(text));
    }

    private static string Verdict(string text)
    {
        try
        {
            return PythonJsonSyntax.IsValid(text) ? "valid" : "invalid";
        }
        catch (Exception error)
        {
            return error.GetType().Name;
        }
    }
}
