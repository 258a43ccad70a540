using System.Text.Json.Nodes;
using Directer.Evaluation.IfEval;

namespace Directer.Evaluation.Tests.IfEval;

public sealed class AccuracyTests
{
    private static IfEvalRow Row(string key, params string[] ids)
        => new(key, "p", ids, ids.Select(_ => new JsonObject()).ToList(), null);

    private static InstructionResult R(string id, bool strict, bool loose) => new(id, strict, loose);

    private const string Comma = IfEvalInstructions.PunctuationNoComma;
    private const string Quote = IfEvalInstructions.StartEndQuotation;
    private const string Title = IfEvalInstructions.FormatTitle;
    private const string Json = IfEvalInstructions.FormatJsonFormat;

    [Fact]
    public void Aggregates_prompt_instruction_category_and_id_levels()
    {
        var accuracy = IfEvalAccuracy.Compute(
        [
            (Row("1", Comma, Quote), [R(Comma, true, true), R(Quote, false, true)]),
            (Row("2", Title), [R(Title, true, true)]),
            (Row("3", Comma, Json, Title), [R(Comma, false, false), R(Json, true, true), R(Title, false, true)]),
            (Row("4", Quote), [R(Quote, false, false)]),
        ]);

        Assert.Equal(4, accuracy.PromptCount);
        Assert.Equal(1, accuracy.PromptStrictFollowed);   // row 2
        Assert.Equal(2, accuracy.PromptLooseFollowed);    // rows 1 and 2
        Assert.Equal(0.25, accuracy.PromptStrict);
        Assert.Equal(0.5, accuracy.PromptLoose);

        Assert.Equal(7, accuracy.InstructionCount);
        Assert.Equal(3, accuracy.InstructionStrictFollowed);
        Assert.Equal(5, accuracy.InstructionLooseFollowed);
        Assert.Equal(3.0 / 7, accuracy.InstructionStrict, 12);
        Assert.Equal(5.0 / 7, accuracy.InstructionLoose, 12);

        Assert.Equal([Json, Title, Comma, Quote], accuracy.ByInstruction.Keys); // ordinal order
        Assert.Equal(new InstructionTally(2, 1, 1), accuracy.ByInstruction[Comma]);
        Assert.Equal(new InstructionTally(2, 0, 1), accuracy.ByInstruction[Quote]);
        Assert.Equal(new InstructionTally(2, 1, 2), accuracy.ByInstruction[Title]);
        Assert.Equal(0.5, accuracy.ByInstruction[Title].Strict);
        Assert.Equal(1.0, accuracy.ByInstruction[Title].Loose);

        Assert.Equal(["detectable_format", "punctuation", "startend"], accuracy.ByCategory.Keys);
        Assert.Equal(new InstructionTally(3, 2, 3), accuracy.ByCategory["detectable_format"]);
        Assert.Equal(new InstructionTally(2, 0, 1), accuracy.ByCategory["startend"]);
    }

    [Fact]
    public void Empty_aggregate_is_zero()
    {
        var accuracy = new IfEvalAccuracy();
        Assert.Equal(0, accuracy.PromptStrict);
        Assert.Equal(0, accuracy.InstructionLoose);
        Assert.Empty(accuracy.ByInstruction);
        Assert.Equal(0, new InstructionTally(0, 0, 0).Strict);
    }

    [Fact]
    public void A_prompt_without_instructions_counts_as_followed()
    {
        // all([]) is True in the official report.
        var accuracy = new IfEvalAccuracy();
        accuracy.Add(Row("1"), []);
        Assert.Equal(1.0, accuracy.PromptStrict);
        Assert.Equal(0, accuracy.InstructionCount);
    }

    [Fact]
    public void Results_must_match_the_row()
    {
        var accuracy = new IfEvalAccuracy();
        Assert.Throws<ArgumentException>(() => accuracy.Add(Row("1", Comma, Quote), [R(Comma, true, true)]));
        Assert.Throws<ArgumentException>(() => accuracy.Add(Row("1", Comma), [R(Quote, true, true)]));
        Assert.Equal(0, accuracy.PromptCount);
    }

    [Fact]
    public void Works_end_to_end_with_the_scorer()
    {
        var row = new IfEvalRow("1", "Write.", [Comma, Quote], [new JsonObject(), new JsonObject()], null);
        var accuracy = new IfEvalAccuracy();
        accuracy.Add(row, IfEvalScorer.Score(row, "Sure:\n\"No commas here\""));
        accuracy.Add(row, IfEvalScorer.Score(row, "\"Yes, a comma\""));
        Assert.Equal(0, accuracy.PromptStrict);
        Assert.Equal(0.5, accuracy.PromptLoose);
        Assert.Equal(0.5, accuracy.InstructionStrict);   // comma passes in 1, quote passes in 2
        Assert.Equal(0.75, accuracy.InstructionLoose);
    }
}
