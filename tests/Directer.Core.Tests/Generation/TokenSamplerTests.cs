using Directer.Core.Generation;
using Directer.Core.Runtime;
using static TorchSharp.torch;

namespace Directer.Core.Tests.Generation;

/// <summary>The sampler's draw (inverse CDF over a probability vector), greedy choice and seeding.</summary>
public sealed class TokenSamplerTests
{
    public TokenSamplerTests() => TorchRuntime.EnsureInitialized();

    [Theory]
    [InlineData(0.0, 1)]            // the first token with mass, zeros skipped
    [InlineData(0.2499, 1)]
    [InlineData(0.25, 3)]           // u on a boundary belongs to the next token (u < cumulative)
    [InlineData(0.7499, 3)]
    [InlineData(0.75, 4)]
    [InlineData(0.9999999, 4)]
    [InlineData(1.0, 4)]            // past the end (rounding): the last token with mass, never a zero one
    public void DrawWithIsTheInverseCdf(double u, int expected)
    {
        using var p = tensor(new float[] { 0, 0.25f, 0, 0.5f, 0.25f, 0 });
        Assert.Equal(expected, TokenSampler.DrawWith(p, u));
    }

    [Fact]
    public void DrawWithNormalisesUnnormalisedWeights()
    {
        using var p = tensor(new float[] { 2, 0, 6 });
        Assert.Equal(0, TokenSampler.DrawWith(p, 0.2499));
        Assert.Equal(2, TokenSampler.DrawWith(p, 0.25));
        Assert.Equal(2, TokenSampler.DrawWith(p, 0.99));
    }

    [Fact]
    public void ArgMaxTakesTheFirstOfTiesAndAnyShape()
    {
        using var flat = tensor(new float[] { 1, 3, 3, -2 });
        Assert.Equal(1, TokenSampler.ArgMax(flat));
        using var batched = tensor(new float[] { 0, -1, 5, 4 }).view(1, 1, 4);
        Assert.Equal(2, TokenSampler.ArgMax(batched));
    }

    [Fact]
    public void TemperatureZeroIsGreedy()
    {
        var greedy = new TokenSampler(new GenerationOptions { Temperature = 0, Seed = 3 });
        Assert.True(greedy.IsGreedy);
        Assert.False(new TokenSampler(new GenerationOptions { Temperature = 1e-3f }).IsGreedy);
        using var logits = tensor(new float[] { 0.1f, 2, 1.9f, 2 }).view(1, 1, 4);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(1, greedy.Sample(logits));
        }
    }

    [Fact]
    public void SampledFrequenciesFollowTheDistribution()
    {
        var options = new GenerationOptions { Temperature = 1, TopK = 3, Seed = 42 };
        var sampler = new TokenSampler(options);
        using var logits = tensor(new float[] { MathF.Log(0.5f), MathF.Log(0.3f), MathF.Log(0.2f), -5 });
        using var distribution = sampler.Distribution(logits);
        float[] p = distribution.data<float>().ToArray();
        Assert.Equal(0f, p[3]);
        var counts = new int[4];
        const int draws = 4000;
        for (int i = 0; i < draws; i++)
        {
            counts[sampler.Sample(logits)]++;
        }

        Assert.Equal(0, counts[3]);
        for (int i = 0; i < 3; i++)
        {
            // 4 standard deviations of a binomial proportion at n = 4000.
            Assert.InRange(counts[i] / (double)draws, p[i] - 0.032, p[i] + 0.032);
        }
    }

    [Fact]
    public void TheSeedFixesTheSequence()
    {
        double[] Run(long? seed)
        {
            var s = new TokenSampler(new GenerationOptions { Temperature = 1, Seed = seed });
            return Enumerable.Range(0, 8).Select(_ => s.NextUniform()).ToArray();
        }

        Assert.Equal(Run(7), Run(7));
        Assert.NotEqual(Run(7), Run(8));
        Assert.NotEqual(Run(7), Run(7 + (3L << 32)));
        Assert.All(Run(123), u => Assert.InRange(u, 0, 1 - 1e-12));
        Assert.NotEqual(Run(null), Run(null));
    }
}
