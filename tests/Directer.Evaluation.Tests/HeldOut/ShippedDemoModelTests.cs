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

    private double Rate(Func<HeldOutOutcome, bool> select, Func<HeldOutGrade, bool> measure)
    {
        var list = Outcomes.Value.Where(select).ToList();
        double rate = (double)list.Count(o => measure(o.Grade)) / list.Count;
        output.WriteLine($"{list.Count} rows: {rate:P1}");
        return rate;
    }

    [Fact]
    public void Tool_requests_get_well_formed_tool_calls()
    {
        // Measured: 5 of 6 well-formed (83%); none names a listed tool (the model recalls family names instead of
        // copying the listed one — see docs/DEMO-MODEL.md), so only the format is held to a floor here.
        Assert.True(Rate(o => o.Row.Kind == "tool_call", g => g.Valid) >= 0.66);
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
