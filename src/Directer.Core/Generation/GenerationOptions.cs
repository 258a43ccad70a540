using Directer.Core.Requests;

namespace Directer.Core.Generation;

/// <summary>Decoding settings of one generation.</summary>
public sealed record GenerationOptions
{
    /// <summary>Most tokens to generate. Default 256.</summary>
    public int MaxNewTokens { get; init; } = 256;

    /// <summary>0 (default) is greedy decoding; above 0 samples from the tempered distribution.</summary>
    public float Temperature { get; init; }

    /// <summary>Nucleus sampling: keep the smallest set of tokens whose probability reaches this (0, 1]. Null = off.</summary>
    public float? TopP { get; init; }

    /// <summary>Keep only the k most probable tokens. Null = off.</summary>
    public int? TopK { get; init; }

    /// <summary>Seed of the sampler; the same seed, prompt and settings give the same tokens. Null = random.</summary>
    public long? Seed { get; init; }

    /// <summary>Token ids that end generation (excluded from the output). Null = the model's eos ids.</summary>
    public IReadOnlyList<int>? EosTokenIds { get; init; }

    /// <summary>Token id sequences that end generation when produced (excluded from the output).</summary>
    public IReadOnlyList<IReadOnlyList<int>> StopSequences { get; init; } = [];

    /// <summary>
    /// Restricts which tokens may be chosen (for example <see cref="Constraints.ToolCallConstraint"/>); null = none.
    /// Stateful: one generation at a time.
    /// </summary>
    public ITokenConstraint? Constraint { get; init; }

    /// <summary>Checks every setting; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public void Validate()
    {
        // The ranges are the request settings' (one table, one message per setting).
        RequestSettings.ThrowIfOutOfRange(RequestSettings.MaxTokens, MaxNewTokens, nameof(MaxNewTokens));
        RequestSettings.ThrowIfOutOfRange(RequestSettings.Temperature, Temperature, nameof(Temperature));
        if (TopP is float p)
        {
            RequestSettings.ThrowIfOutOfRange(RequestSettings.TopP, p, nameof(TopP));
        }

        if (TopK is int k)
        {
            RequestSettings.ThrowIfOutOfRange(RequestSettings.TopK, k, nameof(TopK));
        }

        if (StopSequences.Any(s => s.Count == 0))
        {
            throw new ArgumentException("A stop sequence must hold at least one token id.", nameof(StopSequences));
        }
    }
}
