using System.CommandLine;
using Directer.Core.Steering;

namespace Directer.Cli.Commands;

/// <summary>
/// The steering parameters shared by <c>generate</c> and <c>eval</c> (--alpha, --beta, --max-trials, --strategy),
/// declared and parsed in one place so both commands accept and validate them identically.
/// </summary>
internal sealed class SteeringCliOptions
{
    public Option<double> Alpha { get; } = new("--alpha") { Description = "Key scale for directer/static (default 100).", DefaultValueFactory = _ => 100 };

    public Option<double> Beta { get; } = new("--beta") { Description = "Plausibility threshold in (0, 1] (default 0.5).", DefaultValueFactory = _ => 0.5 };

    public Option<int> MaxTrials { get; } = new("--max-trials") { Description = "DIRECTER's most steered passes per token (default 10).", DefaultValueFactory = _ => 10 };

    public Option<string> Strategy { get; } = new("--strategy") { Description = "auto (default), sequential, batched or batched-after-gate.", DefaultValueFactory = _ => "auto" };

    /// <summary>The options, to add to a command.</summary>
    public IEnumerable<Option> All => [Alpha, Beta, MaxTrials, Strategy];

    /// <summary>Settings for <paramref name="method"/> with the parsed parameters.</summary>
    public SteeringSettings Settings(ParseResult result, SteeringMethod method, bool gate) => new()
    {
        Method = method,
        Gate = gate,
        Alpha = result.GetValue(Alpha),
        Beta = result.GetValue(Beta),
        MaxTrials = result.GetValue(MaxTrials),
        Strategy = ParseStrategy(result.GetValue(Strategy)!),
    };

    public static SteeringStrategy ParseStrategy(string text) => text.ToLowerInvariant() switch
    {
        "auto" => SteeringStrategy.Auto,
        "sequential" => SteeringStrategy.Sequential,
        "batched" => SteeringStrategy.Batched,
        "batched-after-gate" => SteeringStrategy.BatchedAfterGate,
        _ => throw new FormatException($"--strategy: '{text}' is not supported; use auto, sequential, batched or batched-after-gate."),
    };
}
