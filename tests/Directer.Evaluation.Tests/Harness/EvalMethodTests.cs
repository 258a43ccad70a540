using Directer.Core.Steering;
using Directer.Evaluation.Harness;

namespace Directer.Evaluation.Tests.Harness;

public sealed class EvalMethodTests
{
    private static readonly SteeringSettings Parameters = new() { Alpha = 50, Beta = 0.3, MaxTrials = 4, Strategy = SteeringStrategy.Sequential };

    [Fact]
    public void Parses_methods_and_gate_variants_with_the_shared_parameters()
    {
        var methods = EvalMethod.ParseList(" none, DIRECTER ,static,pasta+gate,spotlight,instaboost+GATE", Parameters);
        Assert.Equal(["none", "directer", "static", "pasta+gate", "spotlight", "instaboost+gate"], methods.Select(m => m.Name));
        Assert.Null(methods[0].Steering);
        Assert.Equal(SteeringMethod.Directer, methods[1].Steering!.Method);
        Assert.Equal(50, methods[1].Steering!.Alpha);
        Assert.False(methods[2].Steering!.Gate);
        Assert.True(methods[3].Steering!.Gate);
        Assert.Equal(SteeringMethod.Pasta, methods[3].Steering!.Method);
    }

    [Fact]
    public void Settings_hold_only_what_changes_the_method()
    {
        var methods = EvalMethod.ParseList("none,directer,static,pasta,pasta+gate", Parameters);
        Assert.Empty(methods[0].Settings);
        Assert.Equal(new Dictionary<string, string> { ["alpha"] = "50", ["beta"] = "0.3", ["max_trials"] = "4", ["strategy"] = "Sequential" }, methods[1].Settings);
        Assert.Equal(new Dictionary<string, string> { ["alpha"] = "50", ["layers"] = "all" }, methods[2].Settings);
        Assert.Equal(new Dictionary<string, string> { ["pasta_a"] = "0.01" }, methods[3].Settings);
        Assert.Equal(new Dictionary<string, string> { ["pasta_a"] = "0.01", ["beta"] = "0.3" }, methods[4].Settings);
    }

    [Theory]
    [InlineData("none,magic", "--methods: 'magic' is not one of none, directer, static, pasta, spotlight, instaboost")]
    [InlineData("directer+gate", "DIRECTER always has its plausibility gate")]
    [InlineData("none+gate", "there is no steering to gate")]
    [InlineData("pasta,PASTA", "lists 'pasta' twice")]
    [InlineData(" , ", "at least one method")]
    public void Bad_lists_are_clear_errors(string list, string expected)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => EvalMethod.ParseList(list, Parameters));
        Assert.Contains(expected, e.Message);
    }
}
