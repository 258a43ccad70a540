using System.Text.Json.Nodes;
using Directer.Core.Checkpoints;
using Directer.Training.Checkpoint;
using Directer.Training.Data;
using Directer.Training.Tokenization;
using Directer.Training.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Training.Tests;

public sealed class TrainerTests : IDisposable
{
    private static readonly Lazy<BpeVocabulary> Vocab = new(() =>
    {
        var g = new ConversationGenerator(5);
        return BpeTrainer.Train(Enumerable.Range(0, 200).Select(i => ChatMlRenderer.Render(g.Generate(i).Messages, g.Generate(i).Tools).Text), 512);
    });

    private readonly string dir = Path.Combine(Path.GetTempPath(), "directer-train-" + Guid.NewGuid().ToString("N"));

    public TrainerTests()
    {
        Directer.Core.Runtime.TorchRuntime.EnsureInitialized();
    }

    public void Dispose()
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static TrainOptions Tiny(long steps) => new()
    {
        Size = "tiny",
        Steps = steps,
        BatchSize = 4,
        MaxLength = 512,
        PeakLearningRate = 3e-3,
        WarmupSteps = 3,
        LogEvery = 1000,
        SaveEvery = 0,
        EvalPerGroup = 0,
        Seed = 17,
    };

    [Fact]
    public void LossDecreasesOnATinyConfiguration()
    {
        var trainer = new Trainer(Tiny(40), TextWriter.Null);
        var result = trainer.Run(null, Vocab.Value);
        using var model = trainer.Model!;
        double first = result.Losses.Take(5).Average();
        double last = result.Losses.TakeLast(5).Average();
        Assert.Equal(40, result.Losses.Count);
        Assert.True(last < first - 1.0, $"loss should fall by more than 1 nat: first {first:F3}, last {last:F3}");
    }

    [Fact]
    public void SameSeedReproducesTheSameLossesAndWeights()
    {
        static (IReadOnlyList<double> Losses, float[] Weights) RunOnce()
        {
            var trainer = new Trainer(Tiny(6), TextWriter.Null);
            var result = trainer.Run(null, Vocab.Value);
            using var model = trainer.Model!;
            var w = model.NamedWeights().First(p => p.Name.EndsWith("q_proj.weight", StringComparison.Ordinal)).Parameter;
            return (result.Losses, w.detach().data<float>().ToArray());
        }

        var a = RunOnce();
        var b = RunOnce();
        Assert.Equal(a.Losses, b.Losses);
        Assert.Equal(a.Weights, b.Weights);
    }

    [Fact]
    public void WarmStartContinuesFromTheSavedWeightsAndTokenizer()
    {
        var first = new Trainer(Tiny(4), TextWriter.Null);
        first.Run(dir, Vocab.Value);
        using var saved = first.Model!;

        // Zero learning rate: the copy stage must start exactly where the checkpoint left off.
        var second = new Trainer(Tiny(1) with { InitFrom = dir, PeakLearningRate = 0, NovelShare = 0.7, Seed = 99 }, TextWriter.Null);
        second.Run(null);
        using var continued = second.Model!;
        Assert.Equal(Vocab.Value.Count, second.Vocabulary!.Count);
        using (no_grad())
        {
            using var ids = tensor(new long[] { 508, 100, 200, 300, 509 }, new long[] { 1, 5 });
            using var a = saved.Logits(ids);
            using var b = continued.Logits(ids);
            Assert.True(a.allclose(b, rtol: 0, atol: 1e-6), "a warm start with lr 0 must keep the saved weights");
        }
    }

    [Fact]
    public void CheckpointHasHuggingFaceLayoutAndReloads()
    {
        var trainer = new Trainer(Tiny(2), TextWriter.Null);
        trainer.Run(dir, Vocab.Value);
        using var model = trainer.Model!;
        foreach (string file in new[] { "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "generation_config.json" })
        {
            Assert.True(File.Exists(Path.Combine(dir, file)), $"{file} missing");
        }

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
        Assert.Equal("qwen2", config["model_type"]!.GetValue<string>());
        Assert.Equal("Qwen2ForCausalLM", config["architectures"]![0]!.GetValue<string>());
        Assert.True(config["tie_word_embeddings"]!.GetValue<bool>());
        Assert.Equal(512, config["vocab_size"]!.GetValue<int>());
        Assert.Equal(509, config["eos_token_id"]!.GetValue<int>());

        byte[] bytes = File.ReadAllBytes(Path.Combine(dir, "model.safetensors"));
        Assert.Equal(0UL, BitConverter.ToUInt64(bytes, 0) % 8);

        var weights = SafetensorsFile.ReadAll(Path.Combine(dir, "model.safetensors"), ScalarType.Float32);
        try
        {
            var expectedNames = new List<string> { "model.embed_tokens.weight", "model.norm.weight" };
            for (int i = 0; i < 2; i++)
            {
                foreach (string p in new[] { "q_proj", "k_proj", "v_proj" })
                {
                    expectedNames.Add($"model.layers.{i}.self_attn.{p}.weight");
                    expectedNames.Add($"model.layers.{i}.self_attn.{p}.bias");
                }

                expectedNames.Add($"model.layers.{i}.self_attn.o_proj.weight");
                expectedNames.Add($"model.layers.{i}.mlp.gate_proj.weight");
                expectedNames.Add($"model.layers.{i}.mlp.up_proj.weight");
                expectedNames.Add($"model.layers.{i}.mlp.down_proj.weight");
                expectedNames.Add($"model.layers.{i}.input_layernorm.weight");
                expectedNames.Add($"model.layers.{i}.post_attention_layernorm.weight");
            }

            Assert.Equal(expectedNames.OrderBy(n => n, StringComparer.Ordinal), weights.Keys.OrderBy(n => n, StringComparer.Ordinal));
            Assert.Equal(new long[] { 512, 64 }, weights["model.embed_tokens.weight"].shape);
            Assert.Equal(new long[] { 32, 64 }, weights["model.layers.0.self_attn.k_proj.weight"].shape);

            var reloaded = Directer.Training.Commands.LogitsCommand.Load(dir, model.Compute);
            using (reloaded)
            using (no_grad())
            {
                using var ids = tensor(new long[] { 508, 100, 200, 300, 509 }, new long[] { 1, 5 });
                using var a = model.Logits(ids);
                using var b = reloaded.Logits(ids);
                Assert.True(a.allclose(b, rtol: 0, atol: 1e-6), "reloaded checkpoint must give the same logits");
            }
        }
        finally
        {
            foreach (var t in weights.Values)
            {
                t.Dispose();
            }
        }
    }

    [Fact]
    public void ExamplesTrainOnlyAssistantTokens()
    {
        var c = new ConversationGenerator(21).GenerateToolUse(0);
        var example = TrainingExample.From(c, Vocab.Value, 1024);
        string trained = Vocab.Value.Decode(example.Ids.Where((_, i) => example.Trainable[i]));
        string expected = "<tool_call>\n" + c.Call!.ToTemplateJson() + "\n</tool_call><|im_end|>" + c.Messages[^1].Content + "<|im_end|>";
        Assert.Equal(expected, trained);
    }
}
