namespace Directer.Core.Checkpoints;

/// <summary>
/// The RoPE scaling of a checkpoint (config.json <c>rope_scaling</c>, or <c>rope_parameters</c> in newer
/// transformers). Only scaling types that change the frequencies appear here; <c>"default"</c> means none.
/// </summary>
/// <param name="Type"><c>"linear"</c>, <c>"llama3"</c> or <c>"longrope"</c>.</param>
/// <param name="Factor">
/// The scaling factor (positions are divided by it for linear; long wavelengths for llama3; for longrope
/// <c>max_position_embeddings / original_max_position_embeddings</c>, as transformers derives it for Phi-3).
/// </param>
/// <param name="LowFreqFactor">llama3: <c>low_freq_factor</c>; null otherwise.</param>
/// <param name="HighFreqFactor">llama3: <c>high_freq_factor</c>; null otherwise.</param>
/// <param name="OriginalMaxPositionEmbeddings">llama3 and longrope: <c>original_max_position_embeddings</c>; null for linear.</param>
public sealed record RopeScaling(string Type, double Factor, double? LowFreqFactor, double? HighFreqFactor, int? OriginalMaxPositionEmbeddings)
{
    /// <summary>The rope types Directer implements, as listed in error messages.</summary>
    public const string SupportedTypes = "default, linear, llama3; longrope for Phi3ForCausalLM up to original_max_position_embeddings";

    /// <summary>
    /// longrope: <c>short_factor</c>, one divisor per rotary frequency. transformers uses it while the sequence is at most
    /// <see cref="OriginalMaxPositionEmbeddings"/> long, which is the only range Directer runs a longrope model in.
    /// </summary>
    public IReadOnlyList<double>? ShortFactor { get; init; }

    /// <summary>
    /// longrope: the factor cos and sin are multiplied by (<c>attention_factor</c>, or
    /// <c>sqrt(1 + ln(Factor) / ln(original_max_position_embeddings))</c> when absent and Factor &gt; 1); 1 otherwise.
    /// </summary>
    public double AttentionFactor { get; init; } = 1.0;
}
