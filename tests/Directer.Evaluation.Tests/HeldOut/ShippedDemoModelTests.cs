using Directer.Core.Chat;
using Directer.Evaluation.Demo;
using Directer.Evaluation.HeldOut;
using Xunit.Abstractions;

namespace Directer.Evaluation.Tests.HeldOut;

/// <summary>
/// The shipped demo model, loaded through the ordinary loader, on the first rows of every held-out group and on the first
/// 30 tool_call rows, also with constrained tool calls (greedy, no steering). The floors sit a little under the rates measured on exactly these rows (stated next to each), so a
/// broken loader, template, tokenizer or parser fails the test while the model's own figures are documented in
/// docs/DEMO-MODEL.md.
/// </summary>
public sealed class ShippedDemoModelTests(ITestOutputHelper output)
{
    private static readonly Lazy<IReadOnlyList<HeldOutOutcome>> Outcomes = new(() =>
    {
        string dir = DemoModel.Require();
        var rows = HeldOutSet.Stratified(HeldOutSet.Read(Path.Combine(dir, HeldOutSet.FileName)), 6);
        using var model = ChatModel.Load(dir);
        return HeldOutRunner.RunAsync(model, rows, "none", steering: null, maxNewTokens: 80).GetAwaiter().GetResult();
    });

    /// <summary>The first 30 tool_call rows, without and with <see cref="ChatRequest.ConstrainToolCalls"/>.</summary>
    private static readonly Lazy<IReadOnlyList<HeldOutOutcome>> FreeCalls = new(() => RunToolCalls(constrain: false));

    private static readonly Lazy<IReadOnlyList<HeldOutOutcome>> ConstrainedCalls = new(() => RunToolCalls(constrain: true));

    private static IReadOnlyList<HeldOutOutcome> RunToolCalls(bool constrain)
    {
        string dir = DemoModel.Require();
        var rows = HeldOutSet.Read(Path.Combine(dir, HeldOutSet.FileName)).Where(r => r.Kind == "tool_call").Take(30).ToList();
        using var model = ChatModel.Load(dir);
        return HeldOutRunner.RunAsync(model, rows, constrain ? "none+constrained" : "none", steering: null, maxNewTokens: 80, constrainToolCalls: constrain).GetAwaiter().GetResult();
    }

    private double Rate(Func<HeldOutOutcome, bool> select, Func<HeldOutGrade, bool> measure, IReadOnlyList<HeldOutOutcome>? outcomes = null)
    {
        var list = (outcomes ?? Outcomes.Value).Where(select).ToList();
        double rate = (double)list.Count(o => measure(o.Grade)) / list.Count;
        output.WriteLine($"{list.Count} rows: {rate:P1}");
        return rate;
    }

    [Fact]
    public void Tool_calls_name_a_listed_tool_copied_from_the_prompt_and_some_are_exactly_right()
    {
        // Unconstrained, measured on the first 30 tool_call rows with the stage-8 weights (floors below each): well-formed
        // 29 (0.9); naming one of the listed tools, whose names it never saw in training, 27 (0.8); the expected tool 20
        // (0.6; a blind pick among the ~3 listed would average 36%); the expected tool with exactly the expected arguments
        // 15 (0.4). Stage 7 measured 29, 25, 19 and 13. The model copies from the context, unreliably (docs/DEMO-MODEL.md).
        IReadOnlyList<HeldOutOutcome> outcomes = FreeCalls.Value;
        Assert.Equal(30, outcomes.Count);
        Assert.True(Rate(_ => true, g => g.Valid, outcomes) >= 0.9);
        Assert.True(Rate(_ => true, g => g.Listed, outcomes) >= 0.8);
        Assert.True(Rate(_ => true, g => g.RightTool, outcomes) >= 0.6);
        Assert.True(Rate(_ => true, g => g.Correct, outcomes) >= 0.4);
    }

    [Fact]
    public void Constrained_tool_calls_name_a_listed_tool_and_some_are_exactly_right()
    {
        // Measured on the first 30 tool_call rows with the stage-8 weights (floors below each; stage 7: 30, 20, 16):
        // - well-formed and naming a listed tool: 30 of 30 (the constraint makes every finished call name one; a call can
        //   still run out of tokens inside a string value); floor 0.9;
        // - the expected tool: 22 of 30 (73%; the model picks among ~3 listed tools as it writes the name); floor 0.65;
        // - the expected tool with exactly the expected arguments: 17 of 30 (57%; numbers it copies, longer strings it
        //   often garbles); floor 0.5.
        IReadOnlyList<HeldOutOutcome> outcomes = ConstrainedCalls.Value;
        Assert.Equal(30, outcomes.Count);
        Assert.True(Rate(_ => true, g => g.Valid && g.Listed, outcomes) >= 0.9);
        Assert.True(Rate(_ => true, g => g.RightTool, outcomes) >= 0.65);
        Assert.True(Rate(_ => true, g => g.Correct, outcomes) >= 0.5);
        Assert.All(outcomes.Where(o => o.Grade.Valid), o => Assert.True(o.Grade.Listed, o.Reply));
    }

    [Fact]
    public void System_prompt_constraints_are_followed_at_the_measured_rate()
    {
        // Measured on these 48 rows (6 per constraint type): 75.0% (stage-8 and stage-7 weights; stage 6: 72.9%); floor 0.68.
        Assert.True(Rate(o => o.Row.Kind == "constraint", g => g.Correct) >= 0.68);
    }

    [Fact]
    public void Answers_after_a_tool_result_repeat_it_at_the_measured_rate()
    {
        // Measured on these 6 rows: 100% (stage-8, 7 and 6 weights; stage 4b: 83%); floor 0.8.
        Assert.True(Rate(o => o.Row.Kind == "tool_answer", g => g.Correct) >= 0.8);
    }

    [Fact]
    public void Lowercase_and_comma_free_replies_are_mostly_right()
    {
        // Measured on these 12 rows: 91.7% (stage-8 weights: one comma; stage 7 and 6: 100%); floor 0.8.
        Assert.True(Rate(o => o.Row.Group is "constraint:lowercase" or "constraint:no_commas", g => g.Correct) >= 0.8);
    }
}
