using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Directer.Core.Checkpoints;
using Directer.Core.Runtime;
using Directer.Testing;
using TorchSharp;

namespace Directer.Core.Tests.Checkpoints;

public sealed class TinyCheckpointsTests : IDisposable
{
    private readonly TempFolder temp = new();

    public TinyCheckpointsTests() => TorchRuntime.EnsureInitialized();

    public void Dispose() => temp.Dispose();

    private static Dictionary<string, string> Hashes(string folder) =>
        Directory.GetFiles(folder).Order(StringComparer.Ordinal).ToDictionary(
            f => Path.GetFileName(f)!,
            f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f))));

    [Fact]
    public void SpecsHaveTheRequiredShapes()
    {
        Assert.Equal(
            ["llama-gqa-f32", "qwen2-bias-tied-bf16", "llama31-rope-scaling", "llama-sharded", "mistral-sliding", "llama-bias-f32",
             "qwen3-tied-bf16", "phi3-fused-f32", "phi3-longrope-partial", "llama32-tied"],
            TinyCheckpoints.All.Select(s => s.Name));
        Assert.Equal("F32", TinyCheckpoints.Get("llama-gqa-f32").DType);
        Assert.Equal("BF16", TinyCheckpoints.Get("qwen2-bias-tied-bf16").DType);
        Assert.Equal("F16", TinyCheckpoints.Get("llama-sharded").DType);
        Assert.Throws<ArgumentException>(() => TinyCheckpoints.Get("nope"));
    }

    [Fact]
    public void WritingTwiceGivesIdenticalBytes()
    {
        foreach (TinyCheckpointSpec spec in TinyCheckpoints.All)
        {
            string a = TinyCheckpoints.Write(spec, Path.Combine(temp.Path, "a", spec.Name));
            string b = TinyCheckpoints.Write(spec, Path.Combine(temp.Path, "b", spec.Name));
            Assert.Equal(Hashes(a), Hashes(b));
        }
    }

    [Fact]
    public void WeightBytesArePinnedSoEveryMachineWritesTheSameFiles()
    {
        // Golden fixtures computed elsewhere (e.g. HF logits) depend on these exact bytes. If a change to the
        // generator is intended, regenerate the fixtures and update these hashes together.
        var expected = new Dictionary<string, string>
        {
            ["llama-gqa-f32/model.safetensors"] = "22724a3adb27b194319087798f28dcda8a96474b4f2e3701976bdabe8631e4a0",
            ["qwen2-bias-tied-bf16/model.safetensors"] = "cf8c91e6e228e26d496335fd7bd29f91caee6596bfa4bcdaf6ef80642a1a0c76",
            ["llama31-rope-scaling/model.safetensors"] = "f268a3f3d769d54b106b30ec23c98ee20c91b21f2d379aaf75034a727a0b476d",
            ["llama-sharded/model-00001-of-00002.safetensors"] = "124049dbfe3ae88e0fb2840e2c5d496c946fc53de09ed021e0c9108ee880b081",
            ["llama-sharded/model-00002-of-00002.safetensors"] = "6afcb7b9f4d087cec18efdabdc0a7a4cc4897c79fbbc98e6e14639560b43792c",
            ["mistral-sliding/model.safetensors"] = "758d38ab6249d8251b9d7a6bd81213849f39012b58c47c93a7f33d883e6ad1f5",
            ["llama-bias-f32/model.safetensors"] = "f86f1c92c78837ddc7d19340c13dc4dadc92379bd87a46b5daa38f4e63520ed8",
            ["qwen3-tied-bf16/model.safetensors"] = "8b9c644ebd5277a6639d8c5bd4435a262145ed2b1cc00e0dd336052cf6def538",
            ["phi3-fused-f32/model.safetensors"] = "59b45a4c8b1fa4dbe71cfb563857e26455a680c463c2fb2911c22a420220a44e",
            ["phi3-longrope-partial/model.safetensors"] = "4a803231047252eb709e6bb00eb7e7b649ff12999cdc0302c6d7435c2cb987e3",
            ["llama32-tied/model.safetensors"] = "c4a110de724b57f6da69877a6f00bd9f907855ddd31610e429cc3010bc1ac462",
        };
        TinyCheckpoints.WriteAll(temp.Path);
        var actual = expected.Keys.ToDictionary(k => k, k => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(temp.Path, k)))));
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void FolderHasTheHuggingFaceLayout()
    {
        TinyCheckpoints.WriteAll(temp.Path);
        Assert.Equal(
            ["config.json", "generation_config.json", "model.safetensors"],
            Directory.GetFiles(Path.Combine(temp.Path, "llama-gqa-f32")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(
            ["config.json", "generation_config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json"],
            Directory.GetFiles(Path.Combine(temp.Path, "llama-sharded")).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(temp.Path, "qwen2-bias-tied-bf16", "config.json")))!;
        Assert.Equal("Qwen2ForCausalLM", config["architectures"]![0]!.GetValue<string>());
        Assert.Equal("qwen2", config["model_type"]!.GetValue<string>());
        Assert.Equal("bfloat16", config["torch_dtype"]!.GetValue<string>());
        Assert.Equal(1, config["bos_token_id"]!.GetValue<int>());
        Assert.Equal("[2,3]", config["eos_token_id"]!.ToJsonString());
        Assert.True(config["tie_word_embeddings"]!.GetValue<bool>());

        var generation = JsonNode.Parse(File.ReadAllText(Path.Combine(temp.Path, "llama-gqa-f32", "generation_config.json")))!;
        Assert.Equal(2, generation["eos_token_id"]!.GetValue<int>());

        using var file = SafetensorsFile.Open(Path.Combine(temp.Path, "qwen2-bias-tied-bf16", "model.safetensors"));
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal(new long[] { 64 }, file.Entries["model.layers.0.self_attn.q_proj.bias"].Shape);
        Assert.Equal(new long[] { 32 }, file.Entries["model.layers.1.self_attn.v_proj.bias"].Shape);
        Assert.False(file.Entries.ContainsKey("model.layers.0.self_attn.o_proj.bias"));
        Assert.False(file.Entries.ContainsKey("lm_head.weight"));

        using var rope = SafetensorsFile.Open(Path.Combine(temp.Path, "llama31-rope-scaling", "model.safetensors"));
        Assert.Equal(new long[] { 128, 64 }, rope.Entries["model.layers.0.self_attn.q_proj.weight"].Shape);
        Assert.Equal(new long[] { 64, 64 }, rope.Entries["model.layers.0.self_attn.k_proj.weight"].Shape);
        Assert.Equal(new long[] { 64, 128 }, rope.Entries["model.layers.0.self_attn.o_proj.weight"].Shape);
    }

    [Fact]
    public void Qwen3AndPhi3TensorsHaveTheirHuggingFaceNamesAndShapes()
    {
        TinyCheckpoints.Write(TinyCheckpoints.Qwen3TiedBf16, Path.Combine(temp.Path, "qwen3"));
        TinyCheckpoints.Write(TinyCheckpoints.Phi3LongRopePartial, Path.Combine(temp.Path, "phi3"));
        using var qwen3 = SafetensorsFile.Open(Path.Combine(temp.Path, "qwen3", "model.safetensors"));
        Assert.Equal(new long[] { 32 }, qwen3.Entries["model.layers.1.self_attn.q_norm.weight"].Shape);
        Assert.Equal(new long[] { 32 }, qwen3.Entries["model.layers.1.self_attn.k_norm.weight"].Shape);
        Assert.Equal(new long[] { 128, 64 }, qwen3.Entries["model.layers.0.self_attn.q_proj.weight"].Shape); // 4 heads x head_dim 32
        Assert.DoesNotContain(qwen3.Entries.Keys, k => k.EndsWith(".bias", StringComparison.Ordinal) || k == "lm_head.weight");

        using var phi3 = SafetensorsFile.Open(Path.Combine(temp.Path, "phi3", "model.safetensors"));
        Assert.Equal(new long[] { 64 + (2 * 32), 64 }, phi3.Entries["model.layers.0.self_attn.qkv_proj.weight"].Shape);
        Assert.Equal(new long[] { 2 * 128, 64 }, phi3.Entries["model.layers.0.mlp.gate_up_proj.weight"].Shape);
        Assert.DoesNotContain(phi3.Entries.Keys, k => k.Contains(".q_proj", StringComparison.Ordinal) || k.Contains(".gate_proj", StringComparison.Ordinal));

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(temp.Path, "phi3", "config.json")))!;
        Assert.Equal("longrope", config["rope_scaling"]!["type"]!.GetValue<string>());
        Assert.Equal(6, config["rope_scaling"]!["short_factor"]!.AsArray().Count);
        Assert.Equal(0.75, config["partial_rotary_factor"]!.GetValue<double>());
        Assert.Equal(32, config["original_max_position_embeddings"]!.GetValue<int>());
    }

    [Fact]
    public void ConfigJsonIsWrittenTheWayTransformersWritesIt()
    {
        string json = TinyCheckpoints.ConfigJson(TinyCheckpoints.LlamaGqaF32);
        Assert.StartsWith("{\n  \"architectures\": [\n    \"LlamaForCausalLM\"\n  ],\n  \"attention_bias\": false,\n", json);
        Assert.Contains("\n  \"rms_norm_eps\": 1e-05,\n", json);
        Assert.Contains("\n  \"rope_theta\": 10000.0,\n", json);
        Assert.Contains("\n  \"rope_scaling\": null,\n", json);
        Assert.EndsWith("  \"vocab_size\": 96\n}\n", json);
        Assert.Equal("1e-06", Directer.Core.PythonCompat.PythonFloat.Repr(1e-6));
        Assert.Equal("0.02", Directer.Core.PythonCompat.PythonFloat.Repr(0.02));
        Assert.Equal("500000.0", Directer.Core.PythonCompat.PythonFloat.Repr(500000));
    }

    [Fact]
    public void WeightsAreNonTrivialAndNormsAreNearOne()
    {
        string folder = TinyCheckpoints.Write(TinyCheckpoints.LlamaGqaF32, temp.Path);
        using var weights = CheckpointWeights.Open(folder);
        using var scope = torch.NewDisposeScope();
        var norm = weights.Read("model.layers.0.input_layernorm.weight", torch.ScalarType.Float32);
        Assert.InRange(norm.mean().item<float>(), 0.95f, 1.05f);
        Assert.InRange(norm.std().item<float>(), 0.05f, 0.15f);
        var embed = weights.Read(CheckpointLayout.EmbedTokens, torch.ScalarType.Float32);
        Assert.InRange(embed.std().item<float>(), 0.08f, 0.12f);
        Assert.InRange(embed.mean().item<float>(), -0.01f, 0.01f);
        var down = weights.Read("model.layers.1.mlp.down_proj.weight", torch.ScalarType.Float32);
        Assert.InRange(down.std().item<float>(), 0.04f, 0.06f);
        var otherLayer = weights.Read("model.layers.0.mlp.down_proj.weight", torch.ScalarType.Float32);
        Assert.False(down.allclose(otherLayer));
    }

    [Fact]
    public void SplitMix64MatchesTheReferenceSequence()
    {
        // Reference values of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
        var random = new DeterministicRandom(0);
        Assert.Equal(0xE220A8397B1DCDAFUL, random.NextUInt64());
        Assert.Equal(0x6E789E6AA1B965F4UL, random.NextUInt64());
        Assert.Equal(0x06C45D188009454FUL, random.NextUInt64());
    }

    [Fact]
    public void RewritingAShardedSpecAsSingleRemovesStaleShards()
    {
        string folder = Path.Combine(temp.Path, "x");
        TinyCheckpoints.Write(TinyCheckpoints.LlamaSharded, folder);
        TinyCheckpoints.Write(TinyCheckpoints.LlamaGqaF32, folder);
        Assert.Equal(
            ["config.json", "generation_config.json", "model.safetensors"],
            Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
