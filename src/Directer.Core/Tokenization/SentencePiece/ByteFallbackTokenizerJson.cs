using System.Text.Json;
using Directer.Core.Tokenization.Configuration;

namespace Directer.Core.Tokenization.SentencePiece;

/// <summary>
/// Reads a SentencePiece-converted <c>tokenizer.json</c> (<c>model.byte_fallback: true</c>): the BPE model, how spaces
/// become <c>▁</c> (the legacy <c>Prepend</c>/<c>Replace</c> normalizer or the <c>Metaspace</c> pre-tokenizer), and the
/// decoder chain. Anything else these files could declare is refused with the JSON path, never approximated.
/// </summary>
internal static class ByteFallbackTokenizerJson
{
    /// <summary>What the file declares.</summary>
    internal sealed record Parts(ByteFallbackBpeModel Model, TokenDecoder Decoder);

    private const string Meta = "\u2581";

    public static Parts Read(JsonFile file, JsonElement root, JsonElement modelJson, Dictionary<string, int> vocab, List<string> merges, IReadOnlyList<AddedToken> addedTokens)
    {
        foreach (string unsupported in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
        {
            if (file.OptionalString(modelJson, unsupported, "$.model") is { Length: > 0 } value)
            {
                throw file.Error("$.model." + unsupported, $"\"{value}\" is not supported for a byte-fallback BPE model");
            }
        }

        if (file.OptionalBool(modelJson, "ignore_merges", "$.model") == true)
        {
            throw file.Error("$.model.ignore_merges", "ignore_merges is not supported for a byte-fallback BPE model");
        }

        var spaces = ReadSpaces(file, root);
        foreach (var token in addedTokens)
        {
            if (token.Normalized && !spaces.Normalizer)
            {
                // Hugging Face matches such a token in the normalized text before the Metaspace pre-tokenizer; not implemented.
                throw file.Error("$.added_tokens", $"added token {token.Id} \"{token.Content}\" has normalized: true, which is not supported with a Metaspace pre-tokenizer");
            }
        }

        var decoder = ReadDecoder(file, root);
        string? unk = file.OptionalString(modelJson, "unk_token", "$.model");
        bool fuseUnk = file.OptionalBool(modelJson, "fuse_unk", "$.model") ?? false;
        var pairs = merges.Select(m =>
        {
            int space = m.IndexOf(' ');
            return (m[..space], m[(space + 1)..]);
        }).ToList();
        ByteFallbackBpeModel model;
        try
        {
            model = new ByteFallbackBpeModel(vocab, pairs, unk, fuseUnk, spaces, decoder.MetaIsSpace);
            model.SetNormalizedAddedTokens(addedTokens.Where(t => t.Normalized).ToList());
        }
        catch (ArgumentException e)
        {
            throw file.Error("$.model", e.Message, e);
        }

        if (!model.HasAllByteTokens)
        {
            throw file.Error("$.model.vocab", "byte_fallback is set but the vocabulary lacks some of the 256 byte tokens <0x00>..<0xFF>");
        }

        return new Parts(model, decoder);
    }

    private static SpaceMarking ReadSpaces(JsonFile file, JsonElement root)
    {
        bool prepend = false;
        bool replace = false;
        if (JsonFile.TryGet(root, "normalizer", out var normalizer) && normalizer.ValueKind != JsonValueKind.Null)
        {
            var steps = new List<(JsonElement Step, string Path)>();
            string type = file.RequireString(normalizer, "type", "$.normalizer");
            if (type == "Sequence")
            {
                if (!JsonFile.TryGet(normalizer, "normalizers", out var list) || list.ValueKind != JsonValueKind.Array)
                {
                    throw file.Error("$.normalizer.normalizers", "a Sequence needs a normalizers array");
                }

                int i = 0;
                foreach (var step in list.EnumerateArray())
                {
                    steps.Add((step, $"$.normalizer.normalizers[{i++}]"));
                }
            }
            else
            {
                steps.Add((normalizer, "$.normalizer"));
            }

            foreach (var (step, path) in steps)
            {
                string stepType = file.RequireString(step, "type", path);
                switch (stepType)
                {
                    case "Prepend" when !prepend:
                        string value = file.RequireString(step, "prepend", path);
                        if (value != Meta)
                        {
                            throw file.Error(path + ".prepend", $"only \"{Meta}\" is supported, found \"{value}\"");
                        }

                        prepend = true;
                        break;
                    case "Replace" when !replace:
                        RequireSpaceToMeta(file, step, path, from: " ", to: Meta);
                        replace = true;
                        break;
                    default:
                        throw file.Error(path + ".type", $"normalizer \"{stepType}\" is not supported for a byte-fallback BPE model (Prepend \"{Meta}\" and Replace \" \" → \"{Meta}\", once each)");
                }
            }
        }

        if (!JsonFile.TryGet(root, "pre_tokenizer", out var pre) || pre.ValueKind == JsonValueKind.Null)
        {
            return prepend || replace ? new SpaceMarking(Normalizer: true, prepend ? PrependScheme.Always : PrependScheme.Never, Split: false, ReplaceSpaces: replace) : SpaceMarking.None;
        }

        string preType = file.RequireString(pre, "type", "$.pre_tokenizer");
        if (preType != "Metaspace")
        {
            throw file.Error("$.pre_tokenizer.type", $"pre-tokenizer \"{preType}\" is not supported for a byte-fallback BPE model (Metaspace or none)");
        }

        if (prepend || replace)
        {
            throw file.Error("$.pre_tokenizer", "a Metaspace pre-tokenizer together with a Prepend/Replace normalizer is not supported");
        }

        RequireReplacement(file, pre, "$.pre_tokenizer");
        var scheme = ReadScheme(file, pre, "$.pre_tokenizer");
        bool split = file.OptionalBool(pre, "split", "$.pre_tokenizer") ?? true;
        return new SpaceMarking(Normalizer: false, scheme, split, ReplaceSpaces: true);
    }

    private static PrependScheme ReadScheme(JsonFile file, JsonElement step, string path)
    {
        string? scheme = file.OptionalString(step, "prepend_scheme", path);
        if (scheme is null)
        {
            // Files written before prepend_scheme existed say add_prefix_space (true: always).
            return file.OptionalBool(step, "add_prefix_space", path) == false ? PrependScheme.Never : PrependScheme.Always;
        }

        return scheme switch
        {
            "always" => PrependScheme.Always,
            "first" => PrependScheme.First,
            "never" => PrependScheme.Never,
            _ => throw file.Error(path + ".prepend_scheme", $"\"{scheme}\" is not a prepend scheme (first, always, never)"),
        };
    }

    private static void RequireReplacement(JsonFile file, JsonElement step, string path)
    {
        string replacement = file.OptionalString(step, "replacement", path) ?? Meta;
        if (replacement != Meta)
        {
            throw file.Error(path + ".replacement", $"only \"{Meta}\" is supported, found \"{replacement}\"");
        }
    }

    private static void RequireSpaceToMeta(JsonFile file, JsonElement step, string path, string from, string to)
    {
        if (!JsonFile.TryGet(step, "pattern", out var pattern) || !JsonFile.TryGet(pattern, "String", out var s) || s.ValueKind != JsonValueKind.String)
        {
            throw file.Error(path + ".pattern", "only a {\"String\": ...} pattern is supported");
        }

        string content = file.RequireString(step, "content", path);
        if (s.GetString() != from || content != to)
        {
            throw file.Error(path, $"only Replace \"{from}\" → \"{to}\" is supported, found \"{s.GetString()}\" → \"{content}\"");
        }
    }

    private static TokenDecoder ReadDecoder(JsonFile file, JsonElement root)
    {
        if (!JsonFile.TryGet(root, "decoder", out var decoder) || decoder.ValueKind == JsonValueKind.Null)
        {
            throw file.Error("$.decoder", "a byte-fallback BPE tokenizer needs a decoder (Replace/ByteFallback/Fuse/Strip or Metaspace); none was declared");
        }

        var steps = new List<TokenDecoder.Step>();
        string type = file.RequireString(decoder, "type", "$.decoder");
        if (type == "Sequence")
        {
            if (!JsonFile.TryGet(decoder, "decoders", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                throw file.Error("$.decoder.decoders", "a Sequence needs a decoders array");
            }

            int i = 0;
            foreach (var step in list.EnumerateArray())
            {
                steps.Add(ReadDecoderStep(file, step, $"$.decoder.decoders[{i++}]"));
            }
        }
        else
        {
            steps.Add(ReadDecoderStep(file, decoder, "$.decoder"));
        }

        return new TokenDecoder(steps);
    }

    private static TokenDecoder.Step ReadDecoderStep(JsonFile file, JsonElement step, string path)
    {
        string type = file.RequireString(step, "type", path);
        switch (type)
        {
            case "Replace":
                if (!JsonFile.TryGet(step, "pattern", out var pattern) || !JsonFile.TryGet(pattern, "String", out var s) || s.ValueKind != JsonValueKind.String || s.GetString()!.Length == 0)
                {
                    throw file.Error(path + ".pattern", "only a non-empty {\"String\": ...} pattern is supported");
                }

                return new TokenDecoder.ReplaceStep(s.GetString()!, file.RequireString(step, "content", path));
            case "ByteFallback":
                return new TokenDecoder.ByteFallbackStep();
            case "Fuse":
                return new TokenDecoder.FuseStep();
            case "Strip":
                string content = file.RequireString(step, "content", path);
                if (content.Length != 1)
                {
                    throw file.Error(path + ".content", $"a Strip content must be one character, found \"{content}\"");
                }

                return new TokenDecoder.StripStep(content[0], Count(file, step, "start", path), Count(file, step, "stop", path));
            case "Metaspace":
                RequireReplacement(file, step, path);
                return new TokenDecoder.MetaspaceStep(Meta[0], ReadScheme(file, step, path) != PrependScheme.Never);
            default:
                throw file.Error(path + ".type", $"decoder \"{type}\" is not supported for a byte-fallback BPE model (Replace, ByteFallback, Fuse, Strip, Metaspace)");
        }
    }

    private static int Count(JsonFile file, JsonElement step, string name, string path)
    {
        if (!JsonFile.TryGet(step, name, out var value))
        {
            return 0;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int n) && n >= 0
            ? n
            : throw file.Error($"{path}.{name}", $"expected a non-negative integer, found {JsonFile.Show(value)}");
    }
}
