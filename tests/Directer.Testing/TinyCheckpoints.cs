using Directer.Core.Checkpoints;
using Directer.Core.PythonCompat;
using Directer.Core.Runtime;
using TorchSharp;

namespace Directer.Testing;

/// <summary>
/// Writes deterministic tiny random checkpoints in the exact Hugging Face layout: <c>config.json</c> and
/// <c>generation_config.json</c> as transformers writes them, and <c>model.safetensors</c> (or shards plus
/// <c>model.safetensors.index.json</c>) with HF tensor names and shapes. Same bytes on every machine.
/// </summary>
public static class TinyCheckpoints
{
    /// <summary>The transformers version written into config.json (the classic, pre-5 layout).</summary>
    public const string TransformersVersion = "4.46.3";

    /// <summary>Llama, GQA (4 query heads, 2 key/value heads), untied head, F32.</summary>
    public static readonly TinyCheckpointSpec LlamaGqaF32 = new() { Name = "llama-gqa-f32" };

    /// <summary>Qwen2 with q/k/v biases, tied embeddings, BF16 weights, eos as a list [2, 3].</summary>
    public static readonly TinyCheckpointSpec Qwen2BiasTiedBf16 = new()
    {
        Name = "qwen2-bias-tied-bf16",
        Architecture = "Qwen2ForCausalLM",
        TieWordEmbeddings = true,
        DType = "BF16",
        EosTokenIds = [2, 3],
        RmsNormEps = 1e-6,
        RopeTheta = 1000000.0,
        SlidingWindow = 32,
        UseSlidingWindow = false,
        Seed = 7,
    };

    /// <summary>
    /// Llama 3.1-style rope scaling (llama3, factor 8, low 1, high 4, original_max_position_embeddings 16, so the
    /// scaling matters at short positions) and an explicit head_dim 32 != hidden/heads (16), F32.
    /// </summary>
    public static readonly TinyCheckpointSpec Llama31RopeScaling = new()
    {
        Name = "llama31-rope-scaling",
        HeadDim = 32,
        RopeTheta = 500000.0,
        RopeScaling = new RopeScaling("llama3", 8.0, 1.0, 4.0, 16),
        Seed = 31,
    };

    /// <summary>Llama with multi-head attention (4 key/value heads) in F16, split across 2 shards with an index.</summary>
    public static readonly TinyCheckpointSpec LlamaSharded = new()
    {
        Name = "llama-sharded",
        NumKeyValueHeads = 4,
        DType = "F16",
        Shards = 2,
        Seed = 2,
    };

    /// <summary>Mistral with sliding_window 32, F32.</summary>
    public static readonly TinyCheckpointSpec MistralSliding = new()
    {
        Name = "mistral-sliding",
        Architecture = "MistralForCausalLM",
        SlidingWindow = 32,
        RmsNormEps = 1e-6,
        Seed = 13,
    };

    /// <summary>Llama with attention_bias (q/k/v/o biases) and mlp_bias, F32.</summary>
    public static readonly TinyCheckpointSpec LlamaBiasF32 = new()
    {
        Name = "llama-bias-f32",
        AttentionBias = true,
        MlpBias = true,
        Seed = 99,
    };

    /// <summary>
    /// Qwen3 as Qwen3-0.6B is shaped: per-head q/k RMSNorm, no biases, head_dim 32 != hidden/heads (16), tied
    /// embeddings, BF16, rope_theta 1e6, eos as a list.
    /// </summary>
    public static readonly TinyCheckpointSpec Qwen3TiedBf16 = new()
    {
        Name = "qwen3-tied-bf16",
        Architecture = "Qwen3ForCausalLM",
        HeadDim = 32,
        TieWordEmbeddings = true,
        DType = "BF16",
        EosTokenIds = [2, 3],
        RmsNormEps = 1e-6,
        RopeTheta = 1000000.0,
        Seed = 3,
    };

    /// <summary>Phi-3 as Phi-3-mini-4k is shaped: fused qkv_proj and gate_up_proj, no rope scaling, sliding_window, F32 (GQA, as Phi-4-mini).</summary>
    public static readonly TinyCheckpointSpec Phi3Fused = new()
    {
        Name = "phi3-fused-f32",
        Architecture = "Phi3ForCausalLM",
        SlidingWindow = 47,
        OriginalMaxPositionEmbeddings = 128,
        Seed = 33,
    };

    /// <summary>
    /// Phi-3.5/Phi-4-mini-style LongRoPE (short and long factors, max 128 over original 32, so an attention factor
    /// of sqrt(1 + ln 4 / ln 32)) with partial_rotary_factor 0.75 (12 of 16 head dimensions rotate), BF16.
    /// </summary>
    public static readonly TinyCheckpointSpec Phi3LongRopePartial = new()
    {
        Name = "phi3-longrope-partial",
        Architecture = "Phi3ForCausalLM",
        PartialRotaryFactor = 0.75,
        LongRopeShortFactor = [1.0, 1.05, 1.3, 1.9, 2.7, 4.1],
        LongRopeLongFactor = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0],
        OriginalMaxPositionEmbeddings = 32,
        DType = "BF16",
        Seed = 35,
    };

    /// <summary>
    /// Llama 3.2 1B/3B-shaped: tied embeddings (no lm_head.weight stored) with llama3 rope scaling (factor 32,
    /// low 1, high 4, original 16 so it matters at short positions), theta 500000, BF16, eos as a list.
    /// </summary>
    public static readonly TinyCheckpointSpec Llama32Tied = new()
    {
        Name = "llama32-tied",
        TieWordEmbeddings = true,
        RopeTheta = 500000.0,
        RopeScaling = new RopeScaling("llama3", 32.0, 1.0, 4.0, 16),
        DType = "BF16",
        EosTokenIds = [2, 3],
        Seed = 32,
    };

    /// <summary>Every named spec.</summary>
    public static IReadOnlyList<TinyCheckpointSpec> All { get; } =
        [LlamaGqaF32, Qwen2BiasTiedBf16, Llama31RopeScaling, LlamaSharded, MistralSliding, LlamaBiasF32, Qwen3TiedBf16, Phi3Fused, Phi3LongRopePartial, Llama32Tied];

    /// <summary>The spec of that name.</summary>
    /// <param name="name">e.g. <c>llama-gqa-f32</c>.</param>
    public static TinyCheckpointSpec Get(string name) =>
        All.FirstOrDefault(s => s.Name == name)
        ?? throw new ArgumentException($"No tiny checkpoint '{name}'; known: {string.Join(", ", All.Select(s => s.Name))}.", nameof(name));

    /// <summary>Writes every spec into <c>outputDirectory/&lt;name&gt;/</c>.</summary>
    /// <param name="outputDirectory">The parent folder.</param>
    /// <returns>The folders written.</returns>
    public static IReadOnlyList<string> WriteAll(string outputDirectory) =>
        All.Select(spec => Write(spec, Path.Combine(outputDirectory, spec.Name))).ToList();

    /// <summary>
    /// Writes one checkpoint into <paramref name="directory"/> (created; weight files from an earlier write are
    /// replaced).
    /// </summary>
    /// <param name="spec">What to write.</param>
    /// <param name="directory">The checkpoint folder.</param>
    /// <returns>The full path of the folder.</returns>
    public static string Write(TinyCheckpointSpec spec, string directory)
    {
        ArgumentNullException.ThrowIfNull(spec);
        TorchRuntime.EnsureInitialized();
        string folder = Path.GetFullPath(directory);
        Directory.CreateDirectory(folder);
        foreach (string stale in Directory.GetFiles(folder, "model*.safetensors*"))
        {
            File.Delete(stale);
        }

        string configJson = ConfigJson(spec);
        File.WriteAllText(Path.Combine(folder, "config.json"), configJson);
        File.WriteAllText(Path.Combine(folder, "generation_config.json"), GenerationConfigJson(spec));

        ModelConfig config = ModelConfig.Parse(configJson, Path.Combine(folder, "config.json"));
        IReadOnlyList<ExpectedTensor> layout = CheckpointLayout.For(config);
        List<List<ExpectedTensor>> shards = Split(layout, spec.Shards, spec.DType);
        var metadata = new Dictionary<string, string> { ["format"] = "pt" };
        var weightMap = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        long totalSize = 0;
        for (int s = 0; s < shards.Count; s++)
        {
            string fileName = shards.Count == 1
                ? CheckpointWeights.SingleFileName
                : $"model-{s + 1:D5}-of-{shards.Count:D5}.safetensors";
            using var scope = torch.NewDisposeScope();
            var tensors = new List<KeyValuePair<string, torch.Tensor>>();
            foreach (ExpectedTensor expected in shards[s].OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                torch.Tensor tensor = CreateTensor(spec, expected);
                tensors.Add(new(expected.Name, tensor));
                totalSize += tensor.NumberOfElements * tensor.ElementSize;
                weightMap[expected.Name] = fileName;
            }

            SafetensorsWriter.Write(Path.Combine(folder, fileName), tensors, metadata);
        }

        if (shards.Count > 1)
        {
            var index = new Dictionary<string, object?>
            {
                ["metadata"] = new Dictionary<string, object?> { ["total_size"] = totalSize },
                ["weight_map"] = weightMap,
            };
            File.WriteAllText(Path.Combine(folder, CheckpointWeights.IndexFileName), ConfigText(index));
        }

        return folder;
    }

    /// <summary>The config.json text for a spec, with the keys and layout transformers writes for its architecture.</summary>
    /// <param name="spec">The spec.</param>
    public static string ConfigJson(TinyCheckpointSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var config = new Dictionary<string, object?>
        {
            ["architectures"] = new[] { spec.Architecture },
            ["attention_dropout"] = 0.0,
            ["bos_token_id"] = spec.BosTokenId,
            ["eos_token_id"] = EosValue(spec),
            ["hidden_act"] = "silu",
            ["hidden_size"] = spec.HiddenSize,
            ["initializer_range"] = 0.02,
            ["intermediate_size"] = spec.IntermediateSize,
            ["max_position_embeddings"] = spec.MaxPositionEmbeddings,
            ["model_type"] = spec.ModelType,
            ["num_attention_heads"] = spec.NumAttentionHeads,
            ["num_hidden_layers"] = spec.NumHiddenLayers,
            ["num_key_value_heads"] = spec.NumKeyValueHeads,
            ["rms_norm_eps"] = spec.RmsNormEps,
            ["rope_theta"] = spec.RopeTheta,
            ["tie_word_embeddings"] = spec.TieWordEmbeddings,
            ["torch_dtype"] = spec.TorchDtype,
            ["transformers_version"] = TransformersVersion,
            ["use_cache"] = true,
            ["vocab_size"] = spec.VocabSize,
        };
        int defaultHeadDim = spec.HiddenSize / spec.NumAttentionHeads;
        switch (spec.ModelType)
        {
            case "llama":
                config["attention_bias"] = spec.AttentionBias;
                config["head_dim"] = spec.HeadDim ?? defaultHeadDim;
                config["mlp_bias"] = spec.MlpBias;
                config["pretraining_tp"] = 1;
                config["rope_scaling"] = RopeScalingValue(spec.RopeScaling);
                break;
            case "mistral":
                config["head_dim"] = spec.HeadDim ?? defaultHeadDim;
                config["sliding_window"] = spec.SlidingWindow;
                break;
            case "qwen2":
            case "qwen3":
                if (spec.HeadDim is { } headDim)
                {
                    config["head_dim"] = headDim;
                }
                else if (spec.ModelType == "qwen3")
                {
                    config["head_dim"] = defaultHeadDim;
                }

                if (spec.ModelType == "qwen3")
                {
                    config["attention_bias"] = spec.AttentionBias;
                }

                config["max_window_layers"] = spec.NumHiddenLayers;
                config["rope_scaling"] = RopeScalingValue(spec.RopeScaling);
                config["sliding_window"] = spec.SlidingWindow;
                config["use_sliding_window"] = spec.UseSlidingWindow;
                break;
            case "phi3":
                config["attention_bias"] = false;
                config["embd_pdrop"] = 0.0;
                config["original_max_position_embeddings"] = spec.OriginalMaxPositionEmbeddings;
                config["pad_token_id"] = 0;
                config["resid_pdrop"] = 0.0;
                config["rope_scaling"] = spec.LongRopeShortFactor is { } shortFactor
                    ? new Dictionary<string, object?>
                    {
                        ["long_factor"] = (spec.LongRopeLongFactor ?? throw new InvalidOperationException($"Spec '{spec.Name}': a LongRoPE short factor needs a long factor.")).ToArray(),
                        ["short_factor"] = shortFactor.ToArray(),
                        ["type"] = "longrope",
                    }
                    : RopeScalingValue(spec.RopeScaling);
                config["sliding_window"] = spec.SlidingWindow;
                if (spec.PartialRotaryFactor is { } partial)
                {
                    config["partial_rotary_factor"] = partial;
                }

                break;
        }

        return ConfigText(config);
    }

    /// <summary>The generation_config.json text for a spec.</summary>
    /// <param name="spec">The spec.</param>
    public static string GenerationConfigJson(TinyCheckpointSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return ConfigText(new Dictionary<string, object?>
        {
            ["_from_model_config"] = true,
            ["bos_token_id"] = spec.BosTokenId,
            ["eos_token_id"] = EosValue(spec),
            ["transformers_version"] = TransformersVersion,
        });
    }

    /// <summary>What transformers writes: <c>json.dumps(value, indent=2, sort_keys=True) + "\n"</c>.</summary>
    private static string ConfigText(object value) =>
        PythonJson.Dumps(PythonJsonConversion.FromObject(value), indent: 2, sortKeys: true, ensureAscii: true) + "\n";

    /// <summary>The float32 values of one tensor of a spec, before conversion to the spec's dtype.</summary>
    /// <param name="spec">The spec (its seed).</param>
    /// <param name="name">The HF tensor name.</param>
    /// <param name="count">The number of elements.</param>
    public static float[] Values(TinyCheckpointSpec spec, string name, long count)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(name);
        var random = DeterministicRandom.ForName(spec.Seed, name);
        var (mean, std) = Distribution(name);
        var values = new float[count];
        for (long i = 0; i < count; i++)
        {
            values[i] = (float)(mean + (std * random.NextNormal()));
        }

        return values;
    }

    private static (double Mean, double Std) Distribution(string name)
    {
        if (name.EndsWith("layernorm.weight", StringComparison.Ordinal) || name.EndsWith("_norm.weight", StringComparison.Ordinal) || name == CheckpointLayout.FinalNorm)
        {
            return (1.0, 0.1);
        }

        if (name.EndsWith(".bias", StringComparison.Ordinal))
        {
            return (0.0, 0.05);
        }

        if (name.Contains("q_proj", StringComparison.Ordinal) || name.Contains("k_proj", StringComparison.Ordinal) || name.Contains("qkv_proj", StringComparison.Ordinal)
            || name == CheckpointLayout.EmbedTokens || name == CheckpointLayout.LmHead)
        {
            return (0.0, 0.1);
        }

        return (0.0, 0.05);
    }

    private static torch.Tensor CreateTensor(TinyCheckpointSpec spec, ExpectedTensor expected)
    {
        long count = expected.Shape.Aggregate(1L, (a, b) => a * b);
        torch.Tensor values = torch.tensor(Values(spec, expected.Name, count), expected.Shape, torch.ScalarType.Float32);
        torch.ScalarType dtype = spec.DType switch
        {
            "F32" => torch.ScalarType.Float32,
            "BF16" => torch.ScalarType.BFloat16,
            "F16" => torch.ScalarType.Float16,
            _ => throw new InvalidOperationException($"Spec '{spec.Name}': unsupported dtype '{spec.DType}'."),
        };
        return dtype == torch.ScalarType.Float32 ? values : values.to(dtype);
    }

    private static List<List<ExpectedTensor>> Split(IReadOnlyList<ExpectedTensor> layout, int shards, string dtype)
    {
        if (shards < 1 || shards > layout.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(shards), shards, $"Between 1 and {layout.Count} shards.");
        }

        long elementSize = dtype == "F32" ? 4 : 2;
        long Bytes(ExpectedTensor t) => t.Shape.Aggregate(elementSize, (a, b) => a * b);
        long total = layout.Sum(Bytes);
        var result = new List<List<ExpectedTensor>> { new() };
        long done = 0;
        for (int i = 0; i < layout.Count; i++)
        {
            int remainingTensors = layout.Count - i;
            int remainingShards = shards - result.Count;
            bool full = done >= total * result.Count / shards;
            if (result[^1].Count > 0 && remainingShards > 0 && (full || remainingTensors == remainingShards))
            {
                result.Add(new List<ExpectedTensor>());
            }

            result[^1].Add(layout[i]);
            done += Bytes(layout[i]);
        }

        return result;
    }

    private static object EosValue(TinyCheckpointSpec spec) =>
        spec.EosTokenIds.Count == 1 ? spec.EosTokenIds[0] : spec.EosTokenIds.ToArray();

    private static Dictionary<string, object?>? RopeScalingValue(RopeScaling? scaling)
    {
        if (scaling is null)
        {
            return null;
        }

        var value = new Dictionary<string, object?> { ["factor"] = scaling.Factor, ["rope_type"] = scaling.Type };
        if (scaling.Type == "llama3")
        {
            value["low_freq_factor"] = scaling.LowFreqFactor;
            value["high_freq_factor"] = scaling.HighFreqFactor;
            value["original_max_position_embeddings"] = scaling.OriginalMaxPositionEmbeddings;
        }

        return value;
    }
}
