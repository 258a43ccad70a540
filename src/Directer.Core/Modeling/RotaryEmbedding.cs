using Directer.Core.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Core.Modeling;

/// <summary>
/// Rotary position embedding tables (rotate-half convention), with the "default", "linear",
/// "llama3" and (short-factor) "longrope" frequency schemes of Hugging Face's modeling_rope_utils.
/// Frequencies and angles are computed in float32 exactly as transformers does, then cast to the
/// compute dtype. With a partial rotary factor (Phi-3 family) only the first <see cref="ModelConfig.RotaryDim"/>
/// dimensions of each head rotate.
/// </summary>
internal sealed class RotaryEmbedding : IDisposable
{
    private readonly Tensor cos;
    private readonly Tensor sin;
    private readonly Tensor signedSin;
    private readonly int rotaryDim;
    private readonly int headDim;

    public RotaryEmbedding(ModelConfig config, int capacity, ScalarType dtype, Device device)
    {
        using var scope = NewDisposeScope();
        int dim = config.RotaryDim;
        rotaryDim = dim;
        headDim = config.HeadDim;
        var invFreq = InverseFrequencies(config);
        var positions = arange(capacity, dtype: ScalarType.Int64).to_type(ScalarType.Float32);
        var freqs = outer(positions, invFreq);
        var angles = cat(new[] { freqs, freqs }, dim: -1);
        float attentionFactor = AttentionFactor(config);
        cos = (angles.cos() * attentionFactor).to(dtype, device).DetachFromDisposeScope();
        sin = (angles.sin() * attentionFactor).to(dtype, device).DetachFromDisposeScope();

        // rotate_half(x)·sin = roll(x, d/2)·[-sin₁, sin₂]: one roll instead of two narrows, a neg and a cat.
        long half = dim / 2;
        signedSin = cat(new[] { sin.narrow(1, 0, half).neg(), sin.narrow(1, half, half) }, 1).DetachFromDisposeScope();
        Capacity = capacity;
    }

    public int Capacity { get; }

    /// <summary>What cos and sin are multiplied by (transformers' attention_scaling): LongRoPE's attention factor, else 1.</summary>
    public static float AttentionFactor(ModelConfig config) => (float)(config.RopeScaling?.AttentionFactor ?? 1.0);

    /// <summary>Inverse frequencies (float32, length rotary_dim/2), scaled per config.</summary>
    public static Tensor InverseFrequencies(ModelConfig config)
    {
        int dim = config.RotaryDim;
        var exponents = arange(0, dim, 2, dtype: ScalarType.Int64).to_type(ScalarType.Float32) / dim;
        var powers = tensor((float)config.RopeTheta).pow(exponents);
        var scaling = config.RopeScaling;
        if (scaling is { Type: "longrope", ShortFactor: { } shortFactor })
        {
            // 1 / (ext_factor · θ^(2i/d)), as transformers' _compute_longrope_parameters (short factors).
            return (tensor(shortFactor.Select(f => (float)f).ToArray()) * powers).reciprocal();
        }

        var invFreq = powers.reciprocal();
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
        if (rotaryDim == headDim)
        {
            return Rotate(x, start);
        }

        // Partial rotary: rotate the leading dimensions, pass the rest through (transformers' Phi-3 apply_rotary_pos_emb).
        using var rotating = x.narrow(3, 0, rotaryDim);
        using var passing = x.narrow(3, rotaryDim, headDim - rotaryDim);
        using var rotated = Rotate(rotating, start);
        return cat(new[] { rotated, passing }, 3);
    }

    private Tensor Rotate(Tensor x, int start)
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
