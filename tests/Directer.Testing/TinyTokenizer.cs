using System.Text.Json;
using System.Text.Json.Nodes;

namespace Directer.Testing;

/// <summary>Writes a small byte-level BPE tokenizer (Qwen2-style tokenizer.json, tokenizer_config.json with a ChatML template, generation_config.json) for tests.</summary>
public static class TinyTokenizer
{
    /// <summary>Qwen2's pre-tokenizer Split regex.</summary>
    public const string QwenPattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>Llama 3's pre-tokenizer Split regex (digits in groups of up to three).</summary>
    public const string Llama3Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>The pre-tokenizer of a family: "qwen2" (default), "llama3", "gpt2" (ByteLevel with its own regex) or "digits" (Digits then ByteLevel with a prefix space).</summary>
    public static JsonNode PreTokenizer(string family) => family switch
    {
        "llama3" => new JsonObject
        {
            ["type"] = "Sequence",
            ["pretokenizers"] = new JsonArray(
                new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = Llama3Pattern }, ["behavior"] = "Isolated", ["invert"] = false },
                new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = false }),
        },
        "gpt2" => new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true },
        "digits" => new JsonObject
        {
            ["type"] = "Sequence",
            ["pretokenizers"] = new JsonArray(
                new JsonObject { ["type"] = "Digits", ["individual_digits"] = true },
                new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = true, ["use_regex"] = true }),
        },
        _ => new JsonObject
        {
            ["type"] = "Sequence",
            ["pretokenizers"] = new JsonArray(
                new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = QwenPattern }, ["behavior"] = "Isolated", ["invert"] = false },
                new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = false }),
        },
    };

    /// <summary>The merges, in rank order.</summary>
    public static readonly string[] Merges = { "h e", "l l", "he ll", "hell o", "Ġ w", "o r", "Ġw or", "Ġwor l", "Ġworl d", "Ġ t", "Ġt h", "Ġth e" };

    /// <summary>Special added tokens (ids follow the vocabulary).</summary>
    public static readonly string[] Specials = { "<|endoftext|>", "<|im_start|>", "<|im_end|>" };

    /// <summary>GPT-2's byte-to-unicode table (the byte-level alphabet).</summary>
    public static string ByteChar(int b)
    {
        var printable = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range('¡', '¬' - '¡' + 1)).Concat(Enumerable.Range('®', 'ÿ' - '®' + 1)).ToList();
        if (printable.Contains(b))
        {
            return ((char)b).ToString();
        }

        int n = 0;
        for (int i = 0; i < b; i++)
        {
            if (!printable.Contains(i))
            {
                n++;
            }
        }

        return ((char)(256 + n)).ToString();
    }

    /// <summary>256 byte tokens, then one token per merge.</summary>
    public static Dictionary<string, int> Vocab()
    {
        var vocab = new Dictionary<string, int>();
        for (int b = 0; b < 256; b++)
        {
            vocab[ByteChar(b)] = b;
        }

        foreach (string merge in Merges)
        {
            vocab[merge.Replace(" ", string.Empty)] = vocab.Count;
        }

        return vocab;
    }

    /// <summary>Writes the tokenizer files into <paramref name="directory"/>; returns it.</summary>
    public static string Write(string directory, bool mergesAsPairs = false, JsonNode? preTokenizer = null, Action<JsonObject>? edit = null, bool addBos = false)
    {
        Directory.CreateDirectory(directory);
        var vocab = Vocab();
        var root = new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = new JsonArray(Specials.Select((s, i) => (JsonNode)new JsonObject
            {
                ["id"] = vocab.Count + i, ["content"] = s, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
            }).ToArray()),
            ["normalizer"] = new JsonObject { ["type"] = "NFC" },
            ["pre_tokenizer"] = preTokenizer ?? new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = QwenPattern }, ["behavior"] = "Isolated", ["invert"] = false },
                    new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = false }),
            },
            ["post_processor"] = null,
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = false },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = "", ["end_of_word_suffix"] = "", ["fuse_unk"] = false, ["byte_fallback"] = false,
                ["vocab"] = new JsonObject(vocab.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
                ["merges"] = mergesAsPairs
                    ? new JsonArray(Merges.Select(m => (JsonNode)new JsonArray(m.Split(' ').Select(p => (JsonNode)p!).ToArray())).ToArray())
                    : new JsonArray(Merges.Select(m => (JsonNode)m!).ToArray()),
            },
        };
        edit?.Invoke(root);
        File.WriteAllText(Path.Combine(directory, "tokenizer.json"), root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var config = new JsonObject
        {
            ["bos_token"] = addBos ? "<|endoftext|>" : null,
            ["add_bos_token"] = addBos,
            ["eos_token"] = "<|im_end|>",
            ["chat_template"] = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}",
        };
        File.WriteAllText(Path.Combine(directory, "tokenizer_config.json"), config.ToJsonString());
        File.WriteAllText(Path.Combine(directory, "generation_config.json"), $$"""{ "eos_token_id": [{{vocab.Count + 2}}, {{vocab.Count}}] }""");
        return directory;
    }
}
