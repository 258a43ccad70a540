using System.Text;
using System.Text.Json;
using Directer.Core.Tokenization.ByteLevel;
using Directer.Core.Tokenization.Configuration;
using Directer.Core.Tokenization.PreTokenization;
using Directer.Core.Tokenization.SentencePiece;
using Microsoft.ML.Tokenizers;

namespace Directer.Core.Tokenization;

/// <summary>
/// The tokenizer of a Hugging Face checkpoint folder: BPE from <c>tokenizer.json</c>, byte-level (Qwen2/2.5/3,
/// Llama 3.x, SmolLM2, GPT-2 style) or SentencePiece-converted with byte fallback (Llama 2, Mistral 7B, Phi-3,
/// TinyLlama), with added/special tokens, the declared pre-tokenizer, normalizer and decoder, or a SentencePiece
/// <c>tokenizer.model</c> when there is no <c>tokenizer.json</c>; plus <c>tokenizer_config.json</c> (bos/eos, add_bos_token,
/// chat_template) and <c>generation_config.json</c> (eos ids). Anything the files declare that is
/// not supported is a <see cref="TokenizerLoadException"/>, never an approximation.
/// </summary>
public sealed class TextTokenizer
{
    private readonly TokenizerModel model;
    private readonly AddedVocabulary added;
    private readonly Dictionary<int, AddedToken> addedById;
    private readonly Dictionary<string, int> addedByContent;
    private readonly bool nfc;
    private readonly TokenDecoder? decoder;

    private TextTokenizer(TokenizerModel model, IReadOnlyList<AddedToken> addedTokens, bool nfc, TokenDecoder? decoder = null)
    {
        this.model = model;
        Kind = model is ByteLevelBpeModel ? TextTokenizerKind.ByteLevelBpe : TextTokenizerKind.SentencePieceBpe;
        this.nfc = nfc;
        this.decoder = decoder;
        // A byte-fallback model matches normalized added tokens itself, in its normalized text, as Hugging Face does.
        added = new AddedVocabulary(model is ByteFallbackBpeModel ? addedTokens.Where(t => !t.Normalized) : addedTokens, t => t.Content);
        addedById = addedTokens.ToDictionary(t => t.Id);
        addedByContent = addedTokens.ToDictionary(t => t.Content, t => t.Id);
        VocabSize = Math.Max(model.VocabularyEnd, addedTokens.Count == 0 ? 0 : addedTokens.Max(t => t.Id) + 1);
    }

    /// <summary>The kind of tokenizer.</summary>
    public TextTokenizerKind Kind { get; }

    /// <summary>
    /// Whether decoded text starts with a space the tokenizer added (SentencePiece's dummy prefix),
    /// which decoding drops as Hugging Face does.
    /// </summary>
    public bool DropsLeadingSpace => model is SentencePieceModel { AddsDummyPrefix: true } || decoder is { DropsLeadingSpace: true };

    /// <summary>One past the largest token id.</summary>
    public int VocabSize { get; }

    /// <summary>The beginning-of-sequence id (tokenizer_config.json bos_token), if any.</summary>
    public int? BosTokenId { get; private set; }

    /// <summary>Whether a BOS token is prepended to encoded prompts (tokenizer_config.json add_bos_token).</summary>
    public bool AddBosToken { get; private set; }

    /// <summary>Whether <see cref="Encode"/> with special tokens appends the first EOS id (tokenizer_config.json
    /// add_eos_token, as Llama/Mistral's tokenizer classes read it; chat prompts never get it).</summary>
    public bool AddEosToken { get; private set; }

    /// <summary>End ids: tokenizer_config.json eos_token and generation_config.json eos_token_id, united.</summary>
    public IReadOnlyList<int> EosTokenIds { get; private set; } = [];

    /// <summary>The default jinja chat template, if the checkpoint has one.</summary>
    public string? ChatTemplate { get; private set; }

    /// <summary>Every named chat template (a single template is named "default").</summary>
    public IReadOnlyDictionary<string, string> NamedChatTemplates { get; private set; } = new Dictionary<string, string>();

    /// <summary>Loads the tokenizer files of a checkpoint folder.</summary>
    public static TextTokenizer Load(string directory)
    {
        string json = Path.Combine(directory, "tokenizer.json");
        string sentencePiece = Path.Combine(directory, "tokenizer.model");
        TextTokenizer tokenizer;
        if (File.Exists(json))
        {
            tokenizer = LoadTokenizerJson(json);
        }
        else if (File.Exists(sentencePiece))
        {
            tokenizer = LoadSentencePiece(sentencePiece);
        }
        else
        {
            throw new TokenizerLoadException(json, null, "not found: a Hugging Face checkpoint folder needs tokenizer.json or a SentencePiece tokenizer.model");
        }

        tokenizer.ReadTokenizerConfig(Path.Combine(directory, "tokenizer_config.json"));
        tokenizer.ReadGenerationConfig(Path.Combine(directory, "generation_config.json"));
        return tokenizer;
    }

    /// <summary>Token ids of <paramref name="text"/>; special tokens written in the text are single ids.</summary>
    public IReadOnlyList<int> Encode(string text, bool addSpecialTokens = false)
    {
        var ids = EncodeWithOffsets(text).Select(t => t.Id).ToList();
        if (addSpecialTokens && AddBosToken && BosTokenId is int bos)
        {
            ids.Insert(0, bos);
        }

        if (addSpecialTokens && AddEosToken && EosTokenIds.Count > 0)
        {
            ids.Add(EosTokenIds[0]);
        }

        return ids;
    }

    /// <summary>Tokens of <paramref name="text"/> with the UTF-16 range of the text each covers; control-token
    /// strings anywhere in the text are control tokens (use the overload with literal ranges for prompts that hold
    /// untrusted text).</summary>
    public IReadOnlyList<EncodedToken> EncodeWithOffsets(string text) => EncodeWithOffsets(text, []);

    /// <summary>
    /// Tokens of <paramref name="text"/> with the UTF-16 range of the text each covers, where control-token strings
    /// (special tokens such as <c>&lt;|im_end|&gt;</c> and raw-text added tokens such as <c>&lt;tool_call&gt;</c>) that
    /// overlap <paramref name="literalRanges"/> are encoded as ordinary text. Outside those ranges, and for text
    /// without control-token strings, the ids are exactly those of <see cref="EncodeWithOffsets(string)"/>.
    /// </summary>
    /// <param name="text">The text, typically <see cref="Templates.RenderedPrompt.Text"/>.</param>
    /// <param name="literalRanges">Sorted, disjoint ranges of data, typically <see cref="Templates.RenderedPrompt.LiteralRanges"/>.</param>
    /// <exception cref="ArgumentException">A range is outside the text, empty-reversed or out of order.</exception>
    public IReadOnlyList<EncodedToken> EncodeWithOffsets(string text, IReadOnlyList<Templates.CharRange> literalRanges)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(literalRanges);
        for (int i = 0; i < literalRanges.Count; i++)
        {
            var range = literalRanges[i];
            if (range.Start < 0 || range.End < range.Start || range.End > text.Length || (i > 0 && range.Start < literalRanges[i - 1].End))
            {
                throw new ArgumentException($"Literal range {i} [{range.Start}, {range.End}) is not a sorted, disjoint range inside the text (length {text.Length}).", nameof(literalRanges));
            }
        }

        var output = new List<EncodedToken>();
        var parts = new List<(int Start, int End, AddedToken? Token)>();
        added.Split(text, 0, text.Length, parts, literalRanges.Count == 0 ? null : literalRanges);
        foreach (var (start, end, token) in parts)
        {
            if (token is not null)
            {
                output.Add(new EncodedToken(token.Id, start, end));
                continue;
            }

            var normalized = nfc ? NormalizedText.Nfc(text, start, end) : NormalizedText.Identity(text.Substring(start, end - start), start);
            if (model is ByteFallbackBpeModel byteFallback)
            {
                byteFallback.Encode(normalized, 0, normalized.Text.Length, output, literalRanges.Count == 0 ? null : literalRanges);
            }
            else
            {
                model.Encode(normalized, 0, normalized.Text.Length, output);
            }
        }

        return output;
    }

    /// <summary>The text of <paramref name="ids"/>; invalid UTF-8 becomes U+FFFD.</summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        if (decoder is not null)
        {
            // The file's own decoder chain, on token strings as Hugging Face runs it (exact also for invalid byte runs).
            var tokens = new List<string>();
            foreach (int id in ids)
            {
                if (!(skipSpecialTokens && IsSpecial(id)))
                {
                    tokens.Add(IdToToken(id) ?? throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id {id} is not in the vocabulary (size {VocabSize})."));
                }
            }

            return decoder.Decode(tokens);
        }

        var bytes = new List<byte>();
        foreach (int id in ids)
        {
            if (skipSpecialTokens && IsSpecial(id))
            {
                continue;
            }

            bytes.AddRange(TokenBytes(id).ToArray());
        }

        string text = Encoding.UTF8.GetString(bytes.ToArray());
        return DropsLeadingSpace && text.StartsWith(' ') ? text[1..] : text;
    }

    /// <summary>Whether <paramref name="id"/> is a special (control) token.</summary>
    public bool IsSpecial(int id) => addedById.TryGetValue(id, out var token) && token.Special;

    /// <summary>The id of a vocabulary or added token string.</summary>
    public int? TokenToId(string token) => addedByContent.TryGetValue(token, out int id) ? id : model.TokenToId(token);

    /// <summary>The vocabulary string of <paramref name="id"/>.</summary>
    public string? IdToToken(int id) => addedById.TryGetValue(id, out var token) ? token.Content : model.IdToToken(id);

    /// <summary>The UTF-8 bytes <paramref name="id"/> decodes to.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No token has that id.</exception>
    public ReadOnlyMemory<byte> TokenBytes(int id)
    {
        if (addedById.TryGetValue(id, out var token))
        {
            return Encoding.UTF8.GetBytes(token.Content);
        }

        return model.TokenBytes(id) ?? throw new ArgumentOutOfRangeException(nameof(id), id, $"Token id {id} is not in the vocabulary (size {VocabSize}).");
    }

    private static TextTokenizer LoadTokenizerJson(string path)
    {
        using var file = JsonFile.Read(path);
        var root = file.Root;
        file.RequireObject(root, "$");
        if (!JsonFile.TryGet(root, "model", out var modelJson))
        {
            throw file.Error("$.model", "required object is missing");
        }

        string type = file.OptionalString(modelJson, "type", "$.model") ?? "BPE";
        if (type != "BPE")
        {
            throw file.Error("$.model.type", $"model type \"{type}\" is not supported (byte-level BPE only)");
        }

        if (JsonFile.TryGet(modelJson, "dropout", out var dropout) && dropout.ValueKind == JsonValueKind.Number && dropout.GetDouble() != 0)
        {
            throw file.Error("$.model.dropout", "BPE dropout is a training-time option; a non-zero value is not supported");
        }

        if (file.OptionalBool(modelJson, "byte_fallback", "$.model") == true)
        {
            // SentencePiece converted (Llama 2, Mistral 7B, Phi-3, TinyLlama): ▁ for spaces, <0xNN> byte tokens.
            var addedTokens = ReadAddedTokens(file, root);
            var parts = ByteFallbackTokenizerJson.Read(file, root, modelJson, ReadVocab(file, modelJson), ReadMerges(file, modelJson), addedTokens);
            return new TextTokenizer(parts.Model, addedTokens, nfc: false, parts.Decoder);
        }

        foreach (string unsupported in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
        {
            if (file.OptionalString(modelJson, unsupported, "$.model") is { Length: > 0 } value)
            {
                throw file.Error("$.model." + unsupported, $"\"{value}\" is not supported for byte-level BPE");
            }
        }

        var vocab = ReadVocab(file, modelJson);
        var merges = ReadMerges(file, modelJson);
        bool ignoreMerges = file.OptionalBool(modelJson, "ignore_merges", "$.model") ?? false;
        bool nfc = ReadNormalizer(file, root);
        var (preTokenizer, byteLevelSeen) = ReadPreTokenizer(file, root);
        ReadDecoder(file, root);
        if (!byteLevelSeen)
        {
            throw file.Error("$.pre_tokenizer", "a byte-level BPE tokenizer needs a ByteLevel pre-tokenizer; none was declared");
        }

        var added = ReadAddedTokens(file, root);
        BpeTokenizer bpe;
        try
        {
            bpe = BpeTokenizer.Create(new BpeOptions(vocab) { Merges = merges, ByteLevel = true });
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or KeyNotFoundException or FormatException)
        {
            // Found by the parser fuzz tests: a merge of a token missing from the vocabulary escaped as InvalidOperationException.
            throw file.Error("$.model.merges", $"the merges do not fit the vocabulary: {e.Message}", e);
        }

        return new TextTokenizer(new ByteLevelBpeModel(vocab, bpe, ignoreMerges, preTokenizer), added, nfc);
    }

    private static TextTokenizer LoadSentencePiece(string path)
    {
        SentencePieceModel model;
        try
        {
            using var stream = File.OpenRead(path);
            model = new SentencePieceModel(LlamaTokenizer.Create(stream, addBeginOfSentence: false, addEndOfSentence: false));
        }
        catch (Exception e) when (e is not IOException || e is Google.Protobuf.InvalidProtocolBufferException)
        {
            // A malformed protobuf is an IOException too (Google.Protobuf's InvalidProtocolBufferException): it is the
            // file's fault, not the disk's, so it is a load error like any other unreadable model.
            throw new TokenizerLoadException(path, null, $"not a SentencePiece model this loader supports ({e.Message})", e);
        }

        var controls = model.ControlIds.Select(id => new AddedToken(id, model.IdToToken(id)!, Special: true, LStrip: false, RStrip: false, SingleWord: false, Normalized: false)).ToList();
        return new TextTokenizer(model, controls, nfc: false);
    }

    private static Dictionary<string, int> ReadVocab(JsonFile file, JsonElement modelJson)
    {
        if (!JsonFile.TryGet(modelJson, "vocab", out var vocabJson) || vocabJson.ValueKind != JsonValueKind.Object)
        {
            throw file.Error("$.model.vocab", "required object {token: id} is missing");
        }

        var vocab = new Dictionary<string, int>();
        foreach (var entry in vocabJson.EnumerateObject())
        {
            vocab[entry.Name] = file.AsTokenId(entry.Value, "$.model.vocab." + entry.Name);
        }

        return vocab;
    }

    private static List<string> ReadMerges(JsonFile file, JsonElement modelJson)
    {
        var merges = new List<string>();
        if (!JsonFile.TryGet(modelJson, "merges", out var mergesJson))
        {
            return merges;
        }

        int i = 0;
        foreach (var merge in file.RequireArray(mergesJson, "$.model.merges"))
        {
            string path = $"$.model.merges[{i++}]";
            if (merge.ValueKind == JsonValueKind.String)
            {
                string text = merge.GetString()!;
                if (text.Split(' ').Length != 2)
                {
                    throw file.Error(path, $"a merge must be \"left right\", found {JsonFile.Show(merge)}");
                }

                merges.Add(text);
            }
            else if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2)
            {
                string left = file.AsString(merge[0], path + "[0]");
                string right = file.AsString(merge[1], path + "[1]");
                if (left.Contains(' ') || right.Contains(' '))
                {
                    throw file.Error(path, "a merge part containing a space cannot be represented");
                }

                merges.Add(left + " " + right);
            }
            else
            {
                throw file.Error(path, $"a merge must be \"left right\" or [\"left\", \"right\"], found {JsonFile.Show(merge)}");
            }
        }

        return merges;
    }

    private static bool ReadNormalizer(JsonFile file, JsonElement root)
    {
        if (!JsonFile.TryGet(root, "normalizer", out var normalizer))
        {
            return false;
        }

        string type = file.RequireString(normalizer, "type", "$.normalizer");
        return type switch
        {
            "NFC" => true,
            _ => throw file.Error("$.normalizer.type", $"normalizer \"{type}\" is not supported (null or NFC)"),
        };
    }

    private static (PreTokenizerPipeline Pipeline, bool ByteLevel) ReadPreTokenizer(JsonFile file, JsonElement root)
    {
        var steps = new List<IPreTokenizerStep>();
        bool byteLevel = false;
        if (JsonFile.TryGet(root, "pre_tokenizer", out var preTokenizer))
        {
            AddStep(file, preTokenizer, "$.pre_tokenizer", steps, ref byteLevel);
        }

        return (new PreTokenizerPipeline(steps), byteLevel);
    }

    private static void AddStep(JsonFile file, JsonElement step, string path, List<IPreTokenizerStep> steps, ref bool byteLevel)
    {
        string type = file.RequireString(step, "type", path);
        switch (type)
        {
            case "Sequence":
                if (!JsonFile.TryGet(step, "pretokenizers", out var list) || list.ValueKind != JsonValueKind.Array)
                {
                    throw file.Error(path + ".pretokenizers", "a Sequence needs a pretokenizers array");
                }

                int i = 0;
                foreach (var inner in list.EnumerateArray())
                {
                    AddStep(file, inner, $"{path}.pretokenizers[{i++}]", steps, ref byteLevel);
                }

                break;
            case "Split":
                string behavior = file.OptionalString(step, "behavior", path) ?? "Isolated";
                if (behavior != "Isolated")
                {
                    throw file.Error(path + ".behavior", $"Split behavior \"{behavior}\" is not supported (Isolated)");
                }

                if (file.OptionalBool(step, "invert", path) == true)
                {
                    throw file.Error(path + ".invert", "an inverted Split is not supported");
                }

                if (!JsonFile.TryGet(step, "pattern", out var pattern))
                {
                    throw file.Error(path + ".pattern", "required pattern is missing");
                }

                string regex = JsonFile.TryGet(pattern, "Regex", out var r) ? file.AsString(r, path + ".pattern.Regex")
                    : JsonFile.TryGet(pattern, "String", out var s) ? System.Text.RegularExpressions.Regex.Escape(file.AsString(s, path + ".pattern.String"))
                    : throw file.Error(path + ".pattern", $"expected {{\"Regex\": ...}} or {{\"String\": ...}}, found {JsonFile.Show(pattern)}");
                try
                {
                    steps.Add(new IsolatedSplitStep(new CodePointRegex(OnigurumaPatternTranslator.Compile(regex))));
                }
                catch (Exception e) when (e is ArgumentException or NotSupportedException)
                {
                    throw file.Error(path + ".pattern", $"the regex cannot be translated to .NET: {e.Message}", e);
                }

                break;
            case "ByteLevel":
                byteLevel = true;
                steps.Add(new ByteLevelSplitStep(file.OptionalBool(step, "add_prefix_space", path) ?? true, file.OptionalBool(step, "use_regex", path) ?? true));
                break;
            case "Digits":
                steps.Add(new DigitsSplitStep(file.OptionalBool(step, "individual_digits", path) ?? false));
                break;
            default:
                throw file.Error(path + ".type", $"pre-tokenizer \"{type}\" is not supported (Split, ByteLevel, Digits, Sequence)");
        }
    }

    private static void ReadDecoder(JsonFile file, JsonElement root)
    {
        if (JsonFile.TryGet(root, "decoder", out var decoder))
        {
            string type = file.RequireString(decoder, "type", "$.decoder");
            if (type != "ByteLevel")
            {
                throw file.Error("$.decoder.type", $"decoder \"{type}\" is not supported (ByteLevel)");
            }
        }
    }

    private static List<AddedToken> ReadAddedTokens(JsonFile file, JsonElement root)
    {
        var tokens = new List<AddedToken>();
        if (!JsonFile.TryGet(root, "added_tokens", out var list))
        {
            return tokens;
        }

        int i = 0;
        var ids = new HashSet<int>();
        var contents = new HashSet<string>(StringComparer.Ordinal);
        foreach (var token in file.RequireArray(list, "$.added_tokens"))
        {
            string path = $"$.added_tokens[{i++}]";
            file.RequireObject(token, path);
            if (!JsonFile.TryGet(token, "id", out var idJson))
            {
                throw file.Error(path + ".id", "required token id is missing");
            }

            int id = file.AsTokenId(idJson, path + ".id");
            string content = file.RequireString(token, "content", path);
            if (!ids.Add(id) || !contents.Add(content))
            {
                // Found by the parser fuzz tests: duplicates escaped as ArgumentException from a dictionary.
                throw file.Error(path, $"added token {id} \"{content}\" repeats an id or content of an earlier added token");
            }

            tokens.Add(new AddedToken(
                id,
                content,
                file.OptionalBool(token, "special", path) ?? false,
                file.OptionalBool(token, "lstrip", path) ?? false,
                file.OptionalBool(token, "rstrip", path) ?? false,
                file.OptionalBool(token, "single_word", path) ?? false,
                file.OptionalBool(token, "normalized", path) ?? false));
        }

        return tokens;
    }

    private void ReadTokenizerConfig(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        using var file = JsonFile.Read(path);
        var root = file.Root;
        int? Id(string name)
        {
            if (!JsonFile.TryGet(root, name, out var value))
            {
                return null;
            }

            string content = value.ValueKind == JsonValueKind.Object ? file.RequireString(value, "content", "$." + name) : file.AsString(value, "$." + name);
            return TokenToId(content) ?? throw file.Error("$." + name, $"token \"{content}\" is not in the vocabulary");
        }

        BosTokenId = Id("bos_token");
        AddBosToken = (file.OptionalBool(root, "add_bos_token", "$") ?? false) && BosTokenId is not null;
        if (Id("eos_token") is int eos)
        {
            EosTokenIds = EosTokenIds.Append(eos).Distinct().ToList();
        }

        AddEosToken = (file.OptionalBool(root, "add_eos_token", "$") ?? false) && EosTokenIds.Count > 0;
        if (model is ByteFallbackBpeModel && file.OptionalBool(root, "add_prefix_space", "$") is bool prefix
            && file.OptionalString(root, "tokenizer_class", "$") is "LlamaTokenizer" or "LlamaTokenizerFast" or "CodeLlamaTokenizer" or "CodeLlamaTokenizerFast")
        {
            // transformers then rebuilds the tokenizer from tokenizer.model (from_slow) and ignores tokenizer.json.
            throw file.Error("$.add_prefix_space", $"add_prefix_space: {(prefix ? "true" : "false")} makes transformers rebuild this tokenizer from the SentencePiece tokenizer.model instead of tokenizer.json; that is not supported (remove the setting to use tokenizer.json as it is)");
        }

        if (JsonFile.TryGet(root, "chat_template", out var template))
        {
            var named = new Dictionary<string, string>();
            if (template.ValueKind == JsonValueKind.String)
            {
                named["default"] = template.GetString()!;
            }
            else if (template.ValueKind == JsonValueKind.Array)
            {
                int i = 0;
                foreach (var entry in template.EnumerateArray())
                {
                    string at = $"$.chat_template[{i++}]";
                    named[file.RequireString(entry, "name", at)] = file.RequireString(entry, "template", at);
                }
            }
            else
            {
                throw file.Error("$.chat_template", $"expected a string or a list of {{name, template}}, found {JsonFile.Show(template)}");
            }

            NamedChatTemplates = named;
            ChatTemplate = named.GetValueOrDefault("default");
        }
    }

    private void ReadGenerationConfig(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        using var file = JsonFile.Read(path);
        if (JsonFile.TryGet(file.Root, "eos_token_id", out var eos))
        {
            var ids = eos.ValueKind == JsonValueKind.Array
                ? eos.EnumerateArray().Select((e, i) => file.AsTokenId(e, $"$.eos_token_id[{i}]"))
                : [file.AsTokenId(eos, "$.eos_token_id")];
            EosTokenIds = EosTokenIds.Concat(ids).Distinct().ToList();
        }
    }
}
