using AgentDemo;
using Directer.Core.Steering;
using Xunit.Abstractions;

namespace Directer.SemanticKernel.Tests.EndToEnd;

/// <summary>
/// The main job (<c>dotnet run --project samples/AgentDemo</c>) run end to end on the shipped demo model, offline: every
/// tool call ran a function of the registered plugin, the long-result step fetched the log, replies cut by the token
/// limit are marked, the warm-up is reported apart, and the closing summary is printed.
/// </summary>
public sealed class AgentDemoTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Demo_runs_the_scripted_conversation_with_and_without_steering()
    {
        var writer = new StringWriter();
        var (code, transcript) = await AgentDemo.DemoApp.RunWithTranscriptAsync([], writer);
        string text = writer.ToString();
        output.WriteLine(text);

        Assert.Equal(0, code);
        Assert.NotNull(transcript);
        Assert.Equal(DemoApp.Questions.Count * 2, transcript.Replies.Count);
        Assert.Equal(["none", "directer"], transcript.Replies.Select(r => r.Method).Distinct());

        // Every call named a function of the listed plugin (constrained calls), so SK ran it.
        var calls = transcript.Replies.SelectMany(r => r.ToolCalls).ToList();
        Assert.NotEmpty(calls);
        Assert.All(calls, c => Assert.True(c.Ran, $"{c.Name}({c.Arguments}) did not run a registered function: {c.Result}"));
        Assert.All(calls, c => Assert.Contains($"tool call: {c.Name}({c.Arguments})", text, StringComparison.Ordinal));

        // The log step required the log function: its long result sits between the instruction and the last answer.
        var logReplies = transcript.Replies.Where(r => r.Question == DemoApp.Questions[1]).ToList();
        Assert.All(logReplies, r => Assert.Contains(r.ToolCalls, c => c.Name.EndsWith("get_shipment_log", StringComparison.Ordinal) && c.Result.Contains("SH-1040", StringComparison.Ordinal)));

        // Each answer is printed as FormatAnswer writes it: marked when the token limit cut it, unmarked otherwise.
        foreach (var r in transcript.Replies)
        {
            Assert.Contains(DemoApp.FormatAnswer(r), text, StringComparison.Ordinal);
            Assert.Equal(r.Truncated, DemoApp.FormatAnswer(r).EndsWith("-token limit]", StringComparison.Ordinal));
            Assert.Equal(r.Method != "none" && r.Failure is null, r.Steering is not null);
        }

        Assert.Contains("Warm-up: ", text, StringComparison.Ordinal);
        Assert.True(transcript.WarmupSeconds > 0);
        string last = text.TrimEnd().Split('\n')[^1].TrimEnd('\r');
        Assert.Equal(transcript.Summary, last);
        Assert.StartsWith("Summary — none: instruction kept in ", last, StringComparison.Ordinal);
        Assert.Contains("directer: steered ", last, StringComparison.Ordinal);
        Assert.Contains("× unsteered", last, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reply_cut_by_the_token_limit_is_marked_and_a_finished_one_is_not()
    {
        var cut = new DemoReply("none", "q", "red gad gad gad", Truncated: true, InstructionKept: true, Tokens: DemoApp.MaxTokens, Seconds: 1, Steering: null, ToolCalls: []);
        Assert.Equal($"red gad gad gad … [cut: reached the {DemoApp.MaxTokens}-token limit]", DemoApp.FormatAnswer(cut));
        Assert.Equal("there are 42 units.", DemoApp.FormatAnswer(cut with { Answer = "there are 42 units.", Truncated = false }));
        Assert.Equal("[not answered: the conversation no longer fits]", DemoApp.FormatAnswer(cut with { Answer = "", Truncated = false, Failure = "the conversation no longer fits" }));
    }

    [Fact]
    public void Summary_counts_kept_instructions_steered_and_changed_tokens_and_the_speed_ratio()
    {
        SteeringSummary Steered(int steps, double steered, double changed) => new()
        {
            Method = "directer", Steps = steps, SteeredShare = steered, GatedShare = 0, RejectedShare = 0, FallbackShare = 0, MeanTrials = 1, ChangedShare = changed,
        };
        DemoReply[] replies =
        [
            new("none", "a", "x", false, InstructionKept: true, Tokens: 40, Seconds: 1, Steering: null, ToolCalls: []),
            new("none", "b", "X", false, InstructionKept: false, Tokens: 40, Seconds: 1, Steering: null, ToolCalls: []),
            new("directer", "a", "x", false, InstructionKept: true, Tokens: 30, Seconds: 1, Steering: Steered(20, 0.5, 0.25), ToolCalls: []),
            new("directer", "b", "x", false, InstructionKept: true, Tokens: 30, Seconds: 1, Steering: Steered(20, 0.25, 0.1), ToolCalls: []),
        ];

        Assert.Equal(
            "Summary — none: instruction kept in 1/2 answers, 40 tokens/s; directer: instruction kept in 2/2 answers, 30 tokens/s. directer: steered 15 of 40 tokens, changed 7; speed 0.75× unsteered.",
            DemoApp.Summarize(replies, ["none", "directer"]));
    }
}
