namespace Directer.Cli.Commands;

/// <summary>The JSON contract of <c>directer generate --json</c>. Add fields; never rename or remove.</summary>
internal sealed record GenerateJson
{
    public required IReadOnlyList<int> Ids { get; init; }

    public required string StopReason { get; init; }

    public required int PromptTokens { get; init; }

    public required TimingsJson Timings { get; init; }
}

/// <summary>Timings in milliseconds and throughputs in tokens per second.</summary>
internal sealed record TimingsJson
{
    public double LoadMs { get; init; }

    public double PrefillMs { get; init; }

    public double DecodeMs { get; init; }

    public double DecodeTokensPerSecond { get; init; }

    public double PrefillTokensPerSecond { get; init; }
}
