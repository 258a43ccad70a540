using System.Text.Json.Nodes;
using Directer.Core.Checkpoints;
using Directer.Core.Runtime;
using Directer.Testing;
using TorchSharp;

namespace Directer.Core.Tests.Checkpoints;

public sealed class CheckpointWeightsTests : IDisposable
{
    private readonly TempFolder temp = new();

    public CheckpointWeightsTests() => TorchRuntime.EnsureInitialized();

    public void Dispose() => temp.Dispose();

    private string WriteTiny(TinyCheckpointSpec spec) => TinyCheckpoints.Write(spec, Path.Combine(temp.Path, spec.Name));

    public static TheoryData<string> SpecNames() => new(TinyCheckpoints.All.Select(s => s.Name));

    [Theory]
    [MemberData(nameof(SpecNames))]
    public void EveryTinyCheckpointOpensAndMatchesItsConfig(string name)
    {
        TinyCheckpointSpec spec = TinyCheckpoints.Get(name);
        string folder = WriteTiny(spec);
        ModelConfig config = ModelConfig.Load(Path.Combine(folder, "config.json"));
        using var weights = CheckpointWeights.Open(folder);
        weights.Validate(config);

        IReadOnlyList<ExpectedTensor> layout = CheckpointLayout.For(config);
        Assert.Equal(layout.Select(t => t.Name).Order(StringComparer.Ordinal), weights.Names);
        Assert.Equal(spec.Shards, weights.Files.Count);
        foreach (ExpectedTensor expected in layout)
        {
            Assert.Equal(spec.DType, weights.DTypeOf(expected.Name));
            using var tensor = weights.Read(expected.Name, torch.ScalarType.Float32, expected.Shape);
            Assert.Equal(expected.Shape, tensor.shape);
        }

        Assert.Equal(!spec.TieWordEmbeddings, weights.Contains(CheckpointLayout.LmHead));
    }

    [Fact]
    public void ShardedCheckpointReadsEachTensorFromItsShard()
    {
        string folder = WriteTiny(TinyCheckpoints.LlamaSharded);
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, CheckpointWeights.IndexFileName)))!;
        using var weights = CheckpointWeights.Open(folder + Path.DirectorySeparatorChar);
        Assert.Equal(folder, weights.Directory);
        Assert.Equal(2, weights.Files.Count);
        Assert.Equal(
            [Path.Combine(folder, "model-00001-of-00002.safetensors"), Path.Combine(folder, "model-00002-of-00002.safetensors")],
            weights.Files.Select(f => f.FilePath).Order(StringComparer.Ordinal));

        var byShard = index["weight_map"]!.AsObject().GroupBy(p => p.Value!.GetValue<string>()).ToList();
        Assert.Equal(2, byShard.Count);
        foreach (var shard in byShard)
        {
            Assert.NotEmpty(shard);
        }

        long total = weights.Names.Sum(n => weights.ShapeOf(n).Aggregate(2L, (a, b) => a * b));
        Assert.Equal(total, index["metadata"]!["total_size"]!.GetValue<long>());

        // Values equal the generator's, rounded to F16, for tensors of both shards.
        foreach (string name in new[] { CheckpointLayout.EmbedTokens, CheckpointLayout.LmHead })
        {
            long[] shape = weights.ShapeOf(name);
            using var read = weights.Read(name, torch.ScalarType.Float16);
            using var expected = torch.tensor(TinyCheckpoints.Values(TinyCheckpoints.LlamaSharded, name, shape[0] * shape[1]), shape).to(torch.ScalarType.Float16);
            Assert.Equal(expected.bytes.ToArray(), read.bytes.ToArray());
        }
    }

    [Fact]
    public void MissingShardIsNamed()
    {
        string folder = WriteTiny(TinyCheckpoints.LlamaSharded);
        string shard = Path.Combine(folder, "model-00002-of-00002.safetensors");
        File.Delete(shard);
        var error = Assert.Throws<CheckpointException>(() => CheckpointWeights.Open(folder));
        Assert.Equal(shard, error.FilePath);
        Assert.Contains("Shard 'model-00002-of-00002.safetensors'", error.Message);
        Assert.Contains(CheckpointWeights.IndexFileName, error.Message);
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public void TensorListedInIndexButAbsentFromItsShard()
    {
        string folder = WriteTiny(TinyCheckpoints.LlamaSharded);
        string indexPath = Path.Combine(folder, CheckpointWeights.IndexFileName);
        var index = JsonNode.Parse(File.ReadAllText(indexPath))!;
        index["weight_map"]!["model.layers.9.mlp.up_proj.weight"] = "model-00001-of-00002.safetensors";
        File.WriteAllText(indexPath, index.ToJsonString());
        var error = Assert.Throws<CheckpointException>(() => CheckpointWeights.Open(folder));
        Assert.Equal("model.layers.9.mlp.up_proj.weight", error.TensorName);
        Assert.Contains("'model.layers.9.mlp.up_proj.weight' is listed in", error.Message);
        Assert.Contains("model-00001-of-00002.safetensors", error.Message);
    }

    [Fact]
    public void IndexWithoutWeightMap()
    {
        string folder = WriteTiny(TinyCheckpoints.LlamaSharded);
        string indexPath = Path.Combine(folder, CheckpointWeights.IndexFileName);
        File.WriteAllText(indexPath, "{\"metadata\": {}}");
        var error = Assert.Throws<CheckpointException>(() => CheckpointWeights.Open(folder));
        Assert.Contains("no 'weight_map' object", error.Message);
        Assert.Contains(indexPath, error.Message);
    }

    [Fact]
    public void ShardOutsideTheFolderIsRefused()
    {
        string folder = WriteTiny(TinyCheckpoints.LlamaSharded);
        string indexPath = Path.Combine(folder, CheckpointWeights.IndexFileName);
        File.WriteAllText(indexPath, "{\"weight_map\": {\"w\": \"../elsewhere.safetensors\"}}");
        Assert.Contains("outside the checkpoint folder", Assert.Throws<CheckpointException>(() => CheckpointWeights.Open(folder)).Message);
    }

    [Fact]
    public void MissingTensorNamesTensorAndFolder()
    {
        string folder = WriteTiny(TinyCheckpoints.Qwen2BiasTiedBf16);
        using var weights = CheckpointWeights.Open(folder);
        var error = Assert.Throws<CheckpointException>(() => weights.Read(CheckpointLayout.LmHead, torch.ScalarType.Float32));
        Assert.Equal(CheckpointLayout.LmHead, error.TensorName);
        Assert.Equal($"Tensor 'lm_head.weight' is not in checkpoint '{folder}'.", error.Message);
        Assert.Throws<CheckpointException>(() => weights.ShapeOf("nope"));
    }

    [Fact]
    public void ShapeDisagreeingWithConfigNamesTensorExpectedAndActual()
    {
        string folder = WriteTiny(TinyCheckpoints.LlamaGqaF32);
        using var weights = CheckpointWeights.Open(folder);
        const string name = "model.layers.1.self_attn.k_proj.weight";
        var error = Assert.Throws<CheckpointException>(() => weights.Read(name, torch.ScalarType.Float32, 64, 64));
        Assert.Equal(name, error.TensorName);
        Assert.Contains($"Tensor '{name}'", error.Message);
        Assert.Contains("has shape [32, 64], but config.json implies [64, 64]", error.Message);
        Assert.Contains(folder, error.Message);
    }

    [Fact]
    public void ValidateReportsEveryMismatchAgainstConfig()
    {
        string folder = WriteTiny(TinyCheckpoints.LlamaGqaF32);
        var json = JsonNode.Parse(TinyCheckpoints.ConfigJson(TinyCheckpoints.LlamaGqaF32))!.AsObject();
        json["num_key_value_heads"] = 4;
        json["num_hidden_layers"] = 3;
        ModelConfig wrong = ModelConfig.Parse(json.ToJsonString(), "wrong/config.json");
        using var weights = CheckpointWeights.Open(folder);
        var error = Assert.Throws<CheckpointException>(() => weights.Validate(wrong));
        Assert.Contains("'model.layers.0.self_attn.k_proj.weight' has shape [32, 64], config.json implies [64, 64]", error.Message);
        Assert.Contains("'model.layers.2.input_layernorm.weight' is missing", error.Message);
        Assert.Contains("wrong/config.json", error.Message);
        Assert.Contains("more", error.Message);
    }

    [Theory]
    [InlineData("pytorch_model.bin")]
    [InlineData("consolidated.00.pth")]
    [InlineData("model.pt")]
    [InlineData("pytorch_model.bin.index.json")]
    public void PickleOnlyFolderIsRefusedWithoutUnpickling(string fileName)
    {
        File.WriteAllText(temp.File("config.json"), TinyCheckpoints.ConfigJson(TinyCheckpoints.LlamaGqaF32));
        string pickle = temp.File(fileName);
        // Not a valid pickle either: any attempt to parse it would fail differently.
        File.WriteAllBytes(pickle, [0x80, 0x02, 0x63, 0x6f, 0x73, 0x0a]);
        var error = Assert.Throws<CheckpointException>(() => CheckpointWeights.Open(temp.Path));
        Assert.Equal(pickle, error.FilePath);
        Assert.Contains($"'{fileName}'", error.Message);
        Assert.Contains("PyTorch pickle checkpoints are not loaded (unpickling can run arbitrary code)", error.Message);
        Assert.Contains("convert to safetensors", error.Message);
    }

    [Fact]
    public void SafetensorsArePreferredOverPickleWhenBothExist()
    {
        string folder = WriteTiny(TinyCheckpoints.LlamaGqaF32);
        File.WriteAllBytes(Path.Combine(folder, "pytorch_model.bin"), [0x80, 0x02]);
        using var weights = CheckpointWeights.Open(folder);
        Assert.True(weights.Contains(CheckpointLayout.EmbedTokens));
    }

    [Fact]
    public void FolderWithoutWeights()
    {
        File.WriteAllText(temp.File("config.json"), "{}");
        var error = Assert.Throws<CheckpointException>(() => CheckpointWeights.Open(temp.Path));
        Assert.Contains("has no weights: expected model.safetensors or model.safetensors.index.json", error.Message);
        Assert.Contains(temp.Path, error.Message);
    }

    [Fact]
    public void NonTransformersSafetensorsNameIsExplained()
    {
        File.WriteAllBytes(temp.File("consolidated.safetensors"), [0]);
        var error = Assert.Throws<CheckpointException>(() => CheckpointWeights.Open(temp.Path));
        Assert.Contains("'consolidated.safetensors' but no model.safetensors", error.Message);
    }

    [Fact]
    public void MissingFolder()
    {
        string folder = Path.Combine(temp.Path, "absent");
        var error = Assert.Throws<CheckpointException>(() => CheckpointWeights.Open(folder));
        Assert.Contains($"Checkpoint folder '{folder}' does not exist", error.Message);
    }

    [Fact]
    public void CorruptShardIsReportedWithItsPath()
    {
        string folder = WriteTiny(TinyCheckpoints.LlamaSharded);
        string shard = Path.Combine(folder, "model-00001-of-00002.safetensors");
        byte[] bytes = File.ReadAllBytes(shard);
        File.WriteAllBytes(shard, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<CheckpointException>(() => CheckpointWeights.Open(folder));
        Assert.Equal(shard, error.FilePath);
        Assert.Contains("past the end of the data block", error.Message);
    }
}
