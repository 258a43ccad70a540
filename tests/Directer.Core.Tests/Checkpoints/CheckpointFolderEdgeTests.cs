using System.Text;
using System.Text.Json.Nodes;
using Directer.Core.Checkpoints;
using Directer.Core.Runtime;
using Directer.Testing;
using TorchSharp;

namespace Directer.Core.Tests.Checkpoints;

/// <summary>
/// A Hugging Face checkpoint folder (transformers' layout: <c>model.safetensors</c> or <c>model.safetensors.index.json</c>
/// with <c>{"weight_map": {tensor: shard}}</c>; the tensor names and shapes of the Llama-family modeling code): every
/// refusal by its exact message (which file, which tensor, what was expected), the precedence among the weight files a
/// folder may hold, and the tensor list <see cref="CheckpointLayout.For"/> derives from config.json, written out by
/// hand from transformers' <c>LlamaAttention</c>/<c>LlamaMLP</c> (<c>attention_bias</c> on q/k/v/o, <c>mlp_bias</c> on
/// gate/up/down) and <c>Qwen2Attention</c> (q/k/v biases, none on o).
/// </summary>
public sealed class CheckpointFolderEdgeTests : IDisposable
{
    private readonly TempFolder temp = new();

    public CheckpointFolderEdgeTests() => TorchRuntime.EnsureInitialized();

    public void Dispose() => temp.Dispose();

    private string WriteTiny(TinyCheckpointSpec spec) => TinyCheckpoints.Write(spec, Path.Combine(temp.Path, spec.Name));

    private static string OpenError(string folder) => Assert.Throws<CheckpointException>(() => CheckpointWeights.Open(folder)).Message;

    private string Sharded(string index)
    {
        string folder = WriteTiny(TinyCheckpoints.LlamaSharded);
        File.WriteAllText(Path.Combine(folder, CheckpointWeights.IndexFileName), index);
        return folder;
    }

    private string Sharded(byte[] index)
    {
        string folder = WriteTiny(TinyCheckpoints.LlamaSharded);
        File.WriteAllBytes(Path.Combine(folder, CheckpointWeights.IndexFileName), index);
        return folder;
    }

    [Theory]
    [InlineData("{\"weight_map\": {\"w\": 5}}", "maps tensor 'w' to 5; expected a shard file name.")]
    [InlineData("{\"weight_map\": {\"w\": \" \"}}", "maps tensor 'w' to \" \"; expected a shard file name.")]
    [InlineData("{\"weight_map\": {\"w\": null}}", "maps tensor 'w' to null; expected a shard file name.")]
    [InlineData("{\"weight_map\": {}}", "has an empty 'weight_map'.")]
    [InlineData("{\"weight_map\": {\"w\": \"a.safetensors\", \"w\": \"a.safetensors\"}}", "lists tensor 'w' twice.")]
    [InlineData("{\"weight_map\": []}", "has no 'weight_map' object; expected {\"weight_map\": {tensor name: shard file}}.")]
    [InlineData("[{\"weight_map\": {}}]", "has no 'weight_map' object; expected {\"weight_map\": {tensor name: shard file}}.")]
    public void AShardIndexThatIsNotAWeightMapOfFileNamesIsRefused(string index, string problem)
    {
        string folder = Sharded(index);
        string indexPath = Path.Combine(folder, CheckpointWeights.IndexFileName);
        var error = Assert.Throws<CheckpointException>(() => CheckpointWeights.Open(folder));
        Assert.Equal($"Shard index '{indexPath}' {problem}", error.Message);
        Assert.Equal(indexPath, error.FilePath);
    }

    [Fact]
    public void AShardIndexThatIsNotUtf8OrNotJsonIsRefusedNamingIt()
    {
        string notUtf8 = Sharded([(byte)'{', (byte)' ', 0xC3, (byte)'}']);
        string indexPath = Path.Combine(notUtf8, CheckpointWeights.IndexFileName);
        Assert.Equal($"Shard index '{indexPath}' is not valid UTF-8: invalid byte sequence at byte 2.", OpenError(notUtf8));

        string notJson = Sharded("{\"weight_map\": ");
        var error = Assert.Throws<CheckpointException>(() => CheckpointWeights.Open(notJson));
        Assert.StartsWith($"Shard index '{Path.Combine(notJson, CheckpointWeights.IndexFileName)}' is not valid JSON: ", error.Message);
        Assert.IsAssignableFrom<System.Text.Json.JsonException>(error.InnerException);
    }

    [Fact]
    public void AShardNameWithACharacterNoPathMayHoldOrInASubfolderIsRefused()
    {
        string nul = Sharded("{\"weight_map\": {\"w\": \"a\\u0000b.safetensors\"}}");
        Assert.Equal(
            $"Shard index '{Path.Combine(nul, CheckpointWeights.IndexFileName)}' names shard 'a\\0b.safetensors', which is empty or holds characters invalid in a path; shards must be files in '{nul}'.",
            OpenError(nul));

        string first = Sharded("{\"weight_map\": {\"w\": \"\\u0000a.safetensors\"}}");
        Assert.Equal(
            $"Shard index '{Path.Combine(first, CheckpointWeights.IndexFileName)}' names shard '\\0a.safetensors', which is empty or holds characters invalid in a path; shards must be files in '{first}'.",
            OpenError(first));

        string sub = Sharded("{\"weight_map\": {\"w\": \"sub/a.safetensors\"}}");
        Directory.CreateDirectory(Path.Combine(sub, "sub"));
        Assert.Equal(
            $"Shard index '{Path.Combine(sub, CheckpointWeights.IndexFileName)}' names shard 'sub/a.safetensors' outside the checkpoint folder; shards must be files in '{sub}'.",
            OpenError(sub));
    }

    [Fact]
    public void AMissingShardNamesAnExampleTensorAndTheFolder()
    {
        string folder = Sharded("{\"weight_map\": {\"b\": \"model-00001-of-00002.safetensors\", \"a\": \"gone.safetensors\", \"c\": \"gone.safetensors\"}}");
        var error = Assert.Throws<CheckpointException>(() => CheckpointWeights.Open(folder));
        Assert.Equal(
            $"Shard 'gone.safetensors' listed in '{Path.Combine(folder, CheckpointWeights.IndexFileName)}' (for tensors such as 'a') does not exist in '{folder}'.",
            error.Message);
        Assert.Equal(Path.Combine(folder, "gone.safetensors"), error.FilePath);
        Assert.Equal("a", error.TensorName);
    }

    [Fact]
    public void OfSeveralMissingShardsTheFirstByNameIsNamedAndShardsOpenInNameOrder()
    {
        string folder = Sharded("{\"weight_map\": {\"x\": \"z.safetensors\", \"y\": \"b.safetensors\"}}");
        Assert.StartsWith("Shard 'b.safetensors' listed in", OpenError(folder), StringComparison.Ordinal);

        string ok = WriteTiny(TinyCheckpoints.LlamaSharded);
        using var weights = CheckpointWeights.Open(ok);
        Assert.Equal([Path.Combine(ok, "model-00001-of-00002.safetensors"), Path.Combine(ok, "model-00002-of-00002.safetensors")], weights.Files.Select(f => f.FilePath));
        Assert.Throws<ArgumentNullException>(() => CheckpointLayout.For(null!));
    }

    [Fact]
    public void ATensorAbsentFromItsShardIsNamedWithTheShardsPath()
    {
        string folder = Sharded("{\"weight_map\": {\"nope\": \"model-00001-of-00002.safetensors\"}}");
        string shard = Path.Combine(folder, "model-00001-of-00002.safetensors");
        using (var file = SafetensorsFile.Open(shard))
        {
            Assert.False(file.Entries.ContainsKey("nope"));
        }

        var error = Assert.Throws<CheckpointException>(() => CheckpointWeights.Open(folder));
        Assert.Equal(
            $"Tensor 'nope' is listed in '{Path.Combine(folder, CheckpointWeights.IndexFileName)}' as stored in shard 'model-00001-of-00002.safetensors', but '{shard}' does not contain it.",
            error.Message);
        Assert.Equal(shard, error.FilePath);
        Assert.Equal("nope", error.TensorName);
    }

    [Fact]
    public void AShardIndexMayNameOnlySomeOfTheShardsTensorsAndOnlyThoseAreTheCheckpoints()
    {
        string folder = WriteTiny(TinyCheckpoints.LlamaSharded);
        string shard = "model-00002-of-00002.safetensors";
        string[] inShard;
        using (var file = SafetensorsFile.Open(Path.Combine(folder, shard)))
        {
            inShard = file.Entries.Keys.Order(StringComparer.Ordinal).ToArray();
        }

        File.WriteAllText(Path.Combine(folder, CheckpointWeights.IndexFileName), $"{{\"weight_map\": {{\"{inShard[1]}\": \"{shard}\", \"{inShard[0]}\": \"{shard}\"}}}}");
        using var weights = CheckpointWeights.Open(folder);
        Assert.Equal(inShard[..2], weights.Names);
        Assert.Single(weights.Files);
        Assert.False(weights.Contains(inShard[2]));
    }

    [Theory]
    [InlineData(new[] { "model.pt", "pytorch_model.bin" }, "pytorch_model.bin")]
    [InlineData(new[] { "pytorch_model.bin", "pytorch_model.bin.index.json" }, "pytorch_model.bin.index.json")]
    [InlineData(new[] { "b.pt", "a.pth" }, "a.pth")]
    [InlineData(new[] { "WEIGHTS.BIN" }, "WEIGHTS.BIN")]
    [InlineData(new[] { "weights.PT" }, "weights.PT")]
    [InlineData(new[] { "weights.Pth" }, "weights.Pth")]
    [InlineData(new[] { "consolidated.safetensors", "consolidated.00.pth" }, "consolidated.00.pth")]
    public void AmongPickleFilesTheTransformersNamesComeFirstAndThenTheFirstByName(string[] files, string named)
    {
        foreach (string file in files.Append("config.json"))
        {
            File.WriteAllBytes(temp.File(file), [0x80, 0x02]);
        }

        var error = Assert.Throws<CheckpointException>(() => CheckpointWeights.Open(temp.Path));
        Assert.Equal(temp.File(named), error.FilePath);
        Assert.StartsWith(
            $"Checkpoint folder '{temp.Path}' has PyTorch pickle weights ('{named}') and no model.safetensors or model.safetensors.index.json. PyTorch pickle checkpoints are not loaded (unpickling can run arbitrary code); convert to safetensors, e.g. with `python -c",
            error.Message);
    }

    [Fact]
    public void OtherSafetensorsFilesAreNamedAndOtherFilesAreNotWeights()
    {
        File.WriteAllBytes(temp.File("adapter_model.SAFETENSORS"), [0]);
        File.WriteAllBytes(temp.File("notes.txt"), [0]);
        File.WriteAllBytes(temp.File("model.bin.txt"), [0]);
        var error = Assert.Throws<CheckpointException>(() => CheckpointWeights.Open(temp.Path));
        Assert.Equal(
            $"Checkpoint folder '{temp.Path}' has 'adapter_model.SAFETENSORS' but no model.safetensors or model.safetensors.index.json; expected the Hugging Face transformers layout (other layouts, such as Mistral's consolidated.safetensors or adapters, are not supported).",
            error.Message);
        Assert.Equal(temp.File("adapter_model.SAFETENSORS"), error.FilePath);

        File.Delete(temp.File("adapter_model.SAFETENSORS"));
        var none = Assert.Throws<CheckpointException>(() => CheckpointWeights.Open(temp.Path));
        Assert.Equal($"Checkpoint folder '{temp.Path}' has no weights: expected model.safetensors or model.safetensors.index.json (safetensors).", none.Message);
        Assert.Equal(temp.Path, none.FilePath);
    }

    [Fact]
    public void TheIndexIsPreferredOverASingleFile()
    {
        string folder = WriteTiny(TinyCheckpoints.LlamaSharded);
        File.WriteAllBytes(Path.Combine(folder, CheckpointWeights.SingleFileName), [1, 2, 3]); // would be refused as truncated
        using var weights = CheckpointWeights.Open(folder);
        Assert.Equal(2, weights.Files.Count);
    }

    [Fact]
    public void ShapeOfIsACopyAndReadChecksTheShapeOnlyWhenGiven()
    {
        string folder = WriteTiny(TinyCheckpoints.LlamaGqaF32);
        using var weights = CheckpointWeights.Open(folder);
        long[] shape = weights.ShapeOf(CheckpointLayout.EmbedTokens);
        Assert.Equal(new long[] { 96, 64 }, shape);
        shape[0] = 1;
        Assert.Equal(new long[] { 96, 64 }, weights.ShapeOf(CheckpointLayout.EmbedTokens));
        Assert.Equal("F32", weights.DTypeOf(CheckpointLayout.EmbedTokens));
        Assert.Equal(Path.Combine(folder, CheckpointWeights.SingleFileName), Assert.Single(weights.Files).FilePath);

        using (var any = weights.Read(CheckpointLayout.EmbedTokens, torch.ScalarType.Float32))
        {
            Assert.Equal(new long[] { 96, 64 }, any.shape);
        }

        var error = Assert.Throws<CheckpointException>(() => weights.Read(CheckpointLayout.EmbedTokens, torch.ScalarType.Float32, 64, 96));
        Assert.Equal(
            $"Tensor 'model.embed_tokens.weight' in checkpoint '{folder}' has shape [96, 64], but config.json implies [64, 96]; the weights do not match config.json.",
            error.Message);
        Assert.Equal(Path.Combine(folder, CheckpointWeights.SingleFileName), error.FilePath);
        Assert.Equal(CheckpointLayout.EmbedTokens, error.TensorName);

        using var rows = torch.empty(2, 64);
        var intoError = Assert.Throws<CheckpointException>(() => weights.ReadInto(CheckpointLayout.EmbedTokens, [96, 65], 0, rows));
        Assert.Contains("has shape [96, 64], but config.json implies [96, 65]", intoError.Message, StringComparison.Ordinal);
        weights.ReadInto(CheckpointLayout.EmbedTokens, [96, 64], 64 * 94, rows);
        using var all = weights.Read(CheckpointLayout.EmbedTokens, torch.ScalarType.Float32);
        Assert.Equal(all.narrow(0, 94, 2).contiguous().data<float>().ToArray(), rows.data<float>().ToArray());
        Assert.Equal($"Tensor 'nope' is not in checkpoint '{folder}'.", Assert.Throws<CheckpointException>(() => weights.DTypeOf("nope")).Message);
    }

    /// <summary>Validate lists at most ten problems and counts the rest; a config that needs nothing else passes.</summary>
    [Fact]
    public void ValidateListsTenProblemsAndCountsTheRest()
    {
        string folder = WriteTiny(TinyCheckpoints.Llama32Tied); // two layers, tied: no lm_head.weight
        using var weights = CheckpointWeights.Open(folder);
        ModelConfig Config(Action<JsonObject> edit)
        {
            var json = JsonNode.Parse(TinyCheckpoints.ConfigJson(TinyCheckpoints.Llama32Tied))!.AsObject();
            edit(json);
            return ModelConfig.Parse(json.ToJsonString(), "edited/config.json");
        }

        string Layer2Missing() => string.Join("; ", new[]
        {
            "input_layernorm.weight", "self_attn.q_proj.weight", "self_attn.k_proj.weight", "self_attn.v_proj.weight", "self_attn.o_proj.weight",
            "post_attention_layernorm.weight", "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight",
        }.Select(n => $"'model.layers.2.{n}' is missing"));

        var ten = Assert.Throws<CheckpointException>(() => weights.Validate(Config(json =>
        {
            json["num_hidden_layers"] = 3;
            json["tie_word_embeddings"] = false;
        })));
        Assert.Equal($"Checkpoint '{folder}' does not match edited/config.json (LlamaForCausalLM): {Layer2Missing()}; 'lm_head.weight' is missing.", ten.Message);
        Assert.Equal(folder, ten.FilePath);

        var eleven = Assert.Throws<CheckpointException>(() => weights.Validate(Config(json =>
        {
            json["num_hidden_layers"] = 3;
            json["tie_word_embeddings"] = false;
            json["vocab_size"] = 97;
        })));
        Assert.Equal($"Checkpoint '{folder}' does not match edited/config.json (LlamaForCausalLM): 'model.embed_tokens.weight' has shape [96, 64], config.json implies [97, 64]; {Layer2Missing()}; and 1 more.", eleven.Message);

        weights.Validate(Config(json => json["num_hidden_layers"] = 1)); // a layer the config does not use is no problem
    }

    [Fact]
    public void ValidateNamesATensorOfAnUnsupportedDtype()
    {
        using var scope = torch.NewDisposeScope();
        var config = ModelConfig.Parse(TinyCheckpoints.ConfigJson(TinyCheckpoints.LlamaGqaF32), "tiny/config.json");
        var tensors = CheckpointLayout.For(config)
            .Select(t => new KeyValuePair<string, torch.Tensor>(t.Name, torch.zeros(t.Shape)))
            .ToList();
        string folder = Path.Combine(temp.Path, "int");
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, CheckpointWeights.SingleFileName);
        SafetensorsWriter.Write(path, tensors);

        // Rewrite the norm's dtype string in place: "F32" and "I32" have the same length and element size.
        byte[] bytes = File.ReadAllBytes(path);
        byte[] from = Encoding.UTF8.GetBytes("\"model.norm.weight\":{\"dtype\":\"F32\"");
        int at = bytes.AsSpan().IndexOf(from);
        Assert.True(at > 0);
        Encoding.UTF8.GetBytes("\"model.norm.weight\":{\"dtype\":\"I32\"").CopyTo(bytes, at);
        File.WriteAllBytes(path, bytes);

        using var weights = CheckpointWeights.Open(folder);
        var error = Assert.Throws<CheckpointException>(() => weights.Validate(config));
        Assert.Equal($"Checkpoint '{folder}' does not match tiny/config.json (LlamaForCausalLM): 'model.norm.weight' has unsupported dtype I32 (supported: F32, BF16, F16, F64).", error.Message);
    }

    private static ModelConfig Llama(string extra) => ModelConfig.Parse(
        "{\"architectures\": [\"LlamaForCausalLM\"], \"model_type\": \"llama\", \"vocab_size\": 10, \"hidden_size\": 8, \"intermediate_size\": 12, "
        + "\"num_hidden_layers\": 1, \"num_attention_heads\": 2, \"num_key_value_heads\": 1, \"head_dim\": 4, \"max_position_embeddings\": 16, "
        + "\"rms_norm_eps\": 1e-5, \"rope_theta\": 10000.0" + extra + "}",
        "hand/config.json");

    private static string[] Listed(ModelConfig config) =>
        CheckpointLayout.For(config).Select(t => t.Name + " " + SafetensorsDTypeShape(t.Shape)).ToArray();

    private static string SafetensorsDTypeShape(long[] shape) => "[" + string.Join(", ", shape) + "]";

    [Fact]
    public void ALlamaWithAttentionAndMlpBiasNeedsEveryBiasOfTransformersLlama()
    {
        Assert.Equal(
            [
                "model.embed_tokens.weight [10, 8]",
                "model.layers.0.input_layernorm.weight [8]",
                "model.layers.0.self_attn.q_proj.weight [8, 8]",
                "model.layers.0.self_attn.k_proj.weight [4, 8]",
                "model.layers.0.self_attn.v_proj.weight [4, 8]",
                "model.layers.0.self_attn.q_proj.bias [8]",
                "model.layers.0.self_attn.k_proj.bias [4]",
                "model.layers.0.self_attn.v_proj.bias [4]",
                "model.layers.0.self_attn.o_proj.weight [8, 8]",
                "model.layers.0.self_attn.o_proj.bias [8]",
                "model.layers.0.post_attention_layernorm.weight [8]",
                "model.layers.0.mlp.gate_proj.weight [12, 8]",
                "model.layers.0.mlp.up_proj.weight [12, 8]",
                "model.layers.0.mlp.down_proj.weight [8, 12]",
                "model.layers.0.mlp.gate_proj.bias [12]",
                "model.layers.0.mlp.up_proj.bias [12]",
                "model.layers.0.mlp.down_proj.bias [8]",
                "model.norm.weight [8]",
                "lm_head.weight [10, 8]",
            ],
            Listed(Llama(", \"attention_bias\": true, \"mlp_bias\": true, \"tie_word_embeddings\": false")));
    }

    [Fact]
    public void APlainTiedLlamaNeedsNoBiasAndNoHead()
    {
        Assert.Equal(
            [
                "model.embed_tokens.weight [10, 8]",
                "model.layers.0.input_layernorm.weight [8]",
                "model.layers.0.self_attn.q_proj.weight [8, 8]",
                "model.layers.0.self_attn.k_proj.weight [4, 8]",
                "model.layers.0.self_attn.v_proj.weight [4, 8]",
                "model.layers.0.self_attn.o_proj.weight [8, 8]",
                "model.layers.0.post_attention_layernorm.weight [8]",
                "model.layers.0.mlp.gate_proj.weight [12, 8]",
                "model.layers.0.mlp.up_proj.weight [12, 8]",
                "model.layers.0.mlp.down_proj.weight [8, 12]",
                "model.norm.weight [8]",
            ],
            Listed(Llama(", \"tie_word_embeddings\": true")));
    }

    [Fact]
    public void AQwen2HasQueryKeyValueBiasesButNoOutputBias()
    {
        var config = ModelConfig.Parse(
            "{\"architectures\": [\"Qwen2ForCausalLM\"], \"model_type\": \"qwen2\", \"vocab_size\": 10, \"hidden_size\": 8, \"intermediate_size\": 12, "
            + "\"num_hidden_layers\": 1, \"num_attention_heads\": 2, \"num_key_value_heads\": 1, \"max_position_embeddings\": 16, "
            + "\"rms_norm_eps\": 1e-6, \"rope_theta\": 10000.0, \"tie_word_embeddings\": true}",
            "hand/config.json");
        Assert.Equal(
            [
                "model.embed_tokens.weight [10, 8]",
                "model.layers.0.input_layernorm.weight [8]",
                "model.layers.0.self_attn.q_proj.weight [8, 8]",
                "model.layers.0.self_attn.k_proj.weight [4, 8]",
                "model.layers.0.self_attn.v_proj.weight [4, 8]",
                "model.layers.0.self_attn.q_proj.bias [8]",
                "model.layers.0.self_attn.k_proj.bias [4]",
                "model.layers.0.self_attn.v_proj.bias [4]",
                "model.layers.0.self_attn.o_proj.weight [8, 8]",
                "model.layers.0.post_attention_layernorm.weight [8]",
                "model.layers.0.mlp.gate_proj.weight [12, 8]",
                "model.layers.0.mlp.up_proj.weight [12, 8]",
                "model.layers.0.mlp.down_proj.weight [8, 12]",
                "model.norm.weight [8]",
            ],
            Listed(config));
    }

    [Fact]
    public void ThePathOfACheckpointMustBeAnExistingFolder()
    {
        string file = temp.File("config.json");
        File.WriteAllText(file, "{}");
        Assert.Equal(
            $"Checkpoint path '{file}' is a file; pass the checkpoint folder that holds config.json, the *.safetensors weights and the tokenizer files (for 'config.json', its folder '{temp.Path}').",
            Assert.Throws<CheckpointException>(() => CheckpointFolder.Require(file)).Message);
        string missing = temp.File("absent");
        var error = Assert.Throws<CheckpointException>(() => CheckpointFolder.Require(missing));
        Assert.Equal($"Checkpoint folder '{missing}' does not exist (a checkpoint is a folder holding config.json, *.safetensors weights and tokenizer files).", error.Message);
        Assert.Equal(missing, error.FilePath);
        Assert.Throws<ArgumentException>(() => CheckpointFolder.Require(" "));
        CheckpointFolder.Require(temp.Path);
    }
}
