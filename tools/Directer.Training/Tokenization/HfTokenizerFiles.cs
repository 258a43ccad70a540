using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Directer.Training.Tokenization;

/// <summary>
/// Writes a <see cref="BpeVocabulary"/> as Hugging Face tokenizer files shaped like Qwen2.5's:
/// tokenizer.json (BPE model, NFC normalizer, Split + ByteLevel pre-tokenizer, ByteLevel decoder, added tokens),
/// tokenizer_config.json (chat template, eos &lt;|im_end|&gt;, no bos) and generation_config.json.
/// </summary>
internal static class HfTokenizerFiles
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(string directory, BpeVocabulary vocab, int modelMaxLength)
    {
        Directory.CreateDirectory(directory);
        WriteJson(Path.Combine(directory, "tokenizer.json"), TokenizerJson(vocab));
        WriteJson(Path.Combine(directory, "tokenizer_config.json"), TokenizerConfig(vocab, modelMaxLength));
        WriteJson(Path.Combine(directory, "generation_config.json"), GenerationConfig(vocab));
    }

    public static void WriteJson(string path, JsonNode node)
    {
        File.WriteAllText(path, node.ToJsonString(Indented) + "\n", new UTF8Encoding(false));
    }

    public static JsonObject TokenizerJson(BpeVocabulary vocab)
    {
        var byteLevel = () => new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = false };
        var added = new JsonArray();
        foreach (var (content, special) in SpecialTokens.All)
        {
            added.Add(new JsonObject
            {
                ["id"] = vocab.SpecialIds[content],
                ["content"] = content,
                ["single_word"] = false,
                ["lstrip"] = false,
                ["rstrip"] = false,
                ["normalized"] = false,
                ["special"] = special,
            });
        }

        var vocabJson = new JsonObject();
        int bpeCount = vocab.Count - SpecialTokens.All.Length;
        for (int i = 0; i < bpeCount; i++)
        {
            vocabJson[vocab.Tokens[i]] = i;
        }

        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = added,
            ["normalizer"] = new JsonObject { ["type"] = "NFC" },
            ["pre_tokenizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject
                    {
                        ["type"] = "Split",
                        ["pattern"] = new JsonObject { ["Regex"] = PreTokenizer.Pattern },
                        ["behavior"] = "Isolated",
                        ["invert"] = false,
                    },
                    byteLevel()),
            },
            ["post_processor"] = byteLevel(),
            ["decoder"] = byteLevel(),
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = null,
                ["continuing_subword_prefix"] = string.Empty,
                ["end_of_word_suffix"] = string.Empty,
                ["fuse_unk"] = false,
                ["byte_fallback"] = false,
                ["ignore_merges"] = false,
                ["vocab"] = vocabJson,
                ["merges"] = new JsonArray(vocab.Merges.Select(m => (JsonNode?)JsonValue.Create(m.Left + " " + m.Right)).ToArray()),
            },
        };
    }

    public static JsonObject TokenizerConfig(BpeVocabulary vocab, int modelMaxLength)
    {
        var decoder = new JsonObject();
        foreach (var (content, special) in SpecialTokens.All)
        {
            decoder[vocab.SpecialIds[content].ToString(System.Globalization.CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["content"] = content,
                ["lstrip"] = false,
                ["normalized"] = false,
                ["rstrip"] = false,
                ["single_word"] = false,
                ["special"] = special,
            };
        }

        return new JsonObject
        {
            ["add_bos_token"] = false,
            ["add_prefix_space"] = false,
            ["added_tokens_decoder"] = decoder,
            ["additional_special_tokens"] = new JsonArray(SpecialTokens.ImStart, SpecialTokens.ImEnd),
            ["bos_token"] = null,
            ["chat_template"] = QwenChatTemplate.Text,
            ["clean_up_tokenization_spaces"] = false,
            ["eos_token"] = SpecialTokens.ImEnd,
            ["errors"] = "replace",
            ["model_max_length"] = modelMaxLength,
            ["pad_token"] = SpecialTokens.EndOfText,
            ["split_special_tokens"] = false,
            ["tokenizer_class"] = "Qwen2Tokenizer",
            ["unk_token"] = null,
        };
    }

    public static JsonObject GenerationConfig(BpeVocabulary vocab) => new()
    {
        ["bos_token_id"] = vocab.SpecialIds[SpecialTokens.EndOfText],
        ["eos_token_id"] = new JsonArray(vocab.SpecialIds[SpecialTokens.ImEnd], vocab.SpecialIds[SpecialTokens.EndOfText]),
        ["pad_token_id"] = vocab.SpecialIds[SpecialTokens.EndOfText],
        ["do_sample"] = false,
        ["max_new_tokens"] = 160,
        ["transformers_version"] = "4.43.1",
    };

    /// <summary>Reads back tokens and merges from a tokenizer.json written by <see cref="Write"/> (or any BPE one with "a b" or ["a","b"] merges).</summary>
    public static BpeVocabulary Read(string tokenizerJsonPath)
    {
        var root = JsonNode.Parse(File.ReadAllText(tokenizerJsonPath)) as JsonObject ?? throw new InvalidDataException($"{tokenizerJsonPath} is not a JSON object.");
        var model = root["model"] as JsonObject ?? throw new InvalidDataException($"{tokenizerJsonPath} has no \"model\".");
        var vocab = model["vocab"] as JsonObject ?? throw new InvalidDataException($"{tokenizerJsonPath} has no model.vocab.");
        var entries = vocab.Select(kv => (Token: kv.Key, Id: kv.Value!.GetValue<int>())).ToList();
        foreach (var added in root["added_tokens"] as JsonArray ?? new JsonArray())
        {
            entries.Add((added!["content"]!.GetValue<string>(), added["id"]!.GetValue<int>()));
        }

        var tokens = new string[entries.Count];
        foreach (var (token, id) in entries)
        {
            if (id < 0 || id >= tokens.Length || tokens[id] is not null)
            {
                throw new InvalidDataException($"{tokenizerJsonPath}: token ids are not a dense 0..{tokens.Length - 1} range (id {id} for '{token}').");
            }

            tokens[id] = token;
        }

        var merges = new List<(string, string)>();
        foreach (var m in model["merges"] as JsonArray ?? new JsonArray())
        {
            if (m is JsonArray pair)
            {
                merges.Add((pair[0]!.GetValue<string>(), pair[1]!.GetValue<string>()));
            }
            else
            {
                string s = m!.GetValue<string>();
                int space = s.IndexOf(' ', StringComparison.Ordinal);
                merges.Add((s[..space], s[(space + 1)..]));
            }
        }

        return new BpeVocabulary(tokens, merges);
    }
}
