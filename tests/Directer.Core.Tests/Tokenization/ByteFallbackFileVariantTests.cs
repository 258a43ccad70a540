using System.Text.Json.Nodes;
using Directer.Core.Tests.Support;
using Directer.Core.Tokenization;

namespace Directer.Core.Tests.Tokenization;

/// <summary>
/// Variants of the Mistral 7B v0.1 byte-fallback fixture (Fixtures/byte-fallback) that Hugging Face <c>tokenizers</c>
/// encodes and decodes in ways the other tests do not reach: the Metaspace pre-tokenizer's <c>split</c>, a file with
/// neither normalizer nor pre-tokenizer, added tokens with <c>normalized: true</c>, the ByteFallback decoder on tokens
/// that only look like byte tokens and on invalid runs, and the streaming detokenizer against the decoder chain. Every
/// expected token, offset and decoded string is what the Rust <c>tokenizers</c> 0.22.2 (through its Node binding, as in
/// reference/byte_fallback_reference.mjs) gives for the same edited file: reference/byte_fallback_variants_reference.mjs
/// prints them.
/// </summary>
public sealed class ByteFallbackFileVariantTests : IDisposable
{
    private const string Meta = "\u2581";
    private static readonly string Source = EditedByteFallbackFiles.Source;
    private readonly EditedByteFallbackFiles files = new("directer-bf-variant-");

    public void Dispose() => files.Dispose();

    private TextTokenizer Load(Action<JsonObject> edit) => TextTokenizer.Load(files.Write(edit));

    private static JsonObject AddedToken(int id, string content, bool normalized) => new()
    {
        ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = normalized, ["special"] = false,
    };

    /// <summary>The tokens (as strings; an added token as its content) and offsets of <paramref name="text"/>.</summary>
    private static void AssertEncodes(TextTokenizer tokenizer, string text, string[] tokens, int[][] offsets)
    {
        var encoded = tokenizer.EncodeWithOffsets(text);
        Assert.Equal(tokens, encoded.Select(t => tokenizer.IdToToken(t.Id)));
        Assert.Equal(offsets.Select(o => (o[0], o[1])), encoded.Select(t => (t.Start, t.End)));
    }

    [Fact]
    public void MetaspaceSplitsBeforeEachMetaUnlessSplitIsFalse()
    {
        // Rust: "a   " → ▁a ▁ ▁ ▁ with split true or absent (each ▁ starts a word), ▁a ▁▁▁ with split false.
        TextTokenizer With(string split) => Load(root =>
        {
            root["normalizer"] = null;
            root["pre_tokenizer"] = JsonNode.Parse("{\"type\": \"Metaspace\", \"replacement\": \"" + Meta + "\", \"prepend_scheme\": \"always\"" + split + "}");
        });

        string[] separate = [Meta + "a", Meta, Meta, Meta];
        int[][] separateOffsets = [[0, 1], [1, 2], [2, 3], [3, 4]];
        AssertEncodes(With(string.Empty), "a   ", separate, separateOffsets);
        AssertEncodes(With(", \"split\": true"), "a   ", separate, separateOffsets);
        AssertEncodes(With(", \"split\": false"), "a   ", [Meta + "a", Meta + Meta + Meta], [[0, 1], [1, 4]]);
    }

    [Fact]
    public void WithoutNormalizerAndPreTokenizerTheTextIsOneWordAsItIs()
    {
        var plain = Load(root =>
        {
            root["normalizer"] = null;
            root["pre_tokenizer"] = null;
        });
        AssertEncodes(plain, "a" + Meta + Meta + Meta, ["a", Meta + Meta + Meta], [[0, 1], [1, 4]]);
        AssertEncodes(plain, Meta + "a" + Meta + Meta, [Meta + "a", Meta + Meta], [[0, 2], [2, 4]]);
        AssertEncodes(plain, "a  b", ["a", "<0x20>", "<0x20>", "b"], [[0, 1], [1, 2], [2, 3], [3, 4]]);
    }

    [Fact]
    public void WithoutNormalizerANormalizedAddedTokenMatchesTheTextAsItIs()
    {
        var tokenizer = Load(root =>
        {
            root["normalizer"] = null;
            root["pre_tokenizer"] = null;
            root["added_tokens"]![1]!["normalized"] = true; // <s>
            root["added_tokens"]!.AsArray().Add(AddedToken(32000, "a b", normalized: true));
        });
        AssertEncodes(tokenizer, "xa by", ["x", "a b", "y"], [[0, 1], [1, 4], [4, 5]]);
        AssertEncodes(tokenizer, "x<s>y", ["x", "<s>", "y"], [[0, 1], [1, 4], [4, 5]]);
    }

    [Fact]
    public void WithTheLegacyNormalizerANormalizedAddedTokenMatchesItsNormalizedForm()
    {
        // "a b" normalizes to ▁a▁b (Prepend, Replace): it matches only where a ▁ stands before the a.
        var tokenizer = Load(root => root["added_tokens"]!.AsArray().Add(AddedToken(32000, "a b", normalized: true)));
        AssertEncodes(tokenizer, "x a b", [Meta + "x", "a b"], [[0, 1], [1, 5]]);
        AssertEncodes(tokenizer, "a bc", ["a b", "c"], [[0, 3], [3, 4]]);
        AssertEncodes(tokenizer, "xa by", [Meta + "x", "a", Meta + "b", "y"], [[0, 1], [1, 2], [2, 4], [4, 5]]);
    }

    [Fact]
    public void AnAddedTokenWithoutContentMatchesNothing()
    {
        // Normalized, it would be ▁ with the legacy normalizer; Rust ignores it: "a b" is ▁a ▁b as without it.
        var tokenizer = Load(root => root["added_tokens"]!.AsArray().Add(AddedToken(32000, string.Empty, normalized: true)));
        AssertEncodes(tokenizer, "a b", [Meta + "a", Meta + "b"], [[0, 1], [1, 3]]);
    }

    [Fact]
    public void OnlyASixCharacterByteTokenIsAByteWhenDecoding()
    {
        // Added tokens decode as their content: "<0x41>z" (seven characters) and "zzz41>" are text, not the byte 0x41.
        var tokenizer = Load(root =>
        {
            root["added_tokens"]!.AsArray().Add(AddedToken(32000, "<0x41>z", normalized: false));
            root["added_tokens"]!.AsArray().Add(AddedToken(32001, "zzz41>", normalized: false));
        });
        Assert.Equal("<0x41>z", tokenizer.Decode(tokenizer.Encode("<0x41>z")));
        Assert.Equal("zzz41>", tokenizer.Decode(tokenizer.Encode("zzz41>")));
        Assert.Equal([32000, 32001], tokenizer.Encode("<0x41>zzzz41>"));
    }

    [Fact]
    public void AnInvalidByteRunDecodesToOneReplacementCharacterPerByteToken()
    {
        var tokenizer = TextTokenizer.Load(Source);
        int Id(string token) => tokenizer.TokenToId(token)!.Value;

        // E6 97 is a cut 日 (E6 97 A5); E6 97 A5 E6 is 日 and a cut lead byte: the whole run is invalid, so four U+FFFD.
        Assert.Equal("\uFFFD\uFFFDa", tokenizer.Decode([Id("<0xE6>"), Id("<0x97>"), Id("a")]));
        Assert.Equal("\uFFFD\uFFFD\uFFFD\uFFFDa", tokenizer.Decode([Id("<0xE6>"), Id("<0x97>"), Id("<0xA5>"), Id("<0xE6>"), Id("a")]));
        Assert.Equal("日a", tokenizer.Decode([Id("<0xE6>"), Id("<0x97>"), Id("<0xA5>"), Id("a")]));
    }

    public static TheoryData<string, string> Decoders() => new()
    {
        { "{\"type\": \"Metaspace\", \"replacement\": \"" + Meta + "\"}", "a b" },
        { "{\"type\": \"Metaspace\", \"replacement\": \"" + Meta + "\", \"prepend_scheme\": \"first\"}", "a b" },
        { "{\"type\": \"Metaspace\", \"replacement\": \"" + Meta + "\", \"prepend_scheme\": \"never\"}", " a b" },
        { "{\"type\": \"Fuse\"}", Meta + "a" + Meta + "b" },
        { "{\"type\": \"ByteFallback\"}", Meta + "a" + Meta + "b" },
        { "{\"type\": \"Sequence\", \"decoders\": [{\"type\": \"Replace\", \"pattern\": {\"String\": \"" + Meta + "\"}, \"content\": \" \"}, {\"type\": \"ByteFallback\"}, {\"type\": \"Fuse\"}, {\"type\": \"Strip\", \"content\": \" \", \"start\": 1, \"stop\": 0}]}", "a b" },
        { "{\"type\": \"Sequence\", \"decoders\": [{\"type\": \"Replace\", \"pattern\": {\"String\": \"" + Meta + "\"}, \"content\": \" \"}, {\"type\": \"ByteFallback\"}, {\"type\": \"Fuse\"}, {\"type\": \"Strip\", \"content\": \" \", \"start\": 0, \"stop\": 0}]}", " a b" },
    };

    /// <summary>
    /// The streaming detokenizer (token bytes, a leading space dropped where the decoder drops it) gives what the decoder
    /// chain gives: ▁ is a space only where the decoder makes it one, and the leading space goes only where a Metaspace
    /// decoder (scheme first or always) or a Strip of one leading space removes it.
    /// </summary>
    [Theory]
    [MemberData(nameof(Decoders))]
    public void StreamingGivesWhatTheDecoderGives(string decoder, string expected)
    {
        var tokenizer = Load(root => root["decoder"] = JsonNode.Parse(decoder));
        int[] ids = [tokenizer.TokenToId(Meta + "a")!.Value, tokenizer.TokenToId(Meta + "b")!.Value];
        Assert.Equal(expected, tokenizer.Decode(ids));
        var stream = new StreamingDetokenizer(tokenizer);
        Assert.Equal(expected, string.Concat(ids.Select(stream.Push)) + stream.Flush());
    }
}
