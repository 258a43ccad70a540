using Directer.Core.Tokenization;

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

    /// <summary>
    /// Fewest tokens to generate before an end-of-sequence token may be chosen (its logit is −∞ until then, as
    /// transformers' <c>min_new_tokens</c>). Default 0; at most <see cref="MaxNewTokens"/>.
    /// </summary>
    public int MinNewTokens { get; init; }

    /// <summary>
    /// Repetition penalty over the prompt and the generated tokens, as transformers' <c>repetition_penalty</c>: a seen
    /// token's logit is multiplied by it when negative and divided by it otherwise. Must be &gt; 0; null or 1 = off.
    /// </summary>
    public float? RepetitionPenalty { get; init; }

    /// <summary>
    /// Frequency penalty over the generated tokens, as OpenAI's <c>frequency_penalty</c>: a token's logit is lowered by
    /// this times the number of times it was generated. In [−2, 2]; null or 0 = off.
    /// </summary>
    public float? FrequencyPenalty { get; init; }

    /// <summary>
    /// Presence penalty over the generated tokens, as OpenAI's <c>presence_penalty</c>: a token's logit is lowered by
    /// this once it was generated at least once. In [−2, 2]; null or 0 = off.
    /// </summary>
    public float? PresencePenalty { get; init; }

    /// <summary>Token ids that end generation (excluded from the output). Null = the model's eos ids.</summary>
    public IReadOnlyList<int>? EosTokenIds { get; init; }

    /// <summary>Token id sequences that end generation when produced (excluded from the output).</summary>
    public IReadOnlyList<IReadOnlyList<int>> StopSequences { get; init; } = [];

    /// <summary>
    /// Strings that end generation when they appear in the decoded text, also across tokens (needs
    /// <see cref="Tokenizer"/>); <see cref="GenerationResult.Text"/> is cut before the first one.
    /// </summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];

    /// <summary>
    /// Decodes the generated ids into text as they are released (<see cref="GenerationResult.Text"/> and the text
    /// stream) and matches <see cref="StopStrings"/> on it; null = ids only.
    /// </summary>
    public TextTokenizer? Tokenizer { get; init; }

    /// <summary>
    /// Restricts which tokens may be chosen (for example <see cref="Constraints.ToolCallConstraint"/>); null = none.
    /// Stateful: one generation at a time.
    /// </summary>
    public ITokenConstraint? Constraint { get; init; }

    /// <summary>Checks every setting; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public void Validate()
    {
        if (MaxNewTokens < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxNewTokens), MaxNewTokens, "MaxNewTokens must be at least 1.");
        }

        if (!(Temperature >= 0) || float.IsInfinity(Temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "Temperature must be a finite number >= 0 (0 = greedy).");
        }

        if (TopP is float p && !(p > 0 && p <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(TopP), p, "TopP must be in (0, 1].");
        }

        if (TopK is int k && k < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(TopK), k, "TopK must be at least 1.");
        }

        if (MinNewTokens < 0 || MinNewTokens > MaxNewTokens)
        {
            throw new ArgumentOutOfRangeException(nameof(MinNewTokens), MinNewTokens, $"MinNewTokens must be in [0, MaxNewTokens = {MaxNewTokens}].");
        }

        if (RepetitionPenalty is float r && (!(r > 0) || float.IsInfinity(r)))
        {
            throw new ArgumentOutOfRangeException(nameof(RepetitionPenalty), r, "RepetitionPenalty must be a finite number > 0 (1 = off).");
        }

        if (FrequencyPenalty is float f && !(f >= -2 && f <= 2))
        {
            throw new ArgumentOutOfRangeException(nameof(FrequencyPenalty), f, "FrequencyPenalty must be in [-2, 2] (0 = off).");
        }

        if (PresencePenalty is float pp && !(pp >= -2 && pp <= 2))
        {
            throw new ArgumentOutOfRangeException(nameof(PresencePenalty), pp, "PresencePenalty must be in [-2, 2] (0 = off).");
        }

        if (StopStrings.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("A stop string must be non-empty.", nameof(StopStrings));
        }

        if (StopStrings.Count > 0 && Tokenizer is null)
        {
            throw new ArgumentException("Stop strings are matched on the decoded text: set GenerationOptions.Tokenizer too.", nameof(StopStrings));
        }

        if (StopSequences.Any(s => s.Count == 0))
        {
            throw new ArgumentException("A stop sequence must hold at least one token id.", nameof(StopSequences));
        }
    }
}
