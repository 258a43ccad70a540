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
    private readonly Tensor signedSin;

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

        // rotate_half(x)·sin = roll(x, d/2)·[-sin₁, sin₂]: one roll instead of two narrows, a neg and a cat.
        long half = dim / 2;
        signedSin = cat(new[] { sin.narrow(1, 0, half).neg(), sin.narrow(1, half, half) }, 1).DetachFromDisposeScope();
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
        using var s = signedSin.narrow(0, start, n);
        using var rolled = x.roll(x.shape[3] / 2, 3);
        using var a = x * c;
        using var b = rolled * s;
        return a + b;
    }

    public void Dispose()
    {
        cos.Dispose();
        sin.Dispose();
        signedSin.Dispose();
    }
}
