using Directer.Core.Chat;
using Directer.Evaluation.Demo;
using Directer.Evaluation.HeldOut;
using Xunit.Abstractions;

namespace Directer.Evaluation.Tests.HeldOut;

/// <summary>
/// The shipped demo model, loaded through the ordinary loader, on the first rows of every held-out group (greedy, no
/// steering). The floors sit a little under the rates measured on exactly these rows (stated next to each), so a
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

    /// <summary>The first 30 tool_call rows with <see cref="ChatRequest.ConstrainToolCalls"/> on.</summary>
    private static readonly Lazy<IReadOnlyList<HeldOutOutcome>> ConstrainedCalls = new(() =>
    {
        string dir = DemoModel.Require();
        var rows = HeldOutSet.Read(Path.Combine(dir, HeldOutSet.FileName)).Where(r => r.Kind == "tool_call").Take(30).ToList();
        using var model = ChatModel.Load(dir);
        return HeldOutRunner.RunAsync(model, rows, "none+constrained", steering: null, maxNewTokens: 80, constrainToolCalls: true).GetAwaiter().GetResult();
    });

    private double Rate(Func<HeldOutOutcome, bool> select, Func<HeldOutGrade, bool> measure, IReadOnlyList<HeldOutOutcome>? outcomes = null)
    {
        var list = (outcomes ?? Outcomes.Value).Where(select).ToList();
        double rate = (double)list.Count(o => measure(o.Grade)) / list.Count;
        output.WriteLine($"{list.Count} rows: {rate:P1}");
        return rate;
    }

    [Fact]
    public void Tool_requests_get_well_formed_tool_calls()
    {
        // Measured: 5 of 6 well-formed (83%); none names a listed tool (the model recalls family names instead of
        // copying the listed one — see docs/DEMO-MODEL.md), so without the tool-call constraint only the format is held
        // to a floor here; the constrained test below holds names and arguments.
        Assert.True(Rate(o => o.Row.Kind == "tool_call", g => g.Valid) >= 0.66);
    }

    [Fact]
    public void Constrained_tool_calls_name_a_listed_tool_and_some_are_exactly_right()
    {
        // Measured on the first 30 tool_call rows (floors below each):
        // - well-formed and naming a listed tool: 29 of 30 (the constraint makes every finished call name one; the other
        //   ran out of tokens inside a string value); floor 0.9;
        // - the expected tool: 14 of 30, 47% (the model picks among ~3 listed tools by its probability of each whole
        //   name; a blind pick would average 36%); floor 0.36;
        // - the expected tool with exactly the expected arguments: 6 of 30, 20% (numbers it copies; multi-token strings
        //   it must copy letter by letter are where it fails); floor 0.13.
        IReadOnlyList<HeldOutOutcome> outcomes = ConstrainedCalls.Value;
        Assert.Equal(30, outcomes.Count);
        Assert.True(Rate(_ => true, g => g.Valid && g.Listed, outcomes) >= 0.9);
        Assert.True(Rate(_ => true, g => g.RightTool, outcomes) >= 0.36);
        Assert.True(Rate(_ => true, g => g.Correct, outcomes) >= 0.13);
        Assert.All(outcomes.Where(o => o.Grade.Valid), o => Assert.True(o.Grade.Listed, o.Reply));
    }

    [Fact]
    public void System_prompt_constraints_are_followed_at_the_measured_rate()
    {
        // Measured on these 48 rows (6 per constraint type): 66.7%; floor 0.55.
        Assert.True(Rate(o => o.Row.Kind == "constraint", g => g.Correct) >= 0.55);
    }

    [Fact]
    public void Answers_after_a_tool_result_repeat_it_at_the_measured_rate()
    {
        // Measured on these 6 rows: 83%; floor 0.5.
        Assert.True(Rate(o => o.Row.Kind == "tool_answer", g => g.Correct) >= 0.5);
    }

    [Fact]
    public void Lowercase_and_comma_free_replies_are_mostly_right()
    {
        // Measured on these 12 rows: 75%; floor 0.65.
        Assert.True(Rate(o => o.Row.Group is "constraint:lowercase" or "constraint:no_commas", g => g.Correct) >= 0.65);
    }
}
