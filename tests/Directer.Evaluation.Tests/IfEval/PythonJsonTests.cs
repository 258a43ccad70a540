using System.Text.Json.Nodes;
using Directer.Core.PythonCompat;
using Directer.Evaluation.IfEval;
using static Directer.Evaluation.Tests.IfEval.Checks;

namespace Directer.Evaluation.Tests.IfEval;

public sealed class PythonJsonTests
{
    [Fact]
    public void Accepts_exactly_what_python_json_loads_accepts()
    {
        using var stream = typeof(PythonJsonTests).Assembly.GetManifestResourceStream("Goldens.json_goldens.json")!;
        var mismatches = ((JsonArray)JsonNode.Parse(stream)!)
            .Select(c => (Text: c!["text"]!.GetValue<string>(), Valid: c["valid"]!.GetValue<bool>()))
            .Where(c => PythonJsonSyntax.IsValid(c.Text) != c.Valid)
            .Select(c => $"{System.Text.Json.JsonSerializer.Serialize(c.Text)}: python says {c.Valid}")
            .ToList();
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Fact]
    public void Deep_nesting_is_bounded()
    {
        Assert.True(PythonJsonSyntax.IsValid(new string('[', 500) + new string(']', 500)));
        Assert.False(PythonJsonSyntax.IsValid(new string('[', 5000) + new string(']', 5000)));
    }

    [Theory]
    [InlineData("{\"a\": 1}", true)]
    [InlineData("```json\n{\"a\": 1}\n```", true)]
    [InlineData("```JSON\n[1, 2]\n```", true)]
    [InlineData("```Json\n{}\n```", true)]
    [InlineData("```\n{\"a\": 1}\n```", true)]
    [InlineData("  \n```json\n{\"a\": 1}\n```  \n", true)]
    [InlineData("```javascript\n{\"a\": 1}\n```", false)]
    [InlineData("Sure:\n```json\n{\"a\": 1}\n```", false)]
    [InlineData("```json\n{\"a\": 1}\n```\nHope this helps.", false)]
    [InlineData("\"just a string\"", true)]
    [InlineData("NaN", true)]
    [InlineData("{'a': 1}", false)]
    [InlineData("{\"a\": 1,}", false)]
    public void Json_format_checker(string response, bool expected)
        => Assert.Equal(expected, Follows(IfEvalInstructions.FormatJsonFormat, response));

    [Fact]
    public void Json_format_loose_drops_an_introduction_line()
    {
        var row = Row(IfEvalInstructions.FormatJsonFormat);
        var result = IfEvalScorer.Score(row, "Sure, here is the JSON:\n{\"a\": 1}")[0];
        Assert.False(result.Strict);
        Assert.True(result.Loose);
    }
}
