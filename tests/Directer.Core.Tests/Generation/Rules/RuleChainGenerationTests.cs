using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Runtime;
using Directer.Core.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Core.Tests.Generation.Rules;

/// <summary>
/// The rule chain inside the generator against a naive loop: every step recomputes the whole sequence (fresh cache)
/// and applies the penalty formulas element by element in float32, then picks greedily or with the same seeded sampler.
/// </summary>
public sealed class RuleChainGenerationTests : TinyGeneratorTests
{
    private static readonly int[] Prompt = { 1, 17, 42, 5, 88, 23, 17, 42 };

    [Fact]
    public async Task GreedyWithPenaltiesEqualsTheNaiveLoop()
    {
        var options = new GenerationOptions { MaxNewTokens = 14, EosTokenIds = [], RepetitionPenalty = 1.6f, FrequencyPenalty = 0.4f, PresencePenalty = 0.3f };
        var result = await Generator.GenerateAsync(Prompt, options);
        var naive = Naive(options, sampler: null);
        Assert.Equal(naive, result.Ids);
        var plain = await Generator.GenerateAsync(Prompt, options with { RepetitionPenalty = null, FrequencyPenalty = null, PresencePenalty = null });
        Assert.NotEqual(plain.Ids, result.Ids); // the penalties changed the choice
    }

    [Theory]
    [InlineData(1.3f, 0f, 0f)]
    [InlineData(null, 0.8f, 0f)]
    [InlineData(null, 0f, -0.9f)]
    [InlineData(0.7f, -0.5f, 1.2f)]
    public async Task EachPenaltyAloneAndMixedEqualsTheNaiveLoop(float? repetition, float frequency, float presence)
    {
        var options = new GenerationOptions { MaxNewTokens = 10, EosTokenIds = [], RepetitionPenalty = repetition, FrequencyPenalty = frequency, PresencePenalty = presence };
        Assert.Equal(Naive(options, sampler: null), (await Generator.GenerateAsync(Prompt, options)).Ids);
    }

    [Fact]
    public async Task SamplingAppliesThePenaltiesBeforeTemperatureTopKAndTopP()
    {
        var options = new GenerationOptions
        {
            MaxNewTokens = 14, EosTokenIds = [], RepetitionPenalty = 1.4f, FrequencyPenalty = 0.5f, PresencePenalty = 0.2f,
            Temperature = 0.9f, TopK = 30, TopP = 0.9f, Seed = 4242,
        };
        var result = await Generator.GenerateAsync(Prompt, options);
        Assert.Equal(Naive(options, new TokenSampler(options)), result.Ids);
    }

    [Fact]
    public async Task EveryPassOfAStepIsPenalisedAlike()
    {
        var options = new GenerationOptions { MaxNewTokens = 6, EosTokenIds = [], RepetitionPenalty = 1.5f, FrequencyPenalty = 0.7f, PresencePenalty = 0.4f };
        var probe = new ProbeSelector(this, options);
        var result = await Generator.GenerateAsync(Prompt, options, probe);
        Assert.Equal(6, probe.Checked);
        Assert.Equal(Naive(options, sampler: null), result.Ids);
    }

    [Fact]
    public async Task MinNewTokensKeepsEndOfSequenceOutUntilReached()
    {
        var free = (await Generator.GenerateAsync(Prompt, new GenerationOptions { MaxNewTokens = 12, EosTokenIds = [] })).Ids;
        int eos = free[1];
        var early = await Generator.GenerateAsync(Prompt, new GenerationOptions { MaxNewTokens = 12, EosTokenIds = [eos] });
        Assert.Equal(StopReason.EndOfSequence, early.StopReason);
        Assert.Single(early.Ids);

        var options = new GenerationOptions { MaxNewTokens = 12, EosTokenIds = [eos], MinNewTokens = 4 };
        var held = await Generator.GenerateAsync(Prompt, options);
        var expected = new List<int>();
        for (int i = 0; i < 12; i++)
        {
            float[] logits = LastLogits(Prompt.Concat(expected));
            if (i < 4)
            {
                logits[eos] = float.NegativeInfinity;
            }

            int next = Array.IndexOf(logits, logits.Max());
            if (next == eos)
            {
                break;
            }

            expected.Add(next);
        }

        Assert.True(held.Ids.Count >= 4);
        Assert.DoesNotContain(eos, held.Ids.Take(4));
        Assert.Equal(expected, held.Ids);
    }

    [Fact]
    public async Task BadPenaltiesAndLengthsAreClearErrors()
    {
        foreach (var (options, name) in new (GenerationOptions, string)[]
        {
            (new() { RepetitionPenalty = 0 }, "RepetitionPenalty"),
            (new() { RepetitionPenalty = -1 }, "RepetitionPenalty"),
            (new() { RepetitionPenalty = float.PositiveInfinity }, "RepetitionPenalty"),
            (new() { FrequencyPenalty = 2.01f }, "FrequencyPenalty"),
            (new() { FrequencyPenalty = float.NaN }, "FrequencyPenalty"),
            (new() { PresencePenalty = -2.01f }, "PresencePenalty"),
            (new() { MinNewTokens = -1 }, "MinNewTokens"),
            (new() { MaxNewTokens = 3, MinNewTokens = 4 }, "MinNewTokens"),
        })
        {
            var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Generator.GenerateAsync(Prompt, options));
            Assert.Contains(name, error.Message);
        }

        // The edges are allowed.
        foreach (var options in new GenerationOptions[] { new() { FrequencyPenalty = 2, PresencePenalty = -2, RepetitionPenalty = 0.01f, MaxNewTokens = 2, MinNewTokens = 2, EosTokenIds = [] }, new() { FrequencyPenalty = -2, PresencePenalty = 2, MaxNewTokens = 2 } })
        {
            Assert.Equal(2, (await Generator.GenerateAsync(Prompt, options)).DecodedTokens);
        }

        var noTokenizer = await Assert.ThrowsAsync<ArgumentException>(() => Generator.GenerateAsync(Prompt, new GenerationOptions { StopStrings = ["x"] }));
        Assert.Contains("Tokenizer", noTokenizer.Message);
    }

    /// <summary>The naive loop: full recompute per step, penalties element by element (float32), greedy or sampled.</summary>
    private List<int> Naive(GenerationOptions options, TokenSampler? sampler)
    {
        var generated = new List<int>();
        for (int i = 0; i < options.MaxNewTokens; i++)
        {
            float[] logits = Penalise(LastLogits(Prompt.Concat(generated)), generated, options);
            if (sampler is null)
            {
                generated.Add(Array.IndexOf(logits, logits.Max()));
            }
            else
            {
                using var scope = NewDisposeScope();
                generated.Add(sampler.Sample(tensor(logits)));
            }
        }

        return generated;
    }

    private static float[] Penalise(float[] logits, IReadOnlyList<int> generated, GenerationOptions options)
    {
        float[] x = (float[])logits.Clone();
        if (options.RepetitionPenalty is float p)
        {
            foreach (int id in Prompt.Concat(generated).Distinct())
            {
                x[id] = x[id] < 0 ? x[id] * p : x[id] / p;
            }
        }

        foreach (var group in generated.GroupBy(id => id))
        {
            x[group.Key] -= (options.FrequencyPenalty ?? 0) * group.Count();
            x[group.Key] -= options.PresencePenalty ?? 0;
        }

        return x;
    }

    private float[] LastLogits(IEnumerable<int> sequence)
    {
        using var scope = NewDisposeScope();
        long[] ids = sequence.Select(i => (long)i).ToArray();
        using var cache = Model.CreateCache(ids.Length);
        var logits = Model.Forward(tensor(ids).unsqueeze(0), cache, new ForwardRequest { LastPositionOnly = false });
        return logits[0, ids.Length - 1].data<float>().ToArray();
    }

    /// <summary>Runs a writing batch and a read-only batch; every row must equal the naive penalised logits.</summary>
    private sealed class ProbeSelector(RuleChainGenerationTests owner, GenerationOptions options) : ITokenSelector
    {
        private readonly List<int> generated = new();

        public int Checked { get; private set; }

        public void Begin(IReadOnlyList<int> promptIds)
        {
            generated.Clear();
            Checked = 0;
        }

        public int Select(DecodeStep step)
        {
            float[] expected = Penalise(owner.LastLogits(Prompt.Concat(generated)), generated, options);
            using var written = step.RunBatch(3, new ForwardRequest { WriteCache = true });
            using var readOnly = step.RunBatch(2, new ForwardRequest { WriteCache = false });
            foreach (var rows in new[] { written, readOnly })
            {
                for (int r = 0; r < rows.shape[0]; r++)
                {
                    float[] actual = rows[r].data<float>().ToArray();
                    for (int i = 0; i < actual.Length; i++)
                    {
                        Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-4, $"step {step.Index}, row {r}, id {i}: {actual[i]} vs naive {expected[i]}");
                    }
                }
            }

            Checked++;
            int token = TokenSampler.ArgMax(written[0]);
            generated.Add(token);
            return token;
        }
    }
}
