using System.Text.Json.Nodes;
using Directer.Core.Checkpoints;
using Directer.Testing;

namespace Directer.Core.Tests.Checkpoints;

/// <summary>
/// config.json validation at each edge transformers' config classes define: a positive number at 0 refused and the
/// smallest positive accepted, llama3's 0 &lt; low &lt; high, Phi-3's partial rotary factor in (0, 1] giving a positive
/// even rotary dimension, LongRoPE's factors; the error names the field.
/// </summary>
public sealed class ModelConfigEdgeTests
{
    private const string Source = "/models/x/config.json";

    private static JsonObject Of(TinyCheckpointSpec spec) => JsonNode.Parse(TinyCheckpoints.ConfigJson(spec))!.AsObject();

    private static ModelConfig Parse(JsonObject json) => ModelConfig.Parse(json.ToJsonString(), Source);

    private static string Fails(JsonObject json) => Assert.Throws<CheckpointException>(() => Parse(json)).Message;

    [Fact]
    public void PositiveNumbersRefuseZeroAndAcceptTheSmallestPositive()
    {
        var json = Of(TinyCheckpoints.LlamaGqaF32);
        json["rms_norm_eps"] = 0.0;
        Assert.Contains("'rms_norm_eps' is 0; expected a positive number.", Fails(json));
        json["rms_norm_eps"] = double.Epsilon;
        Assert.Equal(double.Epsilon, Parse(json).RmsNormEps);

        json["rope_theta"] = 0.0;
        Assert.Contains("'rope_theta' is 0; expected a positive number.", Fails(json));
        json["rope_theta"] = double.Epsilon;
        Assert.Equal(double.Epsilon, Parse(json).RopeTheta);

        var mistral = Of(TinyCheckpoints.MistralSliding);
        mistral["sliding_window"] = 0;
        Assert.Contains("'sliding_window' is 0; expected a positive integer or null.", Fails(mistral));
        mistral["sliding_window"] = 1;
        Assert.Equal(1, Parse(mistral).SlidingWindow);

        json["rope_scaling"] = new JsonObject { ["type"] = "linear", ["factor"] = 0.0 };
        Assert.Contains("'rope_scaling.factor' is 0; expected a positive number.", Fails(json));
        json["rope_scaling"] = new JsonObject { ["type"] = "linear", ["factor"] = double.Epsilon };
        Assert.Equal(double.Epsilon, Parse(json).RopeScaling!.Factor);
    }

    [Theory]
    [InlineData(0.0, 4.0, 8192, false)]            // low must be > 0
    [InlineData(1.0, 1.0, 8192, false)]            // high must be > low
    [InlineData(1.0, 4.0, 0, false)]               // original must be positive
    [InlineData(5e-324, 1e-323, 1, true)]          // the smallest values that satisfy 0 < low < high (1 and 2 ulps), original 1
    public void Llama3ScalingNeedsZeroBelowLowBelowHighAndAPositiveOriginal(double low, double high, int original, bool valid)
    {
        var json = Of(TinyCheckpoints.LlamaGqaF32);
        json["rope_scaling"] = new JsonObject
        {
            ["rope_type"] = "llama3", ["factor"] = 8.0, ["low_freq_factor"] = low, ["high_freq_factor"] = high,
            ["original_max_position_embeddings"] = original,
        };
        if (valid)
        {
            Assert.Equal(new RopeScaling("llama3", 8.0, low, high, original), Parse(json).RopeScaling);
        }
        else
        {
            Assert.Contains("llama3 rope scaling needs 0 < low_freq_factor < high_freq_factor and a positive original_max_position_embeddings", Fails(json));
        }
    }

    [Fact]
    public void Phi3PartialRotaryFactorIsInZeroOneAndGivesAPositiveEvenDimension()
    {
        var json = Of(TinyCheckpoints.Phi3Fused);
        int headDim = Parse(json).HeadDim;
        foreach (double refused in new[] { 0.0, -0.5, 1.5 })
        {
            json["partial_rotary_factor"] = refused;
            Assert.Contains("expected a number in (0, 1].", Fails(json));
        }

        json["partial_rotary_factor"] = 2.0 / headDim;           // exactly 2 rotary dimensions
        Assert.Equal(2, Parse(json).RotaryDim);
        json["partial_rotary_factor"] = 1.0 / headDim;           // 1: odd and below 2
        Assert.Contains("gives 1 rotary dimensions", Fails(json));
        json["partial_rotary_factor"] = 3.0 / headDim;           // 3: odd
        Assert.Contains("gives 3 rotary dimensions", Fails(json));

        // In transformers 5's rope_parameters the same factor counts.
        json.Remove("partial_rotary_factor");
        json["rope_parameters"] = new JsonObject { ["rope_type"] = "default", ["partial_rotary_factor"] = 2.0 / headDim };
        Assert.Equal(2, Parse(json).RotaryDim);
    }

    [Fact]
    public void LongRopeFactorsAndItsOriginalLengthMustBePositive()
    {
        var json = Of(TinyCheckpoints.Phi3LongRopePartial);
        var scaling = json["rope_scaling"]!.AsObject();
        string field = scaling.ContainsKey("short_factor") ? "rope_scaling" : throw new InvalidOperationException();
        var shortFactor = scaling["short_factor"]!.AsArray();
        double first = shortFactor[0]!.GetValue<double>();

        shortFactor[1] = 0.0;
        Assert.Contains($"'{field}.short_factor[1]' is 0; expected a positive number.", Fails(json));
        shortFactor[1] = double.Epsilon;
        Assert.Equal(double.Epsilon, Parse(json).RopeScaling!.ShortFactor![1]);
        Assert.Equal(first, Parse(json).RopeScaling!.ShortFactor![0]);

        json["original_max_position_embeddings"] = 0;
        Assert.Contains("'original_max_position_embeddings' is 0; expected a positive integer.", Fails(json));

        // Without a top-level or nested original length, transformers' Phi3Config default 4096 applies.
        json.Remove("original_max_position_embeddings");
        scaling.Remove("original_max_position_embeddings");
        Assert.Equal(4096, Parse(json).RopeScaling!.OriginalMaxPositionEmbeddings);

        json["original_max_position_embeddings"] = 8;
        scaling["attention_factor"] = 0.0;
        Assert.Contains($"'{field}.attention_factor' is 0; expected a positive number.", Fails(json));

        // No attention factor given and the context not longer than the original: 1.
        scaling.Remove("attention_factor");
        json["max_position_embeddings"] = 8;
        Assert.Equal(1.0, Parse(json).RopeScaling!.AttentionFactor);
        json["max_position_embeddings"] = 9;
        Assert.Equal(Math.Sqrt(1 + (Math.Log(9.0 / 8) / Math.Log(8))), Parse(json).RopeScaling!.AttentionFactor, 12);
    }

    [Fact]
    public void MalformedFieldsAreNamed()
    {
        var json = Of(TinyCheckpoints.LlamaGqaF32);
        json["architectures"] = new JsonArray();
        Assert.Contains("field 'architectures' is []; expected a non-empty list of names.", Fails(json));
        json["architectures"] = new JsonArray(1);
        Assert.Contains("field 'architectures' is [1]; expected a non-empty list of names.", Fails(json));
        json["architectures"] = new JsonArray("LlamaForCausalLM");

        json["rope_parameters"] = 5;
        Assert.Contains("field 'rope_parameters' is 5; expected an object.", Fails(json));
        json.Remove("rope_parameters");
        json["rope_scaling"] = "x";
        Assert.Contains("field 'rope_scaling' is \"x\"; expected an object or null.", Fails(json));
        json.Remove("rope_scaling");

        Assert.Contains("expected a JSON object, found Array.", Assert.Throws<CheckpointException>(() => ModelConfig.Parse("[]", Source)).Message);
        Assert.Equal("json", Assert.Throws<ArgumentNullException>(() => ModelConfig.Parse(null!, Source)).ParamName);
        Assert.Equal("sourceName", Assert.Throws<ArgumentNullException>(() => ModelConfig.Parse("{}", null!)).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => ModelConfig.Load(null!)).ParamName);
    }

    [Fact]
    public void CommentsTrailingCommasAndTheOlderDtypeNameAreRead()
    {
        var json = Of(TinyCheckpoints.LlamaGqaF32);
        json["dtype"] = "bfloat16"; // transformers 5's name; torch_dtype (older) wins when both are written
        string text = json.ToJsonString();
        string relaxed = "// written by hand\n" + text[..^1] + ",\n}";
        Assert.Equal("float32", ModelConfig.Parse(relaxed, Source).TorchDtype);
        json.Remove("torch_dtype");
        Assert.Equal("bfloat16", Parse(json).TorchDtype);
    }

    [Theory]
    [InlineData("hidden_size")]
    [InlineData("intermediate_size")]
    [InlineData("num_hidden_layers")]
    [InlineData("num_attention_heads")]
    [InlineData("num_key_value_heads")]
    [InlineData("head_dim")]
    [InlineData("max_position_embeddings")]
    [InlineData("vocab_size")]
    public void EveryPositiveSizeAtZeroIsNamed(string field)
    {
        var json = Of(TinyCheckpoints.LlamaGqaF32);
        json["head_dim"] = 16;
        json[field] = 0;
        Assert.Contains($"'{field}' is 0; expected a positive integer.", Fails(json));
    }

    [Fact]
    public void AbsentBiasFlagsMeanNoBiasesAndAContextShorterThanTheOriginalKeepsAttentionAtOne()
    {
        var json = Of(TinyCheckpoints.LlamaGqaF32);
        json.Remove("attention_bias");
        json.Remove("mlp_bias");
        var config = Parse(json);
        Assert.False(config.AttentionQkvBias);
        Assert.False(config.AttentionOutputBias);
        Assert.False(config.MlpBias);

        // LongRoPE with max_position_embeddings below the original length: no attention scaling (transformers: factor <= 1 gives 1).
        var phi = Of(TinyCheckpoints.Phi3LongRopePartial);
        phi["rope_scaling"]!.AsObject().Remove("attention_factor");
        phi["original_max_position_embeddings"] = 8;
        phi["max_position_embeddings"] = 4;
        Assert.Equal(1.0, Parse(phi).RopeScaling!.AttentionFactor);
    }

    [Fact]
    public void MistralWithoutAMaximumLengthTakesTransformersDefault()
    {
        var json = Of(TinyCheckpoints.MistralSliding);
        json.Remove("max_position_embeddings");
        Assert.Equal(4096 * 32, Parse(json).MaxPositionEmbeddings);
    }
}
