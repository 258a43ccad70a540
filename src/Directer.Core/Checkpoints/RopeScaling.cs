namespace Directer.Core.Checkpoints;

/// <summary>
/// The RoPE scaling of a checkpoint (config.json <c>rope_scaling</c>, or <c>rope_parameters</c> in newer
/// transformers). Only scaling types that change the frequencies appear here; <c>"default"</c> means none.
/// </summary>
/// <param name="Type"><c>"linear"</c> or <c>"llama3"</c>.</param>
/// <param name="Factor">The scaling factor (positions are divided by it for linear; long wavelengths for llama3).</param>
/// <param name="LowFreqFactor">llama3: <c>low_freq_factor</c>; null for linear.</param>
/// <param name="HighFreqFactor">llama3: <c>high_freq_factor</c>; null for linear.</param>
/// <param name="OriginalMaxPositionEmbeddings">llama3: <c>original_max_position_embeddings</c>; null for linear.</param>
public sealed record RopeScaling(string Type, double Factor, double? LowFreqFactor, double? HighFreqFactor, int? OriginalMaxPositionEmbeddings)
{
    /// <summary>The rope types Directer implements, as listed in error messages.</summary>
    public const string SupportedTypes = "default, linear, llama3";
}
