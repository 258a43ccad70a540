using System.Text.Json.Nodes;
using Directer.Core.Checkpoints;
using Directer.Testing;

namespace Directer.Core.Tests.Checkpoints;

public sealed class ModelConfigTests
{
    private const string Source = "/models/x/config.json";

    private static JsonObject Llama() => JsonNode.Parse(TinyCheckpoints.ConfigJson(TinyCheckpoints.LlamaGqaF32))!.AsObject();

    private static ModelConfig Parse(JsonObject json) => ModelConfig.Parse(json.ToJsonString(), Source);

    private static CheckpointException Fails(JsonObject json)
    {
        var error = Assert.Throws<CheckpointException>(() => Parse(json));
        Assert.Equal(Source, error.FilePath);
        Assert.Contains(Source, error.Message);
        return error;
    }

    [Fact]
    public void LlamaGqaConfig()
    {
        ModelConfig config = Parse(Llama());
        Assert.Equal(Source, config.SourceName);
        Assert.Equal("LlamaForCausalLM", config.Architecture);
        Assert.Equal("llama", config.ModelType);
        Assert.Equal(64, config.HiddenSize);
        Assert.Equal(128, config.IntermediateSize);
        Assert.Equal(2, config.NumHiddenLayers);
        Assert.Equal(4, config.NumAttentionHeads);
        Assert.Equal(2, config.NumKeyValueHeads);
        Assert.Equal(2, config.NumKeyValueGroups);
        Assert.Equal(16, config.HeadDim);
        Assert.Equal(1e-5, config.RmsNormEps);
        Assert.Equal(10000.0, config.RopeTheta);
        Assert.Null(config.RopeScaling);
        Assert.False(config.TieWordEmbeddings);
        Assert.Equal(96, config.VocabSize);
        Assert.Equal([1], config.BosTokenIds);
        Assert.Equal([2], config.EosTokenIds);
        Assert.Equal(128, config.MaxPositionEmbeddings);
        Assert.False(config.AttentionQkvBias);
        Assert.False(config.AttentionOutputBias);
        Assert.False(config.MlpBias);
        Assert.Null(config.SlidingWindow);
        Assert.Equal([false, false], config.SlidingWindowLayers);
        Assert.Equal("float32", config.TorchDtype);
        Assert.Equal("silu", config.HiddenAct);
    }

    [Fact]
    public void Qwen2HasQkvBiasesButNoOutputBiasAndIgnoresAnUnusedSlidingWindow()
    {
        ModelConfig config = ModelConfig.Parse(TinyCheckpoints.ConfigJson(TinyCheckpoints.Qwen2BiasTiedBf16), Source);
        Assert.Equal("Qwen2ForCausalLM", config.Architecture);
        Assert.True(config.AttentionQkvBias);
        Assert.False(config.AttentionOutputBias);
        Assert.False(config.MlpBias);
        Assert.True(config.TieWordEmbeddings);
        Assert.Equal([2, 3], config.EosTokenIds);
        Assert.Null(config.SlidingWindow);
        Assert.Equal("bfloat16", config.TorchDtype);
        Assert.Equal(1000000.0, config.RopeTheta);
    }

    [Fact]
    public void Qwen2SlidingWindowAppliesFromMaxWindowLayersOrLayerTypes()
    {
        var json = JsonNode.Parse(TinyCheckpoints.ConfigJson(TinyCheckpoints.Qwen2BiasTiedBf16))!.AsObject();
        json["use_sliding_window"] = true;
        json["max_window_layers"] = 1;
        ModelConfig config = Parse(json);
        Assert.Equal(32, config.SlidingWindow);
        Assert.Equal([false, true], config.SlidingWindowLayers);
        Assert.Null(config.SlidingWindowFor(0));
        Assert.Equal(32, config.SlidingWindowFor(1));

        json["layer_types"] = new JsonArray("sliding_attention", "full_attention");
        Assert.Equal([true, false], Parse(json).SlidingWindowLayers);
    }

    [Fact]
    public void MistralSlidingWindowAppliesToEveryLayer()
    {
        ModelConfig config = ModelConfig.Parse(TinyCheckpoints.ConfigJson(TinyCheckpoints.MistralSliding), Source);
        Assert.Equal("mistral", config.ModelType);
        Assert.Equal(32, config.SlidingWindow);
        Assert.Equal([true, true], config.SlidingWindowLayers);
        Assert.False(config.AttentionQkvBias);

        var json = JsonNode.Parse(TinyCheckpoints.ConfigJson(TinyCheckpoints.MistralSliding))!.AsObject();
        json["sliding_window"] = null;
        Assert.Null(Parse(json).SlidingWindow);
    }

    [Theory]
    [InlineData("MistralForCausalLM", 8)]
    [InlineData("Qwen2ForCausalLM", 32)]
    [InlineData("LlamaForCausalLM", 64)]
    public void AbsentKeyValueHeadsTakeTheConfigClassDefaultAndNullMeansQueryHeads(string architecture, int expectedWhenAbsent)
    {
        // transformers' keyword defaults: MistralConfig 8, Qwen2Config 32, LlamaConfig None (= query heads).
        var json = Llama();
        json["architectures"] = new JsonArray(architecture);
        json.Remove("model_type");
        json["num_attention_heads"] = 64;
        json["head_dim"] = 16;
        json.Remove("num_key_value_heads");
        Assert.Equal(expectedWhenAbsent, Parse(json).NumKeyValueHeads);

        json["num_key_value_heads"] = null;
        Assert.Equal(64, Parse(json).NumKeyValueHeads);
    }

    [Fact]
    public void AbsentSlidingWindowIsMistralsDefaultWindowAndNullIsNone()
    {
        var json = JsonNode.Parse(TinyCheckpoints.ConfigJson(TinyCheckpoints.MistralSliding))!.AsObject();
        json.Remove("sliding_window");
        ModelConfig config = Parse(json);
        Assert.Equal(4096, config.SlidingWindow); // MistralConfig(sliding_window=4096)
        Assert.All(config.SlidingWindowLayers, Assert.True);

        var qwen = JsonNode.Parse(TinyCheckpoints.ConfigJson(TinyCheckpoints.Qwen2BiasTiedBf16))!.AsObject();
        qwen.Remove("sliding_window");
        Assert.Null(Parse(qwen).SlidingWindow); // unused without use_sliding_window
        qwen["use_sliding_window"] = true;
        qwen["max_window_layers"] = 0;
        Assert.Equal(4096, Parse(qwen).SlidingWindow);
    }

    [Fact]
    public void LlamaAttentionBiasCoversOutputProjectionAndMlpBiasIsSeparate()
    {
        ModelConfig config = ModelConfig.Parse(TinyCheckpoints.ConfigJson(TinyCheckpoints.LlamaBiasF32), Source);
        Assert.True(config.AttentionQkvBias);
        Assert.True(config.AttentionOutputBias);
        Assert.True(config.MlpBias);
    }

    [Fact]
    public void Llama3RopeScalingAndExplicitHeadDim()
    {
        ModelConfig config = ModelConfig.Parse(TinyCheckpoints.ConfigJson(TinyCheckpoints.Llama31RopeScaling), Source);
        Assert.Equal(32, config.HeadDim);
        Assert.Equal(128, config.QueryDim);
        Assert.Equal(64, config.KeyValueDim);
        Assert.Equal(500000.0, config.RopeTheta);
        Assert.Equal(new RopeScaling("llama3", 8.0, 1.0, 4.0, 16), config.RopeScaling);
    }

    [Fact]
    public void LegacyTypeKeyAndLinearAndDefaultRopeScaling()
    {
        var json = Llama();
        json["rope_scaling"] = new JsonObject { ["type"] = "linear", ["factor"] = 2.0 };
        Assert.Equal(new RopeScaling("linear", 2.0, null, null, null), Parse(json).RopeScaling);

        json["rope_scaling"] = new JsonObject { ["rope_type"] = "default" };
        Assert.Null(Parse(json).RopeScaling);
    }

    [Fact]
    public void Transformers5RopeParametersAndDtype()
    {
        var json = Llama();
        json.Remove("rope_theta");
        json.Remove("rope_scaling");
        json.Remove("torch_dtype");
        json["dtype"] = "bfloat16";
        json["rope_parameters"] = new JsonObject
        {
            ["rope_type"] = "llama3",
            ["rope_theta"] = 500000.0,
            ["factor"] = 8.0,
            ["low_freq_factor"] = 1.0,
            ["high_freq_factor"] = 4.0,
            ["original_max_position_embeddings"] = 8192,
        };
        ModelConfig config = Parse(json);
        Assert.Equal(500000.0, config.RopeTheta);
        Assert.Equal(new RopeScaling("llama3", 8.0, 1.0, 4.0, 8192), config.RopeScaling);
        Assert.Equal("bfloat16", config.TorchDtype);

        json["rope_parameters"] = new JsonObject { ["rope_type"] = "default", ["rope_theta"] = 1e6 };
        Assert.Equal(1e6, Parse(json).RopeTheta);
        Assert.Null(Parse(json).RopeScaling);
    }

    [Fact]
    public void DefaultsForOptionalFields()
    {
        var json = Llama();
        foreach (string key in new[] { "num_key_value_heads", "head_dim", "rope_theta", "rope_scaling", "tie_word_embeddings", "bos_token_id", "eos_token_id", "torch_dtype", "rms_norm_eps", "max_position_embeddings", "hidden_act", "model_type" })
        {
            json.Remove(key);
        }

        ModelConfig config = Parse(json);
        Assert.Equal(4, config.NumKeyValueHeads);
        Assert.Equal(16, config.HeadDim);
        Assert.Equal(10000.0, config.RopeTheta);
        Assert.False(config.TieWordEmbeddings);
        Assert.Empty(config.BosTokenIds);
        Assert.Empty(config.EosTokenIds);
        Assert.Null(config.TorchDtype);
        Assert.Equal(1e-6, config.RmsNormEps);
        Assert.Equal(2048, config.MaxPositionEmbeddings);
        Assert.Equal("llama", config.ModelType);

        json["head_dim"] = null;
        json["eos_token_id"] = null;
        Assert.Equal(16, Parse(json).HeadDim);
        Assert.Empty(Parse(json).EosTokenIds);
    }

    [Fact]
    public void UnsupportedArchitectureListsTheSupportedOnes()
    {
        var json = Llama();
        json["architectures"] = new JsonArray("GPT2LMHeadModel");
        var error = Fails(json);
        Assert.Contains("architecture 'GPT2LMHeadModel' is not supported", error.Message);
        Assert.Contains("LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM", error.Message);
    }

    [Theory]
    [InlineData("yarn")]
    [InlineData("dynamic")]
    [InlineData("longrope")]
    public void UnsupportedRopeTypeNamesTypeFileAndSupportedList(string type)
    {
        var json = Llama();
        json["rope_scaling"] = new JsonObject { ["rope_type"] = type, ["factor"] = 4.0, ["original_max_position_embeddings"] = 32768 };
        var error = Fails(json);
        Assert.Contains($"rope type '{type}'", error.Message);
        Assert.Contains("default, linear, llama3", error.Message);
    }

    [Theory]
    [InlineData("low_freq_factor")]
    [InlineData("high_freq_factor")]
    [InlineData("original_max_position_embeddings")]
    [InlineData("factor")]
    public void Llama3RopeScalingNeedsAllItsFields(string missing)
    {
        var json = JsonNode.Parse(TinyCheckpoints.ConfigJson(TinyCheckpoints.Llama31RopeScaling))!.AsObject();
        json["rope_scaling"]!.AsObject().Remove(missing);
        Assert.Contains($"'rope_scaling.{missing}' is missing", Fails(json).Message);
    }

    [Theory]
    [InlineData("hidden_size")]
    [InlineData("intermediate_size")]
    [InlineData("num_hidden_layers")]
    [InlineData("num_attention_heads")]
    [InlineData("vocab_size")]
    [InlineData("architectures")]
    public void MissingRequiredFieldIsNamed(string field)
    {
        var json = Llama();
        json.Remove(field);
        Assert.Contains($"required field '{field}' is missing", Fails(json).Message);
    }

    [Theory]
    [InlineData("hidden_size", 0, "'hidden_size' is 0; expected a positive integer")]
    [InlineData("num_key_value_heads", 3, "'num_attention_heads' (4) is not divisible by 'num_key_value_heads' (3)")]
    [InlineData("vocab_size", -5, "'vocab_size' is -5")]
    [InlineData("head_dim", 15, "head dimension 15 is odd")]
    public void InvalidSizes(string field, int value, string expected)
    {
        var json = Llama();
        json[field] = value;
        Assert.Contains(expected, Fails(json).Message);
    }

    [Fact]
    public void WronglyTypedFieldIsNamed()
    {
        var json = Llama();
        json["hidden_size"] = "64";
        Assert.Contains("field 'hidden_size' is \"64\"; expected an integer", Fails(json).Message);
    }

    [Fact]
    public void HiddenActOtherThanSiluIsRefused()
    {
        var json = Llama();
        json["hidden_act"] = "gelu";
        Assert.Contains("'hidden_act' is 'gelu'; only 'silu' is supported", Fails(json).Message);
    }

    [Fact]
    public void QuantizedCheckpointIsRefused()
    {
        var json = Llama();
        json["quantization_config"] = new JsonObject { ["quant_method"] = "gptq", ["bits"] = 4 };
        Assert.Contains("quant_method 'gptq'", Fails(json).Message);
    }

    [Fact]
    public void ModelTypeMustMatchArchitecture()
    {
        var json = Llama();
        json["model_type"] = "qwen2";
        Assert.Contains("'model_type' is 'qwen2' but architecture LlamaForCausalLM has model_type 'llama'", Fails(json).Message);
    }

    [Fact]
    public void NotJson()
    {
        var error = Assert.Throws<CheckpointException>(() => ModelConfig.Parse("{ nope", Source));
        Assert.Contains("not valid JSON", error.Message);
        Assert.Contains(Source, error.Message);
    }

    [Fact]
    public void LoadNamesAMissingFile()
    {
        string path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "config.json");
        var error = Assert.Throws<CheckpointException>(() => ModelConfig.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("does not exist", error.Message);
    }

    private static JsonObject Qwen3() => JsonNode.Parse(TinyCheckpoints.ConfigJson(TinyCheckpoints.Qwen3TiedBf16))!.AsObject();

    private static JsonObject Phi3LongRope() => JsonNode.Parse(TinyCheckpoints.ConfigJson(TinyCheckpoints.Phi3LongRopePartial))!.AsObject();

    [Fact]
    public void Qwen3HasHeadNormsNoBiasesAndItsOwnDefaults()
    {
        ModelConfig config = Parse(Qwen3());
        Assert.Equal("qwen3", config.ModelType);
        Assert.True(config.QueryKeyNorm);
        Assert.False(config.FusedProjections);
        Assert.Equal(32, config.HeadDim); // from config.json, not hidden/heads (16)
        Assert.Equal(32, config.RotaryDim);
        Assert.False(config.AttentionQkvBias);
        Assert.False(config.AttentionOutputBias);
        Assert.Null(config.SlidingWindow);

        var json = Qwen3();
        json.Remove("head_dim");
        json.Remove("num_key_value_heads");
        json["num_attention_heads"] = 64;
        json["attention_bias"] = true;
        config = Parse(json);
        Assert.Equal(128, config.HeadDim); // Qwen3Config's defaults when the keys are absent
        Assert.Equal(32, config.NumKeyValueHeads);
        Assert.True(config.AttentionQkvBias);
        Assert.True(config.AttentionOutputBias);
        Assert.False(config.MlpBias);
    }

    [Fact]
    public void Phi3IsFusedWithPhiDefaults()
    {
        ModelConfig config = ModelConfig.Parse(TinyCheckpoints.ConfigJson(TinyCheckpoints.Phi3Fused), Source);
        Assert.Equal("phi3", config.ModelType);
        Assert.True(config.FusedProjections);
        Assert.False(config.QueryKeyNorm);
        Assert.Null(config.RopeScaling);
        Assert.Equal(47, config.SlidingWindow);
        Assert.All(config.SlidingWindowLayers, Assert.True);

        var json = JsonNode.Parse(TinyCheckpoints.ConfigJson(TinyCheckpoints.Phi3Fused))!.AsObject();
        json.Remove("rms_norm_eps");
        json.Remove("max_position_embeddings");
        json.Remove("sliding_window");
        config = Parse(json);
        Assert.Equal(1e-5, config.RmsNormEps);
        Assert.Equal(4096, config.MaxPositionEmbeddings);
        Assert.Null(config.SlidingWindow);
    }

    [Fact]
    public void Phi3LongRopeKeepsTheShortFactorsAndTheAttentionFactor()
    {
        ModelConfig config = Parse(Phi3LongRope());
        Assert.Equal(12, config.RotaryDim); // int(16 * 0.75)
        var rope = Assert.IsType<RopeScaling>(config.RopeScaling);
        Assert.Equal("longrope", rope.Type);
        Assert.Equal(32, rope.OriginalMaxPositionEmbeddings);
        Assert.Equal(4.0, rope.Factor); // max_position_embeddings 128 / original 32
        Assert.Equal([1.0, 1.05, 1.3, 1.9, 2.7, 4.1], rope.ShortFactor);
        Assert.Equal(Math.Sqrt(1 + (Math.Log(4) / Math.Log(32))), rope.AttentionFactor, 12);

        var json = Phi3LongRope();
        json["rope_scaling"]!["type"] = "su"; // older Phi-3 configs
        json["rope_scaling"]!["attention_factor"] = 1.5;
        rope = Parse(json).RopeScaling!;
        Assert.Equal("longrope", rope.Type);
        Assert.Equal(1.5, rope.AttentionFactor);
    }

    [Theory]
    [InlineData("short_factor", "[1.0, 2.0]", "'rope_scaling.short_factor' has 2 entries; expected a list of 6 numbers")]
    [InlineData("long_factor", "null", "required field 'rope_scaling.long_factor' is missing")]
    [InlineData("type", "\"linear\"", "rope type 'linear' (rope_scaling) is not one Phi3ForCausalLM uses")]
    public void Phi3LongRopeErrorsNameTheFileAndKey(string key, string value, string message)
    {
        var json = Phi3LongRope();
        json["rope_scaling"]![key] = JsonNode.Parse(value);
        Assert.Contains(message, Fails(json).Message);
    }

    [Fact]
    public void PartialRotaryFactorIsRefusedWhereTheAttentionRotatesWholeHeads()
    {
        var json = Llama();
        json["partial_rotary_factor"] = 0.5;
        var error = Fails(json);
        Assert.Contains("'partial_rotary_factor' is 0.5", error.Message);
        Assert.Contains("LlamaForCausalLM rotates whole heads", error.Message);

        json["partial_rotary_factor"] = 1.0;
        Assert.Equal(16, Parse(json).RotaryDim);

        json = Phi3LongRope();
        json["partial_rotary_factor"] = 0.1; // int(16 * 0.1) = 1 rotary dimension: odd
        Assert.Contains("gives 1 rotary dimensions", Fails(json).Message);
    }
}
