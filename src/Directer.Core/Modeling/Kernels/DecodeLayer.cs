namespace Directer.Core.Modeling.Kernels;

/// <summary>One decoder layer as the decode kernels see it: matrices read in place, small vectors as float32.</summary>
internal sealed class DecodeLayer
{
    public required IWeightMatrix Qkv { get; init; }
    public required IWeightMatrix Output { get; init; }
    public required IWeightMatrix GateUp { get; init; }
    public required IWeightMatrix Down { get; init; }
    public required float[] InputNorm { get; init; }
    public required float[] PostAttentionNorm { get; init; }
    public float[]? QkvBias { get; init; }

    /// <summary>Qwen3: q_norm per query head then k_norm per key head, [(heads + kv_heads) · head_dim]; null otherwise.</summary>
    public float[]? QueryKeyNorm { get; init; }
    public float[]? OutputBias { get; init; }
    public float[]? GateUpBias { get; init; }
    public float[]? DownBias { get; init; }
}
