using System.Globalization;
using System.Text.Json.Nodes;
using Directer.Core.Checkpoints;
using Directer.Training.Modeling;
using Directer.Training.Tokenization;
using static TorchSharp.torch;

namespace Directer.Training.Checkpoint;

/// <summary>
/// Writes a Hugging Face Qwen2 checkpoint folder: config.json, model.safetensors (HF tensor names, tied
/// embeddings so no lm_head) and the tokenizer files.
/// </summary>
internal static class Qwen2CheckpointWriter
{
    public static void Write(string directory, Qwen2ForTraining model, BpeVocabulary vocab, ScalarType dtype, IReadOnlyDictionary<string, string>? metadata = null)
    {
        Directory.CreateDirectory(directory);
        var shape = model.Shape;
        HfTokenizerFiles.WriteJson(Path.Combine(directory, "config.json"), Config(shape, vocab, dtype));
        HfTokenizerFiles.Write(directory, vocab, shape.MaxPositions);
        var meta = new Dictionary<string, string> { ["format"] = "pt" };
        if (metadata is not null)
        {
            foreach (var (k, v) in metadata)
            {
                meta[k] = v;
            }
        }

        if (dtype is not (ScalarType.Float32 or ScalarType.BFloat16))
        {
            throw new ArgumentException($"Unsupported checkpoint dtype {dtype}; use Float32 or BFloat16.", nameof(dtype));
        }

        using var scope = NewDisposeScope();
        var weights = model.NamedWeights().Select(p => new KeyValuePair<string, Tensor>(p.Name, p.Parameter.detach().to_type(dtype))).ToList();
        SafetensorsWriter.Write(Path.Combine(directory, "model.safetensors"), weights, meta);
    }

    public static JsonObject Config(Qwen2Shape shape, BpeVocabulary vocab, ScalarType dtype) => new()
    {
        ["architectures"] = new JsonArray("Qwen2ForCausalLM"),
        ["attention_dropout"] = 0.0,
        ["bos_token_id"] = vocab.SpecialIds[SpecialTokens.EndOfText],
        ["eos_token_id"] = vocab.SpecialIds[SpecialTokens.ImEnd],
        ["hidden_act"] = "silu",
        ["hidden_size"] = shape.HiddenSize,
        ["initializer_range"] = 0.02,
        ["intermediate_size"] = shape.IntermediateSize,
        ["max_position_embeddings"] = shape.MaxPositions,
        ["max_window_layers"] = shape.NumLayers,
        ["model_type"] = "qwen2",
        ["num_attention_heads"] = shape.NumHeads,
        ["num_hidden_layers"] = shape.NumLayers,
        ["num_key_value_heads"] = shape.NumKvHeads,
        ["rms_norm_eps"] = shape.RmsNormEps,
        ["rope_scaling"] = null,
        ["rope_theta"] = shape.RopeTheta,
        ["sliding_window"] = null,
        ["tie_word_embeddings"] = true,
        ["torch_dtype"] = dtype == ScalarType.BFloat16 ? "bfloat16" : "float32",
        ["transformers_version"] = "4.43.1",
        ["use_cache"] = true,
        ["use_sliding_window"] = false,
        ["vocab_size"] = shape.VocabSize,
    };

    /// <summary>Reads the model shape back from a config.json written by <see cref="Config"/>.</summary>
    public static Qwen2Shape ReadShape(string configPath)
    {
        var o = JsonNode.Parse(File.ReadAllText(configPath)) as JsonObject ?? throw new InvalidDataException($"{configPath} is not a JSON object.");
        int Int(string key) => o[key]?.GetValue<int>() ?? throw new InvalidDataException($"{configPath} lacks \"{key}\".");
        double Dbl(string key) => o[key] is JsonValue v ? double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture) : throw new InvalidDataException($"{configPath} lacks \"{key}\".");
        return new Qwen2Shape(Int("vocab_size"), Int("hidden_size"), Int("intermediate_size"), Int("num_hidden_layers"), Int("num_attention_heads"), Int("num_key_value_heads"), Int("max_position_embeddings"), Dbl("rope_theta"), Dbl("rms_norm_eps"));
    }
}
