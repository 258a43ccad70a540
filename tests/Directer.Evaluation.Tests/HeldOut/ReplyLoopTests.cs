using System.Text.Json.Nodes;
using Directer.Core.Generation;
using Directer.Evaluation.HeldOut;

namespace Directer.Evaluation.Tests.HeldOut;

public sealed class ReplyLoopTests
{
    [Theory]
    [InlineData("red gad gad gad gad gad gad gad gad g")] // the demo's old reply: unit "gad " cut mid-unit
    [InlineData("Sure!!!!!!!!!!!!!!!!!!!!!!!!!")]
    [InlineData("the price is 4. the price is 4. the price is 4. the price is 4.")]
    [InlineData("abcdefghabcdefghabcdefgh")] // period 8, exactly three units = 24 characters
    public void LoopingTailsAreFound(string reply) => Assert.True(ReplyLoop.EndsInLoop(reply), reply);

    [Theory]
    [InlineData("")]
    [InlineData("The blue widget costs 24 dollars and ships from Oslo on Monday.")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaa")] // 23 repeated characters: one short of the span
    [InlineData("x abcdefghabcdefghabcdefgX")] // the last character breaks the period
    [InlineData("ha ha ha, ok")]
    public void OtherTextIsNotALoop(string reply) => Assert.False(ReplyLoop.EndsInLoop(reply), reply);

    [Fact]
    public void APeriodLongerThanTheMaximumIsNotLookedFor()
    {
        string unit = new string('a', ReplyLoop.MaximumPeriod) + "b";
        Assert.False(ReplyLoop.EndsInLoop(unit + unit + unit));
        string shorter = new string('a', ReplyLoop.MaximumPeriod - 1) + "b";
        Assert.True(ReplyLoop.EndsInLoop(shorter + shorter + shorter));
    }

    [Fact]
    public void TheReportCountsRepliesCutAtTheLimitAndTheLoopingOnesPerMethod()
    {
        var row = HeldOutRow.Parse(JsonNode.Parse("""
            {"id": "constraint-1", "kind": "constraint", "messages": [{"role": "user", "content": "Hi"}], "tools": [],
             "expected_tool_call": null, "constraints": [], "must_contain": []}
            """)!.AsObject());
        var grade = new HeldOutGrade(true, true, true, true);
        HeldOutOutcome Outcome(string method, string reply, StopReason stop) => new(method, row, reply, grade, 10, 1, null) { StopReason = stop };
        var outcomes = new[]
        {
            Outcome("none", "go go go go go go go go go go go go go", StopReason.MaxTokens),
            Outcome("none", "a long but honest answer that simply ran out of room", StopReason.MaxTokens),
            Outcome("none", "go go go go go go go go go go go go go", StopReason.EndOfSequence), // ended by the model: not cut
            Outcome("directer", "go go go go go go go go go go go go go", StopReason.ContextFull),
        };
        var report = new HeldOutReport(outcomes);
        Assert.Equal((2, 1), (report.Rates("none", null).CutAtLimit, report.Rates("none", null).Looping));
        Assert.Equal((1, 1), (report.Rates("directer", null).CutAtLimit, report.Rates("directer", null).Looping));
        Assert.Contains("| cut at the token limit (of them looping) | | 2 (1) | 1 (1) |", report.ToMarkdown(), StringComparison.Ordinal);
        var json = report.ToJson();
        Assert.Equal(2, json["none"]!["all"]!["cut_at_limit"]!.GetValue<int>());
        Assert.Equal(1, json["none"]!["all"]!["looping"]!.GetValue<int>());
    }
}
