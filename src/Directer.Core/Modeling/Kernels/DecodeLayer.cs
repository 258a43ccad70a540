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
    public float[]? OutputBias { get; init; }
    public float[]? GateUpBias { get; init; }
    public float[]? DownBias { get; init; }
}
