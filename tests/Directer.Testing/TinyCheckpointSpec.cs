using Directer.Core.Checkpoints;

namespace Directer.Testing;

/// <summary>
/// A tiny random checkpoint to generate: the config.json fields that matter, the weight dtype and the sharding.
/// Defaults give a Llama with vocab 96, hidden 64, 2 layers, 4 heads (2 key/value heads), intermediate 128, F32.
/// </summary>
public sealed record TinyCheckpointSpec
{
    /// <summary>The spec's name; also its folder name under the output directory.</summary>
    public required string Name { get; init; }

    /// <summary><c>LlamaForCausalLM</c>, <c>MistralForCausalLM</c>, <c>Qwen2ForCausalLM</c>, <c>Qwen3ForCausalLM</c> or <c>Phi3ForCausalLM</c>.</summary>
    public string Architecture { get; init; } = "LlamaForCausalLM";

    /// <summary><c>vocab_size</c>.</summary>
    public int VocabSize { get; init; } = 96;

    /// <summary><c>hidden_size</c>.</summary>
    public int HiddenSize { get; init; } = 64;

    /// <summary><c>intermediate_size</c>.</summary>
    public int IntermediateSize { get; init; } = 128;

    /// <summary><c>num_hidden_layers</c>.</summary>
    public int NumHiddenLayers { get; init; } = 2;

    /// <summary><c>num_attention_heads</c>.</summary>
    public int NumAttentionHeads { get; init; } = 4;

    /// <summary><c>num_key_value_heads</c>.</summary>
    public int NumKeyValueHeads { get; init; } = 2;

    /// <summary><c>head_dim</c> written to config.json; null writes hidden/heads for Llama, Mistral and Qwen3, nothing for Qwen2 and Phi-3.</summary>
    public int? HeadDim { get; init; }

    /// <summary><c>max_position_embeddings</c>.</summary>
    public int MaxPositionEmbeddings { get; init; } = 128;

    /// <summary><c>rms_norm_eps</c>.</summary>
    public double RmsNormEps { get; init; } = 1e-5;

    /// <summary><c>rope_theta</c>.</summary>
    public double RopeTheta { get; init; } = 10000.0;

    /// <summary><c>rope_scaling</c>; null writes JSON null.</summary>
    public RopeScaling? RopeScaling { get; init; }

    /// <summary>Phi-3 LongRoPE: <c>rope_scaling</c> is written as <c>{"type": "longrope", "short_factor", "long_factor"}</c> (instead of <see cref="RopeScaling"/>).</summary>
    public IReadOnlyList<double>? LongRopeShortFactor { get; init; }

    /// <summary>Phi-3 LongRoPE: the <c>long_factor</c> list.</summary>
    public IReadOnlyList<double>? LongRopeLongFactor { get; init; }

    /// <summary>Phi-3 <c>original_max_position_embeddings</c> (written for Phi-3 only; default 4096 as Phi3Config).</summary>
    public int OriginalMaxPositionEmbeddings { get; init; } = 4096;

    /// <summary>Phi-3 <c>partial_rotary_factor</c>; null writes nothing.</summary>
    public double? PartialRotaryFactor { get; init; }

    /// <summary><c>tie_word_embeddings</c>: when true, no <c>lm_head.weight</c> is written.</summary>
    public bool TieWordEmbeddings { get; init; }

    /// <summary>Llama <c>attention_bias</c> (q/k/v/o biases).</summary>
    public bool AttentionBias { get; init; }

    /// <summary>Llama <c>mlp_bias</c>.</summary>
    public bool MlpBias { get; init; }

    /// <summary><c>sliding_window</c> (Mistral and Phi-3; Qwen2/Qwen3 write it with <c>use_sliding_window</c> false unless <see cref="UseSlidingWindow"/>).</summary>
    public int? SlidingWindow { get; init; }

    /// <summary>Qwen2/Qwen3 <c>use_sliding_window</c>.</summary>
    public bool UseSlidingWindow { get; init; }

    /// <summary><c>bos_token_id</c>.</summary>
    public int BosTokenId { get; init; } = 1;

    /// <summary><c>eos_token_id</c>: one id is written as an int, several as a list.</summary>
    public IReadOnlyList<int> EosTokenIds { get; init; } = [2];

    /// <summary>Weight dtype: <c>F32</c>, <c>BF16</c> or <c>F16</c> (also written as torch_dtype).</summary>
    public string DType { get; init; } = "F32";

    /// <summary>1 writes <c>model.safetensors</c>; more writes that many shards and <c>model.safetensors.index.json</c>.</summary>
    public int Shards { get; init; } = 1;

    /// <summary>The seed of the weights.</summary>
    public ulong Seed { get; init; } = 20240611;

    /// <summary><c>model_type</c> for the architecture.</summary>
    public string ModelType => Architecture switch
    {
        "LlamaForCausalLM" => "llama",
        "MistralForCausalLM" => "mistral",
        "Qwen2ForCausalLM" => "qwen2",
        "Qwen3ForCausalLM" => "qwen3",
        "Phi3ForCausalLM" => "phi3",
        _ => throw new InvalidOperationException($"Spec '{Name}': unknown architecture '{Architecture}'."),
    };

    /// <summary><c>torch_dtype</c> for <see cref="DType"/>.</summary>
    public string TorchDtype => DType switch
    {
        "F32" => "float32",
        "BF16" => "bfloat16",
        "F16" => "float16",
        _ => throw new InvalidOperationException($"Spec '{Name}': unsupported dtype '{DType}'."),
    };
}
