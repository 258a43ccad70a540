using Directer.Core.Checkpoints;
using Directer.Core.Modeling;
using Directer.Core.Runtime;
using Directer.Core.Tests.Support;

namespace Directer.Core.Tests.Modeling;

/// <summary>
/// The rotary inverse frequencies of each scaling type against transformers' <c>modeling_rope_utils</c> formulas,
/// recomputed here in double precision: default 1/θ^(2i/d); linear divided by the factor; llama3 divided by the factor
/// for wavelengths above original/low, kept below original/high, blended in between. The llama3 case is chosen so
/// that its frequencies fall in all three bands (the tiny checkpoints' reference logits cover llama3 and longrope, no
/// checkpoint uses linear).
/// </summary>
public sealed class RotaryFrequencyTests
{
    public RotaryFrequencyTests() => TorchRuntime.EnsureInitialized();

    private static ModelConfig Config(RopeScaling? scaling) =>
        ModelConfig.Load(Path.Combine(GeneratedCheckpoints.PathOf("llama-gqa-f32"), "config.json")) with
        {
            HeadDim = 32,
            RotaryDim = 32,
            RopeTheta = 500000,
            RopeScaling = scaling,
        };

    private static double Default(int i) => 1 / Math.Pow(500000, 2.0 * i / 32);

    private static void AssertFrequencies(ModelConfig config, Func<int, double> expected)
    {
        using var frequencies = RotaryEmbedding.InverseFrequencies(config);
        float[] actual = frequencies.data<float>().ToArray();
        Assert.Equal(16, actual.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected(i)) <= 2e-6 * expected(i), $"frequency {i}: {actual[i]} vs {expected(i)}");
        }
    }

    [Fact]
    public void DefaultFrequenciesAreOneOverThetaToTheTwoIOverD()
    {
        AssertFrequencies(Config(null), Default);
        AssertFrequencies(Config(new RopeScaling("default", 1, null, null, null)), Default);
    }

    [Fact]
    public void LinearScalingDividesEveryFrequencyByTheFactor() =>
        AssertFrequencies(Config(new RopeScaling("linear", 4, null, null, null)), i => Default(i) / 4);

    [Fact]
    public void Llama3ScalingSlowsLongWavelengthsKeepsShortOnesAndBlendsTheBandBetween()
    {
        const double factor = 8, low = 2, high = 4, original = 80;
        var bands = new HashSet<string>();
        double Expected(int i)
        {
            double f = Default(i);
            double wavelength = 2 * Math.PI / f;
            if (wavelength > original / low)
            {
                bands.Add("long");
                return f / factor;
            }

            if (wavelength < original / high)
            {
                bands.Add("short");
                return f;
            }

            bands.Add("between");
            double smooth = ((original / wavelength) - low) / (high - low);
            return ((1 - smooth) * f / factor) + (smooth * f);
        }

        AssertFrequencies(Config(new RopeScaling("llama3", factor, low, high, (int)original)), Expected);
        Assert.Equal(["between", "long", "short"], bands.Order());
    }
}
