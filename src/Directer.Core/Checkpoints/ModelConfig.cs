using System.Text.Json;

namespace Directer.Core.Checkpoints;

/// <summary>
/// The parts of a Hugging Face <c>config.json</c> that a Llama-family decoder needs, parsed and validated.
/// Supports <c>LlamaForCausalLM</c> (Llama 2/3/3.x, SmolLM, TinyLlama), <c>MistralForCausalLM</c>,
/// <c>Qwen2ForCausalLM</c>, <c>Qwen3ForCausalLM</c> and <c>Phi3ForCausalLM</c>, with the defaults transformers
/// applies for absent fields. Reads both the classic
/// layout (<c>rope_theta</c>, <c>rope_scaling</c>, <c>torch_dtype</c>) and the transformers 5 one
/// (<c>rope_parameters</c>, <c>dtype</c>).
/// </summary>
public sealed record ModelConfig
{
    /// <summary>The architectures Directer runs, as listed in error messages.</summary>
    public const string SupportedArchitectures = "LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM, Phi3ForCausalLM";

    // Architecture -> model_type, as transformers' config classes name them.
    private static readonly Dictionary<string, string> ModelTypes = new(StringComparer.Ordinal)
    {
        ["LlamaForCausalLM"] = "llama",
        ["MistralForCausalLM"] = "mistral",
        ["Qwen2ForCausalLM"] = "qwen2",
        ["Qwen3ForCausalLM"] = "qwen3",
        ["Phi3ForCausalLM"] = "phi3",
    };

    /// <summary>The file (or other source) the configuration was read from; error messages name it.</summary>
    public required string SourceName { get; init; }

    /// <summary>The first entry of <c>architectures</c>, e.g. <c>LlamaForCausalLM</c>.</summary>
    public required string Architecture { get; init; }

    /// <summary><c>model_type</c>: <c>llama</c>, <c>mistral</c>, <c>qwen2</c>, <c>qwen3</c> or <c>phi3</c>.</summary>
    public required string ModelType { get; init; }

    /// <summary><c>hidden_size</c>: width of the residual stream.</summary>
    public required int HiddenSize { get; init; }

    /// <summary><c>intermediate_size</c>: width of the MLP.</summary>
    public required int IntermediateSize { get; init; }

    /// <summary><c>num_hidden_layers</c>.</summary>
    public required int NumHiddenLayers { get; init; }

    /// <summary><c>num_attention_heads</c>: query heads.</summary>
    public required int NumAttentionHeads { get; init; }

    /// <summary><c>num_key_value_heads</c> (defaults to the number of query heads).</summary>
    public required int NumKeyValueHeads { get; init; }

    /// <summary><c>head_dim</c> when given, else <c>hidden_size / num_attention_heads</c> (Qwen3: 128, as Qwen3Config).</summary>
    public required int HeadDim { get; init; }

    /// <summary>
    /// How many leading dimensions of each head RoPE rotates: <c>int(head_dim * partial_rotary_factor)</c> (Phi-3 family,
    /// e.g. Phi-4-mini's 0.75); the rest pass through unrotated. Equal to <see cref="HeadDim"/> for every other model.
    /// </summary>
    public required int RotaryDim { get; init; }

    /// <summary>
    /// Qwen3: an RMSNorm over each query head and each key head (<c>self_attn.q_norm</c>, <c>self_attn.k_norm</c>,
    /// weights of <see cref="HeadDim"/>), applied after the projections and before RoPE.
    /// </summary>
    public bool QueryKeyNorm { get; init; }

    /// <summary>
    /// Phi-3: the checkpoint stores q/k/v as one <c>self_attn.qkv_proj</c> (rows q, then k, then v) and gate/up as one
    /// <c>mlp.gate_up_proj</c> (rows gate, then up) instead of separate projections.
    /// </summary>
    public bool FusedProjections { get; init; }

    /// <summary><c>rms_norm_eps</c> (default 1e-6; Phi-3 1e-5).</summary>
    public required double RmsNormEps { get; init; }

    /// <summary><c>rope_theta</c> (default 10000).</summary>
    public required double RopeTheta { get; init; }

    /// <summary>RoPE scaling; null for none (absent, null or <c>"default"</c>).</summary>
    public RopeScaling? RopeScaling { get; init; }

    /// <summary><c>tie_word_embeddings</c> (default false): the LM head reuses <c>model.embed_tokens.weight</c>.</summary>
    public required bool TieWordEmbeddings { get; init; }

    /// <summary><c>vocab_size</c>.</summary>
    public required int VocabSize { get; init; }

    /// <summary><c>bos_token_id</c> (an int, a list or null; empty when none).</summary>
    public required IReadOnlyList<int> BosTokenIds { get; init; }

    /// <summary><c>eos_token_id</c> (an int, a list or null; empty when none).</summary>
    public required IReadOnlyList<int> EosTokenIds { get; init; }

    /// <summary><c>max_position_embeddings</c> (default per architecture, as transformers).</summary>
    public required int MaxPositionEmbeddings { get; init; }

    /// <summary>Whether q/k/v projections have biases (always for Qwen2; <c>attention_bias</c> for Llama and Qwen3).</summary>
    public required bool AttentionQkvBias { get; init; }

    /// <summary>Whether the output projection has a bias (<c>attention_bias</c> for Llama and Qwen3; never for Qwen2, Mistral and Phi-3).</summary>
    public required bool AttentionOutputBias { get; init; }

    /// <summary>Whether the MLP projections have biases (<c>mlp_bias</c> for Llama; never otherwise).</summary>
    public required bool MlpBias { get; init; }

    /// <summary>
    /// The sliding-window size, when any layer uses one: Mistral's and Phi-3's <c>sliding_window</c>; Qwen2's and
    /// Qwen3's only when <c>use_sliding_window</c> is true. See <see cref="SlidingWindowLayers"/> for which layers.
    /// </summary>
    public int? SlidingWindow { get; init; }

    /// <summary>
    /// Per layer, whether it uses <see cref="SlidingWindow"/> (all layers for Mistral and Phi-3; for Qwen2/Qwen3 the layers from
    /// <c>max_window_layers</c> on, or those marked <c>sliding_attention</c> in <c>layer_types</c>).
    /// </summary>
    public required IReadOnlyList<bool> SlidingWindowLayers { get; init; }

    /// <summary><c>torch_dtype</c> (or transformers 5's <c>dtype</c>), e.g. <c>bfloat16</c>; null when absent.</summary>
    public string? TorchDtype { get; init; }

    /// <summary><c>hidden_act</c>; always <c>silu</c> (anything else is refused).</summary>
    public required string HiddenAct { get; init; }

    /// <summary>Query heads per key/value head.</summary>
    public int NumKeyValueGroups => NumAttentionHeads / NumKeyValueHeads;

    /// <summary>Output width of <c>q_proj</c>: <c>num_attention_heads * head_dim</c>.</summary>
    public int QueryDim => NumAttentionHeads * HeadDim;

    /// <summary>Output width of <c>k_proj</c> and <c>v_proj</c>: <c>num_key_value_heads * head_dim</c>.</summary>
    public int KeyValueDim => NumKeyValueHeads * HeadDim;

    /// <summary>The sliding window of one layer, or null when that layer attends to all positions.</summary>
    /// <param name="layer">Layer index, 0-based.</param>
    public int? SlidingWindowFor(int layer) => SlidingWindowLayers[layer] ? SlidingWindow : null;

    /// <summary>Reads and validates a config.json file.</summary>
    /// <param name="path">The config.json file.</param>
    /// <exception cref="CheckpointException">The file is missing, not JSON, or describes an unsupported or invalid model.</exception>
    public static ModelConfig Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new CheckpointException($"Model config '{fullPath}' does not exist; a Hugging Face checkpoint folder has a config.json.", fullPath);
        }

        string json;
        try
        {
            byte[] bytes = File.ReadAllBytes(fullPath);
            if (Tokenization.Utf8Validation.FindInvalid(bytes) is long bad)
            {
                throw new CheckpointException($"Model config '{fullPath}' is not valid UTF-8: invalid byte sequence at byte {bad}.", fullPath);
            }

            json = System.Text.Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"Model config '{fullPath}' cannot be read: {e.Message}", fullPath, inner: e);
        }

        return Parse(json, fullPath);
    }

    /// <summary>Parses and validates config.json text.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="sourceName">Where it came from (a path), for error messages.</param>
    /// <exception cref="CheckpointException">Not JSON, or an unsupported or invalid model; the message names the field.</exception>
    public static ModelConfig Parse(string json, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(sourceName);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"{sourceName}: not valid JSON: {e.Message}", sourceName, inner: e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointException($"{sourceName}: expected a JSON object, found {document.RootElement.ValueKind}.", sourceName);
            }

            return FromJson(new ConfigJson(document.RootElement, sourceName));
        }
    }

    private static ModelConfig FromJson(ConfigJson config)
    {
        string architecture = ReadArchitecture(config);
        string expectedModelType = ModelTypes[architecture];
        string modelType = config.OptionalString("model_type") ?? expectedModelType;
        if (modelType != expectedModelType)
        {
            throw config.Error($"'model_type' is '{modelType}' but architecture {architecture} has model_type '{expectedModelType}'.");
        }

        bool isLlama = architecture == "LlamaForCausalLM";
        bool isQwen2 = architecture == "Qwen2ForCausalLM";
        bool isQwen3 = architecture == "Qwen3ForCausalLM";
        bool isPhi3 = architecture == "Phi3ForCausalLM";
        if (config.Get("quantization_config") is { } quantization)
        {
            string method = quantization.ValueKind == JsonValueKind.Object && quantization.TryGetProperty("quant_method", out JsonElement m)
                ? m.ToString()
                : "unknown";
            throw config.Error($"the checkpoint is quantized (quantization_config, quant_method '{method}'); only F32, BF16 and F16 weights are supported.");
        }

        string hiddenAct = config.OptionalString("hidden_act") ?? "silu";
        if (hiddenAct != "silu")
        {
            throw config.Error($"'hidden_act' is '{hiddenAct}'; only 'silu' is supported.");
        }

        int hidden = Positive(config, "hidden_size", config.RequiredInt("hidden_size"));
        int intermediate = Positive(config, "intermediate_size", config.RequiredInt("intermediate_size"));
        int layers = Positive(config, "num_hidden_layers", config.RequiredInt("num_hidden_layers"));
        int heads = Positive(config, "num_attention_heads", config.RequiredInt("num_attention_heads"));

        // An absent key takes transformers' keyword default (Qwen2Config and Qwen3Config: 32, MistralConfig: 8; Llama and
        // Phi-3: None), while an explicit null means "as many as the query heads" in every config class.
        bool kvHeadsAbsent = !config.Root.TryGetProperty("num_key_value_heads", out _);
        int? kvHeadsDefault = !kvHeadsAbsent ? null : architecture switch
        {
            "Qwen2ForCausalLM" or "Qwen3ForCausalLM" => 32,
            "MistralForCausalLM" => 8,
            _ => null,
        };
        int kvHeads = Positive(config, "num_key_value_heads", config.OptionalInt("num_key_value_heads") ?? kvHeadsDefault ?? heads);
        int vocab = Positive(config, "vocab_size", config.RequiredInt("vocab_size"));
        if (heads % kvHeads != 0)
        {
            throw config.Error($"'num_attention_heads' ({heads}) is not divisible by 'num_key_value_heads' ({kvHeads}).");
        }

        int headDim;
        if (config.OptionalInt("head_dim") is { } explicitHeadDim)
        {
            headDim = Positive(config, "head_dim", explicitHeadDim);
        }
        else if (isQwen3)
        {
            headDim = 128; // Qwen3Config's default, not hidden/heads
        }
        else
        {
            if (hidden % heads != 0)
            {
                throw config.Error($"'hidden_size' ({hidden}) is not divisible by 'num_attention_heads' ({heads}) and no 'head_dim' is given.");
            }

            headDim = hidden / heads;
        }

        if (headDim % 2 != 0)
        {
            throw config.Error($"head dimension {headDim} is odd; rotary embeddings need an even head dimension.");
        }

        int maxPositions = Positive(config, "max_position_embeddings", config.OptionalInt("max_position_embeddings") ?? architecture switch
        {
            "LlamaForCausalLM" => 2048,
            "MistralForCausalLM" => 4096 * 32,
            "Phi3ForCausalLM" => 4096,
            _ => 32768,
        });

        double rmsNormEps = config.OptionalDouble("rms_norm_eps") ?? (isPhi3 ? 1e-5 : 1e-6);
        if (!(rmsNormEps > 0))
        {
            throw config.Error($"'rms_norm_eps' is {rmsNormEps}; expected a positive number.");
        }

        int rotaryDim = ReadRotaryDim(config, architecture, headDim);
        var (ropeTheta, ropeScaling) = ReadRope(config, architecture, maxPositions, rotaryDim);

        bool attentionBias = (isLlama || isQwen3) && (config.OptionalBool("attention_bias") ?? false);
        var (slidingWindow, slidingLayers) = ReadSlidingWindow(config, architecture, layers);

        return new ModelConfig
        {
            SourceName = config.SourceName,
            Architecture = architecture,
            ModelType = modelType,
            HiddenSize = hidden,
            IntermediateSize = intermediate,
            NumHiddenLayers = layers,
            NumAttentionHeads = heads,
            NumKeyValueHeads = kvHeads,
            HeadDim = headDim,
            RotaryDim = rotaryDim,
            QueryKeyNorm = isQwen3,
            FusedProjections = isPhi3,
            RmsNormEps = rmsNormEps,
            RopeTheta = ropeTheta,
            RopeScaling = ropeScaling,
            TieWordEmbeddings = config.OptionalBool("tie_word_embeddings") ?? false,
            VocabSize = vocab,
            BosTokenIds = config.IntOrList("bos_token_id"),
            EosTokenIds = config.IntOrList("eos_token_id"),
            MaxPositionEmbeddings = maxPositions,
            AttentionQkvBias = isQwen2 || attentionBias,
            AttentionOutputBias = attentionBias,
            MlpBias = isLlama && (config.OptionalBool("mlp_bias") ?? false),
            SlidingWindow = slidingWindow,
            SlidingWindowLayers = slidingLayers,
            TorchDtype = config.OptionalString("torch_dtype") ?? config.OptionalString("dtype"),
            HiddenAct = hiddenAct,
        };
    }

    /// <summary>
    /// <c>partial_rotary_factor</c> (top level, or in transformers 5's <c>rope_parameters</c>): Phi-3's rotary embedding
    /// rotates only <c>int(head_dim * factor)</c> dimensions. The other architectures' attention rotates the whole head,
    /// so a factor other than 1 there is refused rather than ignored.
    /// </summary>
    private static int ReadRotaryDim(ConfigJson config, string architecture, int headDim)
    {
        double factor = config.OptionalDouble("partial_rotary_factor")
            ?? (config.Get("rope_parameters") is { ValueKind: JsonValueKind.Object } p
                ? new ConfigJson(p, config.SourceName, "rope_parameters.").OptionalDouble("partial_rotary_factor")
                : null)
            ?? 1.0;
        if (factor == 1.0)
        {
            return headDim;
        }

        if (architecture != "Phi3ForCausalLM")
        {
            throw config.Error($"'partial_rotary_factor' is {factor}; {architecture} rotates whole heads, so only 1.0 is supported (partial rotary embeddings: Phi3ForCausalLM).");
        }

        if (!(factor > 0 && factor < 1))
        {
            throw config.Error($"'partial_rotary_factor' is {factor}; expected a number in (0, 1].");
        }

        int rotary = (int)(headDim * factor); // Python's int(): truncation
        if (rotary < 2 || rotary % 2 != 0)
        {
            throw config.Error($"'partial_rotary_factor' {factor} × head dimension {headDim} gives {rotary} rotary dimensions; rotary embeddings need a positive even number.");
        }

        return rotary;
    }

    private static string ReadArchitecture(ConfigJson config)
    {
        if (config.Get("architectures") is not { } architectures)
        {
            throw config.Error($"required field 'architectures' is missing; expected a list such as [\"LlamaForCausalLM\"]. Supported: {SupportedArchitectures}.");
        }

        if (architectures.ValueKind != JsonValueKind.Array || architectures.GetArrayLength() == 0
            || architectures[0].ValueKind != JsonValueKind.String)
        {
            throw config.Error($"field 'architectures' is {architectures.GetRawText()}; expected a non-empty list of names. Supported: {SupportedArchitectures}.");
        }

        string architecture = architectures[0].GetString()!;
        if (!ModelTypes.ContainsKey(architecture))
        {
            throw config.Error($"architecture '{architecture}' is not supported. Supported architectures: {SupportedArchitectures}.");
        }

        return architecture;
    }

    private static (double Theta, RopeScaling? Scaling) ReadRope(ConfigJson config, string architecture, int maxPositions, int rotaryDim)
    {
        // transformers 5 writes rope_parameters {rope_type, rope_theta, factor, ...}; older versions write
        // rope_theta and rope_scaling {rope_type|type, factor, ...}.
        JsonElement? parameters = config.Get("rope_parameters");
        if (parameters is { } p && p.ValueKind != JsonValueKind.Object)
        {
            throw config.Error($"field 'rope_parameters' is {p.GetRawText()}; expected an object.");
        }

        JsonElement? scaling = config.Get("rope_scaling");
        if (scaling is { } s && s.ValueKind != JsonValueKind.Object)
        {
            throw config.Error($"field 'rope_scaling' is {s.GetRawText()}; expected an object or null.");
        }

        var parametersJson = parameters is { } pj ? new ConfigJson(pj, config.SourceName, "rope_parameters.") : (ConfigJson?)null;
        double theta = parametersJson?.OptionalDouble("rope_theta") ?? config.OptionalDouble("rope_theta") ?? 10000.0;
        if (!(theta > 0))
        {
            throw config.Error($"'rope_theta' is {theta}; expected a positive number.");
        }

        ConfigJson? source = parametersJson ?? (scaling is { } sj ? new ConfigJson(sj, config.SourceName, "rope_scaling.") : null);
        if (source is not { } rope)
        {
            return (theta, null);
        }

        string field = parametersJson is null ? "rope_scaling" : "rope_parameters";
        string type = rope.OptionalString("rope_type") ?? rope.OptionalString("type") ?? "default";
        bool isPhi3 = architecture == "Phi3ForCausalLM";
        if (isPhi3 && type is "su" or "yarn")
        {
            type = "longrope"; // Phi3Config's backward compatibility: older Phi-3 configs name LongRoPE "su" (or "yarn")
        }

        if (isPhi3 && type is not ("default" or "longrope"))
        {
            throw rope.Error($"rope type '{type}' ({field}) is not one Phi3ForCausalLM uses; transformers' Phi3Config accepts 'default' and 'longrope'.");
        }

        switch (type)
        {
            case "longrope" when isPhi3:
                return (theta, LongRope(config, rope, field, maxPositions, rotaryDim));
            case "longrope":
                throw rope.Error($"rope type 'longrope' ({field}) is not supported for {architecture}. Supported rope types: {RopeScaling.SupportedTypes}.");
            case "default":
                return (theta, null);
            case "linear":
                return (theta, new RopeScaling("linear", Factor(rope, field), null, null, null));
            case "llama3":
            {
                double factor = Factor(rope, field);
                double low = rope.OptionalDouble("low_freq_factor") ?? throw rope.Error($"required field '{field}.low_freq_factor' is missing for rope type llama3.");
                double high = rope.OptionalDouble("high_freq_factor") ?? throw rope.Error($"required field '{field}.high_freq_factor' is missing for rope type llama3.");
                int original = rope.OptionalInt("original_max_position_embeddings")
                    ?? throw rope.Error($"required field '{field}.original_max_position_embeddings' is missing for rope type llama3.");
                if (!(low > 0) || !(high > low) || original <= 0)
                {
                    throw rope.Error($"llama3 rope scaling needs 0 < low_freq_factor < high_freq_factor and a positive original_max_position_embeddings; got {low}, {high}, {original}.");
                }

                return (theta, new RopeScaling("llama3", factor, low, high, original));
            }

            default:
                throw rope.Error($"rope type '{type}' ({field}) is not supported. Supported rope types: {RopeScaling.SupportedTypes}.");
        }
    }

    /// <summary>
    /// Phi-3's LongRoPE as transformers computes it: inv_freq = 1 / (short_factor[i] · θ^(2i/d)) while the sequence is
    /// at most original_max_position_embeddings long (long_factor beyond, where Directer does not run: the model's
    /// context is capped there), and cos/sin multiplied by the attention factor.
    /// </summary>
    private static RopeScaling LongRope(ConfigJson config, ConfigJson rope, string field, int maxPositions, int rotaryDim)
    {
        // transformers reads original_max_position_embeddings from the top level (Phi3Config, default 4096).
        int original = config.OptionalInt("original_max_position_embeddings") ?? rope.OptionalInt("original_max_position_embeddings") ?? 4096;
        if (original <= 0)
        {
            throw config.Error($"'original_max_position_embeddings' is {original}; expected a positive integer.");
        }

        double[] shortFactor = Factors(rope, field, "short_factor", rotaryDim / 2);
        _ = Factors(rope, field, "long_factor", rotaryDim / 2); // checked as transformers does, though only used past original_max_position_embeddings
        double factor = (double)maxPositions / original;
        double attention = rope.OptionalDouble("attention_factor")
            ?? (factor <= 1.0 ? 1.0 : Math.Sqrt(1 + (Math.Log(factor) / Math.Log(original))));
        if (!(attention > 0))
        {
            throw rope.Error($"'{field}.attention_factor' is {attention}; expected a positive number.");
        }

        return new RopeScaling("longrope", factor, null, null, original) { ShortFactor = shortFactor, AttentionFactor = attention };
    }

    private static double[] Factors(ConfigJson rope, string field, string name, int count)
    {
        if (rope.Get(name) is not { } value)
        {
            throw rope.Error($"required field '{field}.{name}' is missing for rope type longrope (a list of {count} numbers).");
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != count)
        {
            throw rope.Error($"'{field}.{name}' has {(value.ValueKind == JsonValueKind.Array ? value.GetArrayLength() + " entries" : value.GetRawText())}; expected a list of {count} numbers (one per rotary frequency).");
        }

        var result = new double[count];
        int i = 0;
        foreach (JsonElement item in value.EnumerateArray())
        {
            double f = rope.ToDouble(item, $"{name}[{i}]");
            result[i++] = f > 0 ? f : throw rope.Error($"'{field}.{name}[{i - 1}]' is {f}; expected a positive number.");
        }

        return result;
    }

    private static double Factor(ConfigJson rope, string field)
    {
        double factor = rope.OptionalDouble("factor") ?? throw rope.Error($"required field '{field}.factor' is missing.");
        return factor > 0 ? factor : throw rope.Error($"'{field}.factor' is {factor}; expected a positive number.");
    }

    private static (int? Window, bool[] Layers) ReadSlidingWindow(ConfigJson config, string architecture, int layers)
    {
        var sliding = new bool[layers];
        // Absent, Mistral's and the Qwens' keyword default is a 4096-token window (the Qwens use it only with
        // use_sliding_window); an explicit null means no window.
        bool windowAbsent = !config.Root.TryGetProperty("sliding_window", out _);
        int? window = config.OptionalInt("sliding_window")
            ?? (windowAbsent && architecture is "MistralForCausalLM" or "Qwen2ForCausalLM" or "Qwen3ForCausalLM" ? 4096 : null);
        if (architecture == "LlamaForCausalLM")
        {
            return (null, sliding);
        }

        if (architecture is "Qwen2ForCausalLM" or "Qwen3ForCausalLM" && config.OptionalBool("use_sliding_window") != true)
        {
            return (null, sliding);
        }

        if (window is null)
        {
            return (null, sliding);
        }

        if (window <= 0)
        {
            throw config.Error($"'sliding_window' is {window}; expected a positive integer or null.");
        }

        if (architecture is "MistralForCausalLM" or "Phi3ForCausalLM")
        {
            Array.Fill(sliding, true);
            return (window, sliding);
        }

        if (config.Get("layer_types") is { } types)
        {
            if (types.ValueKind != JsonValueKind.Array || types.GetArrayLength() != layers)
            {
                throw config.Error($"field 'layer_types' is {types.GetRawText()}; expected {layers} entries (one per layer).");
            }

            int i = 0;
            foreach (JsonElement type in types.EnumerateArray())
            {
                sliding[i++] = type.ValueKind == JsonValueKind.String && type.GetString() == "sliding_attention";
            }
        }
        else
        {
            int maxWindowLayers = config.OptionalInt("max_window_layers") ?? 28;
            for (int i = Math.Max(0, maxWindowLayers); i < layers; i++)
            {
                sliding[i] = true;
            }
        }

        return sliding.Any(x => x) ? (window, sliding) : (null, sliding);
    }

    private static int Positive(ConfigJson config, string field, int value) =>
        value > 0 ? value : throw config.Error($"'{field}' is {value}; expected a positive integer.");
}
