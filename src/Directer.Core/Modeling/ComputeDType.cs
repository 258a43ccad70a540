namespace Directer.Core.Modeling;

/// <summary>The floating-point type weights and activations are computed in.</summary>
public enum ComputeDType
{
    /// <summary>32-bit float: the reference precision; weights stored in bf16/f16 are widened.</summary>
    Float32,

    /// <summary>bfloat16: half the memory traffic; fast on CPUs with AVX512_BF16 and on GPUs, slow on AVX2-only CPUs.</summary>
    BFloat16,
}
