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

    /// <summary>
    /// Quantise every weight matrix at load to per-block scaled int8 (32 weights share one float32
    /// scale, like llama.cpp's Q8_0), from float32, bfloat16 or float16 checkpoints; activations stay
    /// float32 between operations and are quantised per block to int16 inside each matrix product (exact
    /// integer block products; their rounding is far below the weights'). About 3.6× less weight memory and traffic than float32, with a small error (see
    /// bench/RESULTS.md). CPU with the decode kernels only (every pass runs on them; <see cref="DType"/>
    /// must be Float32); sizes must be multiples of 32.
    /// </summary>
    public bool Int8Weights { get; init; }

    /// <summary>Intra-op threads for the CPU backend; default: all logical processors.</summary>
    public int? Threads { get; init; }

    /// <summary>
    /// Check every weight for NaN and ±∞ while loading (default false) and refuse the checkpoint with a
    /// <see cref="Checkpoints.CheckpointException"/> naming the first bad tensor. Off by default because it reads every
    /// value once more (3.3 M values on the built-in 13 MB float32 demo model). Measured there, 12 alternating in-process
    /// loads each on one thread of a shared 2-core machine: median 127 ms without the check, 188 ms with it (fastest
    /// 104 ms and 85 ms): the cost is below that machine's noise, at most about 60 ms; it grows linearly with the weights. Without it, broken weights surface at the first decode step as a
    /// <see cref="Generation.NonFiniteLogitsException"/>.
    /// </summary>
    public bool CheckWeights { get; init; }
}
