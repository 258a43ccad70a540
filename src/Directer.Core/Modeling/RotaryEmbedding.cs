using Directer.Core.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Core.Modeling;

/// <summary>
/// Rotary position embedding tables (rotate-half convention), with the "default", "linear" and
/// "llama3" frequency schemes of Hugging Face's modeling_rope_utils. Frequencies and angles are
/// computed in float32 exactly as transformers does, then cast to the compute dtype.
/// </summary>
internal sealed class RotaryEmbedding : IDisposable
{
    private readonly Tensor cos;
    private readonly Tensor sin;

    public RotaryEmbedding(ModelConfig config, int capacity, ScalarType dtype, Device device)
    {
        using var scope = NewDisposeScope();
        int dim = config.HeadDim;
        var invFreq = InverseFrequencies(config);
        var positions = arange(capacity, dtype: ScalarType.Int64).to_type(ScalarType.Float32);
        var freqs = outer(positions, invFreq);
        var angles = cat(new[] { freqs, freqs }, dim: -1);
        cos = angles.cos().to(dtype, device).DetachFromDisposeScope();
        sin = angles.sin().to(dtype, device).DetachFromDisposeScope();
        Capacity = capacity;
        _ = dim;
    }

    public int Capacity { get; }

    /// <summary>Inverse frequencies (float32, length head_dim/2), scaled per config.</summary>
    public static Tensor InverseFrequencies(ModelConfig config)
    {
        int dim = config.HeadDim;
        var exponents = arange(0, dim, 2, dtype: ScalarType.Int64).to_type(ScalarType.Float32) / dim;
        var invFreq = tensor((float)config.RopeTheta).pow(exponents).reciprocal();
        var scaling = config.RopeScaling;
        if (scaling is null || scaling.Type == "default")
        {
            return invFreq;
        }

        if (scaling.Type == "linear")
        {
            return invFreq / (float)scaling.Factor;
        }

        // llama3: long wavelengths are slowed by `factor`, short ones kept, the band between blended.
        double factor = scaling.Factor;
        double low = scaling.LowFreqFactor!.Value;
        double high = scaling.HighFreqFactor!.Value;
        double oldContext = scaling.OriginalMaxPositionEmbeddings!.Value;
        double lowFreqWavelen = oldContext / low;
        double highFreqWavelen = oldContext / high;
        var wavelen = (2 * Math.PI) / invFreq;
        var scaled = where(wavelen > lowFreqWavelen, invFreq / factor, invFreq);
        var smooth = ((oldContext / wavelen) - low) / (high - low);
        var smoothed = ((1 - smooth) * scaled / factor) + (smooth * scaled);
        var isMedium = (wavelen < highFreqWavelen).logical_not().logical_and((wavelen > lowFreqWavelen).logical_not());
        return where(isMedium, smoothed, scaled);
    }

    /// <summary>Applies the rotation to <paramref name="x"/> of shape [B, heads, n, d] at positions start..start+n.</summary>
    public Tensor Apply(Tensor x, int start)
    {
        long n = x.shape[2];
        using var c = cos.narrow(0, start, n);
        using var s = sin.narrow(0, start, n);
        long half = x.shape[3] / 2;
        using var x1 = x.narrow(3, 0, half);
        using var x2 = x.narrow(3, half, half);
        using var negX2 = x2.neg();
        using var rotated = cat(new[] { negX2, x1 }, dim: -1);
        using var a = x * c;
        using var b = rotated * s;
        return a + b;
    }

    public void Dispose()
    {
        cos.Dispose();
        sin.Dispose();
    }
}
