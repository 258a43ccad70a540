namespace Directer.Core.Modeling;

/// <summary>How a checkpoint is loaded and run.</summary>
public sealed record ModelOptions
{
    /// <summary>Compute dtype. Default <see cref="ComputeDType.Float32"/>.</summary>
    public ComputeDType DType { get; init; } = ComputeDType.Float32;

    /// <summary>
    /// Torch device: "cpu" (default) or "cuda"/"cuda:N" when built with <c>-p:DirecterBackend=cuda</c>
    /// (untested here: the CUDA backend package is not served on our package source).
    /// </summary>
    public string Device { get; init; } = "cpu";

    /// <summary>
    /// Longest sequence (prompt + generated tokens) the KV cache is sized for; default
    /// min(config max positions, sliding window, 4096).
    /// </summary>
    public int? MaxSequenceLength { get; init; }

    /// <summary>
    /// On CPU, run passes of up to a few dozen rows (decode steps, steering candidates, the layer
    /// ranking) on Directer's own SIMD kernels over the same weights, and TorchSharp for prefill and
    /// everything else (default). <c>false</c> runs every pass on TorchSharp. Ignored on other devices
    /// and for model features the kernels do not implement.
    /// </summary>
    public bool CpuDecodeKernels { get; init; } = true;

    /// <summary>Intra-op threads for the CPU backend; default: all logical processors.</summary>
    public int? Threads { get; init; }
}
