using Directer.Core.Steering;

namespace Directer.Cli.Commands;

/// <summary>The JSON contract of <c>directer generate --json</c>. Add fields; never rename or remove.</summary>
internal sealed record GenerateJson
{
    public required IReadOnlyList<int> Ids { get; init; }

    public required string StopReason { get; init; }

    public required int PromptTokens { get; init; }

    public required TimingsJson Timings { get; init; }

    /// <summary>Steering statistics (null without steering).</summary>
    public SteeringSummary? Steering { get; init; }

    /// <summary>DIRECTER's layer ranking, most sensitive first.</summary>
    public IReadOnlyList<int>? Ranking { get; init; }

    /// <summary>DIRECTER's sensitivity per layer.</summary>
    public IReadOnlyList<double>? Sensitivity { get; init; }

    /// <summary>Per-step steering trace.</summary>
    public IReadOnlyList<SteeringStep>? Trace { get; init; }

    /// <summary>Generated text (with --prompt).</summary>
    public string? Text { get; init; }

    /// <summary>The reasoning block of a reasoning model's reply (also inside <see cref="Text"/>, which is the raw output); null when none.</summary>
    public string? Reasoning { get; init; }

    /// <summary>The prompt's token ids (the rendered chat prompt with --prompt).</summary>
    public IReadOnlyList<int>? PromptIds { get; init; }

    /// <summary>Emphasised prompt token spans as [start, end) pairs.</summary>
    public IReadOnlyList<int[]>? EmphasisSpans { get; init; }
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

/// <summary>The JSON of <c>directer generate --prompt-only --json</c>.</summary>
internal sealed record PromptJson
{
    /// <summary>The rendered prompt text.</summary>
    public required string Prompt { get; init; }

    /// <summary>Its token ids.</summary>
    public required IReadOnlyList<int> PromptIds { get; init; }

    /// <summary>The number of prompt tokens.</summary>
    public required int PromptTokens { get; init; }

    /// <summary>Emphasised prompt token spans as [start, end) pairs.</summary>
    public required IReadOnlyList<int[]> EmphasisSpans { get; init; }

    /// <summary>The name of the template that rendered it.</summary>
    public required string ChatTemplate { get; init; }
}
