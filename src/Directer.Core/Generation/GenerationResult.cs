namespace Directer.Core.Generation;

/// <summary>The outcome of one generation.</summary>
public sealed record GenerationResult
{
    /// <summary>Generated token ids, without the eos token or matched stop sequence.</summary>
    public required IReadOnlyList<int> Ids { get; init; }

    /// <summary>
    /// The generated text, cut before a stop string (special tokens dropped), when
    /// <see cref="GenerationOptions.Tokenizer"/> was set; otherwise null.
    /// </summary>
    public string? Text { get; init; }

    /// <summary>Why generation ended.</summary>
    public required StopReason StopReason { get; init; }

    /// <summary>Number of prompt tokens.</summary>
    public required int PromptTokens { get; init; }

    /// <summary>Prompt tokens whose keys and values came from a kept cache (<see cref="ServingOptions.CacheSlots"/>) instead of a prefill.</summary>
    public int CachedPromptTokens { get; init; }

    /// <summary>The most requests this one was decoded together with, itself included (1 = alone; continuous batching).</summary>
    public int PeakConcurrentRequests { get; init; } = 1;

    /// <summary>
    /// The most requests whose steered rows ran in one pass with this one's, itself included (0 = its steered passes
    /// never joined another request's, or it had none).
    /// </summary>
    public int PeakSteeredBatchRequests { get; init; }

    /// <summary>Tokens the model produced, including a final eos/stop token (what was computed).</summary>
    public required int DecodedTokens { get; init; }

    /// <summary>Time to run the prompt through the model (all prompt tokens but the last).</summary>
    public required TimeSpan PrefillTime { get; init; }

    /// <summary>Time spent in decode steps.</summary>
    public required TimeSpan DecodeTime { get; init; }

    /// <summary>Decode steps whose logits <see cref="GenerationOptions.Constraint"/> masked.</summary>
    public int ConstrainedSteps { get; init; }

    /// <summary>Masked steps where the raw pass's unconstrained most likely token was not allowed (the mask changed the greedy choice).</summary>
    public int ConstraintOverrides { get; init; }

    /// <summary>Decode throughput (decoded tokens / decode time).</summary>
    public double DecodeTokensPerSecond => DecodeTime > TimeSpan.Zero ? DecodedTokens / DecodeTime.TotalSeconds : 0;

    /// <summary>Prefill throughput (prefilled tokens, those not served from the cache, / prefill time).</summary>
    public double PrefillTokensPerSecond => PrefillTime > TimeSpan.Zero ? Math.Max(0, PromptTokens - 1 - CachedPromptTokens) / PrefillTime.TotalSeconds : 0;
}
