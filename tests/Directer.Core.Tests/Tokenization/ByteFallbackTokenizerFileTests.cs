using System.Text.Json.Nodes;
using Directer.Core.Tests.Support;
using Directer.Core.Tokenization;

namespace Directer.Core.Tests.Tokenization;

/// <summary>
/// Loading a SentencePiece-converted <c>tokenizer.json</c> (<c>byte_fallback: true</c>): every declaration that Hugging
/// Face <c>tokenizers</c> would run differently from what Directer implements is a <see cref="TokenizerLoadException"/>
/// naming the JSON path and the problem exactly; the variants it does implement (the optional fields of the normalizer,
/// the Metaspace pre-tokenizer and the decoder steps) encode and decode as Hugging Face does. The files are the Mistral
/// 7B v0.1 fixture (Fixtures/byte-fallback, published by Mistral AI, written out by Hugging Face's converter) with one
/// value changed.
/// </summary>
public sealed class ByteFallbackTokenizerFileTests : IDisposable
{
    private const string Meta = "\u2581";
    private static readonly string Source = EditedByteFallbackFiles.Source;
    private readonly EditedByteFallbackFiles files = new("directer-bf-file-");

    public void Dispose() => files.Dispose();

    private string Folder(Action<JsonObject> edit) => files.Write(edit);

    private TokenizerLoadException LoadError(Action<JsonObject> edit, string location)
    {
        string dir = Folder(edit);
        var error = Assert.Throws<TokenizerLoadException>(() => TextTokenizer.Load(dir));
        Assert.Equal(Path.Combine(dir, "tokenizer.json"), error.FilePath);
        Assert.Equal(location, error.Location);
        return error;
    }

    private static JsonObject Model(JsonObject root) => root["model"]!.AsObject();

    private static JsonArray Normalizers(JsonObject root) => root["normalizer"]!["normalizers"]!.AsArray();

    private static JsonArray Decoders(JsonObject root) => root["decoder"]!["decoders"]!.AsArray();

    private static readonly string MetaspacePre = "{\"type\": \"Metaspace\", \"replacement\": \"" + Meta + "\", \"prepend_scheme\": \"always\", \"split\": true}";

    private static void ToMetaspace(JsonObject root, string? pre = null)
    {
        root["normalizer"] = null;
        root["pre_tokenizer"] = JsonNode.Parse(pre ?? MetaspacePre);
    }

    public static TheoryData<string, string, string> Refusals() => new()
    {
        { "subword", "$.model.continuing_subword_prefix", "\"##\" is not supported for a byte-fallback BPE model" },
        { "suffix", "$.model.end_of_word_suffix", "\"</w>\" is not supported for a byte-fallback BPE model" },
        { "ignore_merges", "$.model.ignore_merges", "ignore_merges is not supported for a byte-fallback BPE model" },
        { "unk", "$.model", "the unk_token \"<nope>\" is not in the vocabulary" },
        { "merge-left", "$.model", "merge 0 \"zz " + Meta + "t\": \"zz\" is not in the vocabulary" },
        { "merge-right", "$.model", "merge 0 \"" + Meta + " zz\": \"zz\" is not in the vocabulary" },
        { "merge-result", "$.model", "merge 0 \"a a\": the result \"aa\" is not in the vocabulary" },
        { "normalizers-missing", "$.normalizer.normalizers", "a Sequence needs a normalizers array" },
        { "normalizers-object", "$.normalizer.normalizers", "a Sequence needs a normalizers array" },
        { "prepend-value", "$.normalizer.normalizers[0].prepend", "only \"" + Meta + "\" is supported, found \"_\"" },
        { "prepend-twice", "$.normalizer.normalizers[2].type", "normalizer \"Prepend\" is not supported for a byte-fallback BPE model (Prepend \"" + Meta + "\" and Replace \" \" → \"" + Meta + "\", once each)" },
        { "replace-twice", "$.normalizer.normalizers[2].type", "normalizer \"Replace\" is not supported for a byte-fallback BPE model (Prepend \"" + Meta + "\" and Replace \" \" → \"" + Meta + "\", once each)" },
        { "replace-regex", "$.normalizer.normalizers[1].pattern", "only a {\"String\": ...} pattern is supported" },
        { "replace-nopattern", "$.normalizer.normalizers[1].pattern", "only a {\"String\": ...} pattern is supported" },
        { "replace-from", "$.normalizer.normalizers[1]", "only Replace \" \" → \"" + Meta + "\" is supported, found \"\t\" → \"" + Meta + "\"" },
        { "replace-to", "$.normalizer.normalizers[1]", "only Replace \" \" → \"" + Meta + "\" is supported, found \" \" → \"_\"" },
        { "single-nfc", "$.normalizer.type", "normalizer \"NFC\" is not supported for a byte-fallback BPE model (Prepend \"" + Meta + "\" and Replace \" \" → \"" + Meta + "\", once each)" },
        { "normalizer-notype", "$.normalizer.type", "required string is missing" },
        { "pre-bytelevel", "$.pre_tokenizer.type", "pre-tokenizer \"ByteLevel\" is not supported for a byte-fallback BPE model (Metaspace or none)" },
        { "pre-with-normalizer", "$.pre_tokenizer", "a Metaspace pre-tokenizer together with a Prepend/Replace normalizer is not supported" },
        { "pre-replacement", "$.pre_tokenizer.replacement", "only \"" + Meta + "\" is supported, found \"_\"" },
        { "pre-scheme", "$.pre_tokenizer.prepend_scheme", "\"sometimes\" is not a prepend scheme (first, always, never)" },
        { "normalized-metaspace", "$.added_tokens", "added token 1 \"<s>\" has normalized: true, which is not supported with a Metaspace pre-tokenizer" },
        { "decoder-missing", "$.decoder", "a byte-fallback BPE tokenizer needs a decoder (Replace/ByteFallback/Fuse/Strip or Metaspace); none was declared" },
        { "decoder-null", "$.decoder", "a byte-fallback BPE tokenizer needs a decoder (Replace/ByteFallback/Fuse/Strip or Metaspace); none was declared" },
        { "decoders-missing", "$.decoder.decoders", "a Sequence needs a decoders array" },
        { "decoders-object", "$.decoder.decoders", "a Sequence needs a decoders array" },
        { "decoder-replace-empty", "$.decoder.decoders[0].pattern", "only a non-empty {\"String\": ...} pattern is supported" },
        { "decoder-replace-regex", "$.decoder.decoders[0].pattern", "only a non-empty {\"String\": ...} pattern is supported" },
        { "decoder-replace-number", "$.decoder.decoders[0].pattern", "only a non-empty {\"String\": ...} pattern is supported" },
        { "decoder-replace-nocontent", "$.decoder.decoders[0].content", "required string is missing" },
        { "strip-two", "$.decoder.decoders[3].content", "a Strip content must be one character, found \"  \"" },
        { "strip-empty", "$.decoder.decoders[3].content", "a Strip content must be one character, found \"\"" },
        { "strip-negative", "$.decoder.decoders[3].start", "expected a non-negative integer, found -1" },
        { "strip-fraction", "$.decoder.decoders[3].stop", "expected a non-negative integer, found 1.5" },
        { "strip-string", "$.decoder.decoders[3].stop", "expected a non-negative integer, found \"1\"" },
        { "decoder-ctc", "$.decoder.type", "decoder \"CTC\" is not supported for a byte-fallback BPE model (Replace, ByteFallback, Fuse, Strip, Metaspace)" },
        { "decoder-metaspace-replacement", "$.decoder.replacement", "only \"" + Meta + "\" is supported, found \"_\"" },
        { "decoder-metaspace-scheme", "$.decoder.prepend_scheme", "\"most\" is not a prepend scheme (first, always, never)" },
        { "byte-missing", "$.model.vocab", "byte_fallback is set but the vocabulary lacks some of the 256 byte tokens <0x00>..<0xFF>" },
        { "subword-number", "$.model.continuing_subword_prefix", "expected a string, found 5" },
        { "ignore_merges-string", "$.model.ignore_merges", "expected true or false, found \"yes\"" },
        { "unk-number", "$.model.unk_token", "expected a string, found 5" },
        { "fuse_unk-string", "$.model.fuse_unk", "expected true or false, found \"yes\"" },
        { "pre-type-number", "$.pre_tokenizer.type", "expected a string, found 5" },
        { "pre-with-prepend-only", "$.pre_tokenizer", "a Metaspace pre-tokenizer together with a Prepend/Replace normalizer is not supported" },
        { "pre-with-replace-only", "$.pre_tokenizer", "a Metaspace pre-tokenizer together with a Prepend/Replace normalizer is not supported" },
        { "pre-split-string", "$.pre_tokenizer.split", "expected true or false, found \"no\"" },
        { "decoder-type-number", "$.decoder.type", "expected a string, found 5" },
        { "decoder-step-type-number", "$.decoder.decoders[1].type", "expected a string, found 5" },
    };

    private static void Edit(string name, JsonObject root)
    {
        switch (name)
        {
            case "subword": Model(root)["continuing_subword_prefix"] = "##"; break;
            case "suffix": Model(root)["end_of_word_suffix"] = "</w>"; break;
            case "ignore_merges": Model(root)["ignore_merges"] = true; break;
            case "unk": Model(root)["unk_token"] = "<nope>"; break;
            case "merge-left": Model(root)["merges"]!.AsArray().Insert(0, "zz " + Meta + "t"); break;
            case "merge-right": Model(root)["merges"]!.AsArray().Insert(0, Meta + " zz"); break;
            case "merge-result": Model(root)["merges"]!.AsArray().Insert(0, "a a"); break;
            case "normalizers-missing": root["normalizer"]!.AsObject().Remove("normalizers"); break;
            case "normalizers-object": root["normalizer"]!["normalizers"] = new JsonObject(); break;
            case "prepend-value": Normalizers(root)[0]!["prepend"] = "_"; break;
            case "prepend-twice": Normalizers(root).Add(JsonNode.Parse("{\"type\": \"Prepend\", \"prepend\": \"" + Meta + "\"}")); break;
            case "replace-twice": Normalizers(root).Add(Normalizers(root)[1]!.DeepClone()); break;
            case "replace-regex": Normalizers(root)[1]!["pattern"] = JsonNode.Parse("{\"Regex\": \" \"}"); break;
            case "replace-nopattern": Normalizers(root)[1]!.AsObject().Remove("pattern"); break;
            case "replace-from": Normalizers(root)[1]!["pattern"] = JsonNode.Parse("{\"String\": \"\\t\"}"); break;
            case "replace-to": Normalizers(root)[1]!["content"] = "_"; break;
            case "single-nfc": root["normalizer"] = JsonNode.Parse("{\"type\": \"NFC\"}"); break;
            case "normalizer-notype": root["normalizer"] = new JsonObject(); break;
            case "pre-bytelevel": root["pre_tokenizer"] = JsonNode.Parse("{\"type\": \"ByteLevel\"}"); break;
            case "pre-with-normalizer": root["pre_tokenizer"] = JsonNode.Parse(MetaspacePre); break;
            case "pre-replacement": ToMetaspace(root, MetaspacePre.Replace("\"replacement\": \"" + Meta + "\"", "\"replacement\": \"_\"")); break;
            case "pre-scheme": ToMetaspace(root, MetaspacePre.Replace("always", "sometimes")); break;
            case "normalized-metaspace":
                ToMetaspace(root);
                root["added_tokens"]![1]!["normalized"] = true;
                break;
            case "decoder-missing": root.Remove("decoder"); break;
            case "decoder-null": root["decoder"] = null; break;
            case "decoders-missing": root["decoder"]!.AsObject().Remove("decoders"); break;
            case "decoders-object": root["decoder"]!["decoders"] = new JsonObject(); break;
            case "decoder-replace-empty": Decoders(root)[0]!["pattern"] = JsonNode.Parse("{\"String\": \"\"}"); break;
            case "decoder-replace-regex": Decoders(root)[0]!["pattern"] = JsonNode.Parse("{\"Regex\": \"" + Meta + "\"}"); break;
            case "decoder-replace-number": Decoders(root)[0]!["pattern"] = JsonNode.Parse("{\"String\": 5}"); break;
            case "decoder-replace-nocontent": Decoders(root)[0]!.AsObject().Remove("content"); break;
            case "strip-two": Decoders(root)[3]!["content"] = "  "; break;
            case "strip-empty": Decoders(root)[3]!["content"] = string.Empty; break;
            case "strip-negative": Decoders(root)[3]!["start"] = -1; break;
            case "strip-fraction": Decoders(root)[3]!["stop"] = 1.5; break;
            case "strip-string": Decoders(root)[3]!["stop"] = "1"; break;
            case "decoder-ctc": root["decoder"] = JsonNode.Parse("{\"type\": \"CTC\"}"); break;
            case "decoder-metaspace-replacement": root["decoder"] = JsonNode.Parse("{\"type\": \"Metaspace\", \"replacement\": \"_\"}"); break;
            case "decoder-metaspace-scheme": root["decoder"] = JsonNode.Parse("{\"type\": \"Metaspace\", \"prepend_scheme\": \"most\"}"); break;
            case "byte-missing": Model(root)["vocab"]!.AsObject().Remove("<0xFF>"); break;
            case "subword-number": Model(root)["continuing_subword_prefix"] = 5; break;
            case "ignore_merges-string": Model(root)["ignore_merges"] = "yes"; break;
            case "unk-number": Model(root)["unk_token"] = 5; break;
            case "fuse_unk-string": Model(root)["fuse_unk"] = "yes"; break;
            case "pre-type-number": ToMetaspace(root, "{\"type\": 5}"); break;
            case "pre-with-prepend-only":
                root["normalizer"] = Normalizers(root)[0]!.DeepClone();
                root["pre_tokenizer"] = JsonNode.Parse(MetaspacePre);
                break;
            case "pre-with-replace-only":
                root["normalizer"] = Normalizers(root)[1]!.DeepClone();
                root["pre_tokenizer"] = JsonNode.Parse(MetaspacePre);
                break;
            case "pre-split-string": ToMetaspace(root, MetaspacePre.Replace("\"split\": true", "\"split\": \"no\"")); break;
            case "decoder-type-number": root["decoder"] = JsonNode.Parse("{\"type\": 5}"); break;
            case "decoder-step-type-number": Decoders(root)[1]!["type"] = 5; break;
            default: throw new ArgumentException(name);
        }
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public void WhatHuggingFaceWouldRunDifferentlyIsRefusedNamingThePathAndTheProblem(string edit, string location, string problem)
    {
        Assert.Equal(problem, LoadError(root => Edit(edit, root), location).Problem);
    }

    /// <summary>Empty prefix and suffix strings are what the converter writes for "none"; a false ignore_merges is the default.</summary>
    [Fact]
    public void EmptyPrefixAndSuffixAndAFalseIgnoreMergesAreAccepted()
    {
        var plain = TextTokenizer.Load(Source);
        var tokenizer = TextTokenizer.Load(Folder(root =>
        {
            Model(root)["continuing_subword_prefix"] = string.Empty;
            Model(root)["end_of_word_suffix"] = string.Empty;
            Model(root)["ignore_merges"] = false;
        }));
        Assert.Equal(plain.Encode("Hello world"), tokenizer.Encode("Hello world"));
    }

    /// <summary>
    /// The normalizer may be one step instead of a Sequence, or only the Replace (Hugging Face then prepends nothing),
    /// or only the Prepend (spaces stay spaces, so a space is its byte token 0x20 where the vocabulary has no " ").
    /// </summary>
    [Fact]
    public void ANormalizerOfOnlyReplaceOrOnlyPrependMarksSpacesThatWay()
    {
        var plain = TextTokenizer.Load(Source);
        int Id(string token) => plain.TokenToId(token)!.Value;

        var replaceOnly = TextTokenizer.Load(Folder(root => root["normalizer"] = Normalizers(root)[1]!.DeepClone()));
        Assert.Equal([Id("a"), Id(Meta + "b")], replaceOnly.Encode("a b"));

        var prependOnly = TextTokenizer.Load(Folder(root => root["normalizer"] = Normalizers(root)[0]!.DeepClone()));
        Assert.Equal([Id(Meta + "a"), Id("<0x20>"), Id("b")], prependOnly.Encode("a b"));

        var none = TextTokenizer.Load(Folder(root => root["normalizer"] = null));
        Assert.Equal([Id("a"), Id("<0x20>"), Id("b")], none.Encode("a b"));
        Assert.Equal([Id(Meta + "a"), Id(Meta + "b")], plain.Encode("a b"));
    }

    /// <summary>
    /// The Metaspace pre-tokenizer's defaults: no replacement means ▁, no prepend_scheme falls back to add_prefix_space
    /// (false: never; absent or true: always), no split means split.
    /// </summary>
    [Fact]
    public void MetaspaceDefaultsAreHuggingFaces()
    {
        var plain = TextTokenizer.Load(Source);
        int Id(string token) => plain.TokenToId(token)!.Value;
        TextTokenizer With(string pre) => TextTokenizer.Load(Folder(root => ToMetaspace(root, pre)));

        Assert.Equal([Id(Meta + "a"), Id(Meta + "b")], With("{\"type\": \"Metaspace\"}").Encode("a b"));
        Assert.Equal([Id(Meta + "a"), Id(Meta + "b")], With("{\"type\": \"Metaspace\", \"add_prefix_space\": true}").Encode("a b"));
        Assert.Equal([Id("a"), Id(Meta + "b")], With("{\"type\": \"Metaspace\", \"add_prefix_space\": false}").Encode("a b"));
        Assert.Equal([Id("a"), Id(Meta + "b")], With("{\"type\": \"Metaspace\", \"prepend_scheme\": \"never\", \"add_prefix_space\": true}").Encode("a b"));
        Assert.Equal([Id(Meta + "a"), Id(Meta + "b")], With("{\"type\": \"Metaspace\", \"prepend_scheme\": \"first\"}").Encode("a b"));
    }

    /// <summary>
    /// Decoder steps one by one, as Hugging Face's decoders run on the token strings: Strip removes at most start
    /// leading and stop trailing copies of its character from each token; Metaspace turns ▁ into a space except in the
    /// first token (scheme first/always), where it drops it; a Replace decoder of a single step is read as well.
    /// </summary>
    private const string M3 = Meta + Meta + Meta;

    [Theory]
    [InlineData("{\"type\": \"Strip\", \"content\": \"" + Meta + "\", \"start\": 1, \"stop\": 0}", Meta + Meta + "a" + Meta + Meta)]
    [InlineData("{\"type\": \"Strip\", \"content\": \"" + Meta + "\", \"start\": 0, \"stop\": 0}", M3 + "a" + M3)]
    [InlineData("{\"type\": \"Strip\", \"content\": \"" + Meta + "\"}", M3 + "a" + M3)]
    [InlineData("{\"type\": \"Strip\", \"content\": \"" + Meta + "\", \"start\": 0, \"stop\": 2}", Meta + "a" + Meta)]
    [InlineData("{\"type\": \"Strip\", \"content\": \"" + Meta + "\", \"start\": 1, \"stop\": 1}", Meta + "a" + Meta)]
    [InlineData("{\"type\": \"Strip\", \"content\": \"" + Meta + "\", \"start\": 2, \"stop\": 2}", "a")] // the stop never reaches past the start
    [InlineData("{\"type\": \"Strip\", \"content\": \"" + Meta + "\", \"start\": 5, \"stop\": 5}", "a")]
    [InlineData("{\"type\": \"Strip\", \"content\": \"a\", \"start\": 0, \"stop\": 1}", M3 + M3)]
    [InlineData("{\"type\": \"Metaspace\"}", "a   ")]
    [InlineData("{\"type\": \"Metaspace\", \"prepend_scheme\": \"first\"}", "a   ")]
    [InlineData("{\"type\": \"Metaspace\", \"prepend_scheme\": \"never\"}", "   a   ")]
    [InlineData("{\"type\": \"Metaspace\", \"add_prefix_space\": false}", "   a   ")]
    [InlineData("{\"type\": \"Replace\", \"pattern\": {\"String\": \"" + Meta + "\"}, \"content\": \"_\"}", "___a___")]
    [InlineData("{\"type\": \"Fuse\"}", M3 + "a" + M3)]
    [InlineData("{\"type\": \"ByteFallback\"}", M3 + "a" + M3)]
    public void EachDecoderStepDoesWhatHuggingFacesDoes(string decoder, string expected)
    {
        var tokenizer = TextTokenizer.Load(Folder(root => root["decoder"] = JsonNode.Parse(decoder)));
        // ▁▁▁, a, ▁▁▁: tokens of the fixture's vocabulary; each step runs on every token string.
        int[] ids = [tokenizer.TokenToId(M3)!.Value, tokenizer.TokenToId("a")!.Value, tokenizer.TokenToId(M3)!.Value];
        Assert.Equal(expected, tokenizer.Decode(ids));
    }

    [Fact]
    public void StripCountsAreAppliedPerToken()
    {
        // A Sequence of Fuse then Strip strips the joined text once; Strip before Fuse strips each token.
        var perToken = TextTokenizer.Load(Folder(root => root["decoder"] = JsonNode.Parse("{\"type\": \"Sequence\", \"decoders\": [{\"type\": \"Strip\", \"content\": \"" + Meta + "\", \"start\": 1, \"stop\": 0}, {\"type\": \"Fuse\"}]}")));
        var joined = TextTokenizer.Load(Folder(root => root["decoder"] = JsonNode.Parse("{\"type\": \"Sequence\", \"decoders\": [{\"type\": \"Fuse\"}, {\"type\": \"Strip\", \"content\": \"" + Meta + "\", \"start\": 1, \"stop\": 0}]}")));
        int[] ids = [perToken.TokenToId(Meta + "a")!.Value, perToken.TokenToId(Meta + "c")!.Value];
        Assert.Equal("ac", perToken.Decode(ids));
        Assert.Equal("a" + Meta + "c", joined.Decode(ids));
    }
}
