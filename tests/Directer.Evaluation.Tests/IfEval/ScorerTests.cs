using System.Text.Json.Nodes;
using Directer.Evaluation.IfEval;
using static Directer.Evaluation.Tests.IfEval.Checks;

namespace Directer.Evaluation.Tests.IfEval;

public sealed class ScorerTests
{
    [Fact]
    public void Leading_introduction_line_fails_strictly_but_not_loosely()
    {
        var row = Row(IfEvalInstructions.StartEndQuotation);
        var result = Assert.Single(IfEvalScorer.Score(row, "Sure, here it is:\n\"A quoted answer.\""));
        Assert.Equal(new InstructionResult(IfEvalInstructions.StartEndQuotation, Strict: false, Loose: true), result);
    }

    [Fact]
    public void Trailing_line_is_dropped_by_the_loose_score()
    {
        var row = Row(IfEvalInstructions.StartEndEndChecker, """{"end_phrase": "Any other questions?"}""");
        var result = IfEvalScorer.Score(row, "The answer is 4. Any other questions?\nLet me know!")[0];
        Assert.False(result.Strict);
        Assert.True(result.Loose);
    }

    [Fact]
    public void Asterisks_are_removed_by_the_loose_score()
    {
        var row = Row(IfEvalInstructions.StartEndEndChecker, """{"end_phrase": "Any other questions?"}""");
        var result = IfEvalScorer.Score(row, "The answer is 4. **Any other questions?**")[0];
        Assert.False(result.Strict);
        Assert.True(result.Loose);
    }

    [Fact]
    public void Loose_can_also_remove_both_first_and_last_lines()
    {
        var row = Row(IfEvalInstructions.StartEndQuotation);
        var result = IfEvalScorer.Score(row, "Here you go:\n\"quoted\"\nHope it helps.")[0];
        Assert.False(result.Strict);
        Assert.True(result.Loose);
    }

    [Fact]
    public void Loose_never_makes_a_strict_pass_fail()
    {
        var row = Row(IfEvalInstructions.PunctuationNoComma);
        Assert.Equal(new InstructionResult(IfEvalInstructions.PunctuationNoComma, true, true), IfEvalScorer.Score(row, "No commas.")[0]);
        Assert.Equal(new InstructionResult(IfEvalInstructions.PunctuationNoComma, false, false), IfEvalScorer.Score(row, "One, two,\nthree, four")[0]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\n\n")]
    public void Blank_response_follows_nothing(string response)
    {
        // no_comma and forbidden_words would pass on empty text; the official scorer rejects empty responses first.
        var row = new IfEvalRow("1", "p", [IfEvalInstructions.PunctuationNoComma, IfEvalInstructions.KeywordsForbiddenWords],
            [new JsonObject(), (JsonObject)JsonNode.Parse("""{"forbidden_words": ["x"]}""")!], null);
        Assert.All(IfEvalScorer.Score(row, response), r => Assert.False(r.Strict || r.Loose));
    }

    [Fact]
    public void Loose_ignores_variants_that_become_empty()
    {
        // Dropping the only line leaves an empty variant, which must not count as following no_comma.
        var row = Row(IfEvalInstructions.PunctuationNoComma);
        Assert.False(IfEvalScorer.Score(row, "a, b")[0].Loose);
    }

    [Fact]
    public void Loose_variants_are_the_official_eight_in_order()
    {
        var variants = IfEvalScorer.LooseVariants("Intro *x*\n body \nOutro*");
        Assert.Equal(
        [
            "Intro *x*\n body \nOutro*",
            "Intro x\n body \nOutro",
            "body \nOutro*",
            "Intro *x*\n body",
            "body",
            "body \nOutro",
            "Intro x\n body",
            "body",
        ], variants);
        Assert.Equal(["one", "one", "", "", "", "", "", ""], IfEvalScorer.LooseVariants("one"));
    }

    [Fact]
    public void Scores_every_instruction_in_order()
    {
        var row = new IfEvalRow("7", "Write.", [IfEvalInstructions.PunctuationNoComma, IfEvalInstructions.StartEndQuotation,
            IfEvalInstructions.LengthNumberWords],
            [new JsonObject(), new JsonObject(), (JsonObject)JsonNode.Parse("""{"num_words": 3, "relation": "less than"}""")!], null);
        var results = IfEvalScorer.Score(row, "\"Two words\"");
        Assert.Equal(row.InstructionIds, results.Select(r => r.InstructionId));
        Assert.Equal([true, true, true], results.Select(r => r.Strict));
    }

    [Fact]
    public void Mismatched_kwargs_count_is_an_error()
    {
        var row = new IfEvalRow("7", "Write.", [IfEvalInstructions.PunctuationNoComma], [], null);
        Assert.Throws<ArgumentException>(() => IfEvalScorer.Score(row, "x"));
    }

    [Fact]
    public void Null_kwargs_are_treated_as_absent()
    {
        var kwargs = (JsonObject)JsonNode.Parse("""{"num_words": 3, "relation": "at least", "keyword": null, "language": null}""")!;
        var row = new IfEvalRow("7", "Write.", [IfEvalInstructions.LengthNumberWords], [kwargs], null);
        Assert.True(IfEvalScorer.Score(row, "one two three")[0].Strict);
    }
}
