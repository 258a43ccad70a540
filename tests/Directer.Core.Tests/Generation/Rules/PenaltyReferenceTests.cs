using System.Text.Json;
using Directer.Core.Generation;
using Directer.Core.Generation.Rules;
using Directer.Core.Modeling;
using Directer.Core.Runtime;
using Directer.Core.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Core.Tests.Generation.Rules;

/// <summary>
/// The penalty rules and the sampler against reference/logits_processors_reference.py, which re-implements
/// transformers' <c>RepetitionPenaltyLogitsProcessor</c> and temperature/top-k/top-p warpers and vLLM's
/// frequency/presence penalties in plain torch: same logits and id histories in, same processed logits and
/// sampling distribution out (1e-6), penalties applied before temperature as in transformers' processor list.
/// </summary>
public sealed class PenaltyReferenceTests : IDisposable
{
    private static readonly JsonElement Cases = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "logits", "penalties.json"))).RootElement.GetProperty("cases");
    private readonly LlamaModel model;
    private readonly KvCache cache;

    public PenaltyReferenceTests()
    {
        TorchRuntime.EnsureInitialized();
        model = LlamaModel.Load(GeneratedCheckpoints.PathOf("llama-gqa-f32"), new ModelOptions { MaxSequenceLength = 64 });
        cache = model.CreateCache(8);
    }

    public void Dispose()
    {
        cache.Dispose();
        model.Dispose();
    }

    public static TheoryData<string> Names()
    {
        var names = new TheoryData<string>();
        foreach (var c in Cases.EnumerateArray())
        {
            names.Add(c.GetProperty("name").GetString()!);
        }

        return names;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void PenaltiesThenTemperatureTopKTopPEqualTheReference(string name)
    {
        var c = Cases.EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        float[][] logits = Matrix(c.GetProperty("logits"));
        float[][] expected = Matrix(c.GetProperty("processed"));
        int vocab = logits[0].Length;
        var options = new GenerationOptions
        {
            MaxNewTokens = 100,
            RepetitionPenalty = Float(c, "repetition_penalty"),
            FrequencyPenalty = Float(c, "frequency_penalty"),
            PresencePenalty = Float(c, "presence_penalty"),
            Temperature = Float(c, "temperature") ?? 0,
            TopK = c.GetProperty("top_k").ValueKind == JsonValueKind.Null ? null : c.GetProperty("top_k").GetInt32(),
            TopP = Float(c, "top_p"),
        };
        options.Validate();
        int[] prompt = Ints(c.GetProperty("prompt"));
        int[] generated = Ints(c.GetProperty("generated"));
        var chain = TokenRuleChain.For(options, new HashSet<int>(), vocab, constraint: null, new StopRule(options, null, null));
        chain.Begin(prompt);
        foreach (int id in generated)
        {
            Assert.Null(chain.Accept(id));
        }

        using var scope = NewDisposeScope();
        var step = new DecodeStep(model, cache, new TokenSampler(options), prompt, chain) { Index = generated.Length };
        chain.Prepare(step);

        // A batch of rows (every pass of a step alike) and a single row both give the reference values.
        var batch = chain.Apply(tensor(logits.SelectMany(r => r).ToArray(), new long[] { logits.Length, vocab }), raw: false);
        for (int r = 0; r < logits.Length; r++)
        {
            AssertClose(expected[r], batch[r].data<float>().ToArray(), $"{name} row {r} (batch)");
            var single = chain.Apply(tensor(logits[r]), raw: true);
            AssertClose(expected[r], single.data<float>().ToArray(), $"{name} row {r} (single)");
            if (c.GetProperty("probabilities").ValueKind != JsonValueKind.Null)
            {
                float[] probabilities = Matrix(c.GetProperty("probabilities"))[r];
                AssertClose(probabilities, step.Sampler.Distribution(single).data<float>().ToArray(), $"{name} row {r} (distribution)");
            }
        }

        // The input must differ from the output somewhere, or the case proves nothing.
        Assert.Contains(Enumerable.Range(0, vocab), i => expected[0][i] != logits[0][i]);
    }

    [Fact]
    public void SettingsOffLeaveNoPenaltyRuleInTheChain()
    {
        foreach (var options in new[] { new GenerationOptions(), new GenerationOptions { RepetitionPenalty = 1, FrequencyPenalty = 0, PresencePenalty = 0 } })
        {
            var chain = TokenRuleChain.For(options, new HashSet<int>(), 16, null, new StopRule(options, null, null));
            chain.Begin([1, 2, 3]);
            chain.Accept(2);
            using var scope = NewDisposeScope();
            var step = new DecodeStep(model, cache, new TokenSampler(options), [1, 2, 3], chain) { Index = 1 };
            chain.Prepare(step);
            var logits = arange(16, ScalarType.Float32) - 8;
            Assert.Same(logits, chain.Apply(logits, raw: true)); // no rule was active: not even a copy
        }
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6, $"{what}, id {i}: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }

    private static float? Float(JsonElement c, string key) => c.GetProperty(key).ValueKind == JsonValueKind.Null ? null : (float)c.GetProperty(key).GetDouble();

    private static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();

    private static float[][] Matrix(JsonElement rows) => rows.EnumerateArray().Select(r => r.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray()).ToArray();
}
