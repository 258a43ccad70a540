using Directer.Core.Generation;
using Directer.Core.Generation.Rules;

namespace Directer.Core.Tests.Generation.Rules;

/// <summary>
/// The stop-sequence rule and the stopping rules on their own, token by token: what is held back, what is released
/// to the stream and when, and why generation ends. Expected values are worked out by hand from the rule's contract
/// (ids are held while they could still begin a stop sequence; a completed sequence is cut).
/// </summary>
public sealed class StopRuleTests
{
    [Fact]
    public void IdsAreHeldWhileTheyCanBeginAStopSequenceAndReleasedWhenTheyCannot()
    {
        var (rule, streamed) = Rule([1, 2, 3]);
        Assert.Null(rule.Accept(1));
        Assert.Empty(streamed);            // 1 begins [1 2 3]
        Assert.Null(rule.Accept(2));
        Assert.Empty(streamed);            // 1 2 too
        Assert.Null(rule.Accept(5));
        Assert.Equal([1, 2, 5], streamed); // 1 2 5 begins nothing: all released at once
        Assert.Equal([1, 2, 5], rule.Ids);
    }

    [Fact]
    public void OnlyTheLongestTailThatBeginsASequenceIsHeld()
    {
        var (rule, streamed) = Rule([7, 7, 8]);
        foreach (int id in new[] { 4, 7, 7, 7 })
        {
            Assert.Null(rule.Accept(id));
        }

        // 7 7 7: the tail "7 7" still begins [7 7 8], the first 7 cannot any more.
        Assert.Equal([4, 7], streamed);
        Assert.Equal(StopReason.StopSequence, rule.Accept(8));
        Assert.Equal([4, 7], streamed);
        Assert.Equal([4, 7], rule.Ids);
    }

    [Fact]
    public void ACompletedSequenceIsCutAndWhatPrecedesItReleased()
    {
        var (rule, streamed) = Rule([1, 2, 3], [2, 4]);
        Assert.Null(rule.Accept(9));
        Assert.Null(rule.Accept(1));
        Assert.Null(rule.Accept(2));
        Assert.Equal([9], streamed);
        Assert.Equal(StopReason.StopSequence, rule.Accept(4)); // [2 4] completes inside the held 1 2 4
        Assert.Equal([9, 1], rule.Ids);
        Assert.Equal([9, 1], streamed);
    }

    [Fact]
    public void AOneTokenSequenceStopsAtOnceAndIsNeverShown()
    {
        var (rule, streamed) = Rule([6]);
        Assert.Null(rule.Accept(5));
        Assert.Equal([5], streamed); // nothing can begin a one-token sequence without completing it: never held
        Assert.Equal(StopReason.StopSequence, rule.Accept(6));
        Assert.Equal([5], rule.Ids);
        Assert.Equal([5], streamed);
    }

    [Fact]
    public void ASequenceThatStartsTheOutputIsCutWholeAndNothingIsShown()
    {
        var (rule, streamed) = Rule([3, 2, 2]);
        Assert.Null(rule.Accept(3));
        Assert.Null(rule.Accept(2));
        Assert.Empty(streamed);
        Assert.Equal(StopReason.StopSequence, rule.Accept(2));
        Assert.Empty(rule.Ids);
        Assert.Empty(streamed);
    }

    [Fact]
    public void FinishReleasesWhatIsStillHeldAndBeginStartsAfresh()
    {
        var (rule, streamed) = Rule([1, 2]);
        Assert.Null(rule.Accept(3));
        Assert.Null(rule.Accept(1));
        Assert.Equal([3], streamed);
        rule.Finish();
        Assert.Equal([3, 1], streamed);

        rule.Begin([0]);
        Assert.Empty(rule.Ids);
        Assert.Null(rule.Accept(1));
        Assert.Equal(StopReason.StopSequence, rule.Accept(2));
        Assert.Empty(rule.Ids);
        Assert.Equal([3, 1], streamed); // nothing of the second generation was shown
    }

    [Fact]
    public void WithoutStopSequencesEveryIdIsReleasedAtOnce()
    {
        var (rule, streamed) = Rule();
        Assert.Null(rule.Accept(1));
        Assert.Null(rule.Accept(1));
        Assert.Equal([1, 1], streamed);
        Assert.Null(rule.Text); // no tokenizer, no text
    }

    [Fact]
    public void MaxLengthStopsAtTheBudgetAndCountsAgainAfterBegin()
    {
        var rule = new MaxLengthRule(3);
        rule.Begin([1]);
        Assert.Null(rule.Accept(5));
        Assert.Null(rule.Accept(5));
        Assert.Equal(StopReason.MaxTokens, rule.Accept(5));
        rule.Begin([1]);
        Assert.Null(rule.Accept(5));
        Assert.Null(rule.Accept(5));
        Assert.Equal(StopReason.MaxTokens, rule.Accept(5));
    }

    [Fact]
    public void EndOfSequenceStopsOnlyAtItsIds()
    {
        var rule = new EndOfSequenceRule(new HashSet<int> { 2, 9 });
        Assert.Null(rule.Accept(3));
        Assert.Equal(StopReason.EndOfSequence, rule.Accept(9));
        Assert.Equal(StopReason.EndOfSequence, rule.Accept(2));
    }

    [Fact]
    public void TheChainReportsTheFirstRuleThatStopsAndLaterRulesDoNotSeeTheToken()
    {
        var options = new GenerationOptions { MaxNewTokens = 2, EosTokenIds = [] };
        var streamed = new List<int>();
        var output = new StopRule(options, streamed.Add, null);
        var chain = TokenRuleChain.For(options, new HashSet<int> { 4 }, 16, null, output);
        chain.Begin([1]);
        Assert.Equal(StopReason.EndOfSequence, chain.Accept(4)); // eos comes before the output: never an output id
        Assert.Empty(output.Ids);
        Assert.Null(chain.Accept(5));
        Assert.Equal(StopReason.MaxTokens, chain.Accept(6));     // the eos did not count as a generated token
        Assert.Equal([5, 6], output.Ids);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void ARepetitionPenaltyMustBeFiniteAndPositive(float penalty)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RepetitionPenaltyRule(penalty, 8));
        Assert.Equal("penalty", error.ParamName);
        Assert.StartsWith("The repetition penalty must be a finite number > 0 (1 = off).", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2.01f, 0f, "frequency")]
    [InlineData(-2.01f, 0f, "frequency")]
    [InlineData(float.NaN, 0f, "frequency")]
    [InlineData(0f, 2.01f, "presence")]
    [InlineData(0f, -2.01f, "presence")]
    [InlineData(0f, float.NaN, "presence")]
    public void OccurrencePenaltiesMustBeWithinTwo(float frequency, float presence, string name)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new OccurrencePenaltyRule(frequency, presence, 8));
        Assert.Equal(name, error.ParamName);
        Assert.StartsWith($"The {name} penalty must be in [-2, 2] (0 = off).", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PenaltiesAtTheirEdgesAreAccepted()
    {
        _ = new RepetitionPenaltyRule(float.Epsilon, 8);
        _ = new RepetitionPenaltyRule(float.MaxValue, 8);
        _ = new OccurrencePenaltyRule(2, -2, 8);
        _ = new OccurrencePenaltyRule(-2, 2, 8);
    }

    private static (StopRule Rule, List<int> Streamed) Rule(params int[][] sequences)
    {
        var streamed = new List<int>();
        var rule = new StopRule(new GenerationOptions { StopSequences = sequences.Select(s => (IReadOnlyList<int>)s).ToArray() }, streamed.Add, null);
        rule.Begin([0]);
        return (rule, streamed);
    }
}
