using static TorchSharp.torch;

namespace Directer.Training.Modeling;

/// <summary>
/// Rotary position tables for the default ("rotate-half") RoPE of Hugging Face's Llama/Qwen2:
/// inv_freq = 1 / theta^(2i/d), angles = pos ⊗ inv_freq duplicated to full head width.
/// </summary>
internal sealed class RotaryTable : IDisposable
{
    private readonly Tensor cos;
    private readonly Tensor sin;

    public RotaryTable(int headDim, int capacity, double theta, ScalarType dtype = ScalarType.Float32)
    {
        using var scope = NewDisposeScope();
        var exponents = arange(0, headDim, 2, dtype: ScalarType.Int64).to_type(ScalarType.Float32) / headDim;
        var invFreq = tensor((float)theta).pow(exponents).reciprocal();
        var positions = arange(capacity, dtype: ScalarType.Int64).to_type(ScalarType.Float32);
        var freqs = outer(positions, invFreq);
        var angles = cat(new[] { freqs, freqs }, dim: -1);
        cos = angles.cos().to_type(dtype).DetachFromDisposeScope();
        sin = angles.sin().to_type(dtype).DetachFromDisposeScope();
        Capacity = capacity;
    }

    /// <summary>Longest sequence the table covers.</summary>
    public int Capacity { get; }

    /// <summary>Rotates <paramref name="x"/> of shape [B, heads, T, headDim] at positions 0..T-1.</summary>
    public Tensor Apply(Tensor x)
    {
        long t = x.shape[2];
        if (t > Capacity)
        {
            throw new ArgumentException($"Sequence of {t} tokens exceeds the rotary table's {Capacity} positions.");
        }

        using var scope = NewDisposeScope();
        var c = cos.narrow(0, 0, t);
        var s = sin.narrow(0, 0, t);
        long half = x.shape[3] / 2;
        var x1 = x.narrow(3, 0, half);
        var x2 = x.narrow(3, half, half);
        var rotated = cat(new[] { x2.neg(), x1 }, dim: -1);
        return ((x * c) + (rotated * s)).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        cos.Dispose();
        sin.Dispose();
    }
}
