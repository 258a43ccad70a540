using System.Text;
using Directer.Core.Tokenization;
using Directer.Core.Tokenization.SentencePiece;

namespace Directer.Core.Tests.Tokenization;

/// <summary>
/// The BPE model of SentencePiece-converted files on small hand-made vocabularies, against Hugging Face
/// <c>tokenizers</c>' BPE (models/bpe/model.rs, word.rs): a word is split into characters, a character missing from the
/// vocabulary becomes its <c>&lt;0xNN&gt;</c> byte tokens (<c>byte_fallback</c>) or else the unknown token (consecutive
/// ones fused with <c>fuse_unk</c>) or else nothing; merges apply lowest rank first, leftmost among equal ranks, and a
/// pair listed twice keeps its last rank (the merges map is collected from the list). Spaces become ▁ as the Prepend/
/// Replace normalizer (a ▁ before every piece) or the Metaspace pre-tokenizer (always: unless the text starts with one;
/// first: only at the very start; split: a word per ▁) do. Offsets are those of the original characters.
/// </summary>
public sealed class ByteFallbackBpeModelTests
{
    private const char Meta = SpaceMarking.Meta;

    private static readonly SpaceMarking Plain = SpaceMarking.None;

    private static Dictionary<string, int> Vocab(params string[] tokens)
    {
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string token in tokens)
        {
            vocab[token] = vocab.Count;
        }

        return vocab;
    }

    private static Dictionary<string, int> WithBytes(params string[] tokens)
    {
        var vocab = Vocab(tokens);
        for (int b = 0; b < 256; b++)
        {
            vocab[$"<0x{b:X2}>"] = vocab.Count;
        }

        return vocab;
    }

    private static (string, string)[] Merges(params string[] merges) => merges.Select(m => (m.Split(' ')[0], m.Split(' ')[1])).ToArray();

    private static List<EncodedToken> Encode(ByteFallbackBpeModel model, string text, int baseOffset = 0)
    {
        var output = new List<EncodedToken>();
        model.Encode(NormalizedText.Identity(text, baseOffset), 0, text.Length, output);
        return output;
    }

    private static string[] Tokens(ByteFallbackBpeModel model, string text, int baseOffset = 0) =>
        Encode(model, text, baseOffset).Select(t => model.IdToToken(t.Id)!).ToArray();

    [Theory]
    [InlineData(new[] { "a a" }, "aaa", new[] { "aa", "a" })]                      // leftmost first among equal ranks
    [InlineData(new[] { "a a" }, "aaaa", new[] { "aa", "aa" })]
    [InlineData(new[] { "b c", "a b" }, "abc", new[] { "a", "bc" })]              // lowest rank first
    [InlineData(new[] { "a b", "b c" }, "abc", new[] { "ab", "c" })]
    [InlineData(new[] { "b c", "a b", "b c" }, "abc", new[] { "ab", "c" })]       // b c listed again: its last rank (2) counts
    [InlineData(new[] { "a b", "ab c" }, "abc", new[] { "abc" })]                 // a merge's result merges on
    [InlineData(new[] { "b c", "a bc" }, "abcbc", new[] { "abc", "bc" })]
    [InlineData(new[] { "a b", "c a", "ab c" }, "cabc", new[] { "c", "abc" })]  // a b (rank 0) takes the a before c a (rank 1) can
    [InlineData(new[] { "a a", "aa a" }, "aaa", new[] { "aaa" })]
    [InlineData(new string[0], "abc", new[] { "a", "b", "c" })]
    public void MergesApplyLowestRankFirstAndLeftmostOnTies(string[] merges, string text, string[] expected)
    {
        var model = new ByteFallbackBpeModel(WithBytes("a", "b", "c", "aa", "ab", "bc", "ca", "abc", "aaa"), Merges(merges), null, false, Plain, metaIsSpace: false);
        Assert.Equal(expected, Tokens(model, text));
    }

    [Fact]
    public void AMissingCharacterBecomesItsUtf8ByteTokensEachCoveringTheWholeCharacter()
    {
        var model = new ByteFallbackBpeModel(WithBytes("a", "b"), [], null, false, Plain, metaIsSpace: false);
        static int B(int b) => 2 + b; // <0xNN> follows a and b
        Assert.Equal(
            [new(0, 0, 1), new(B(0xC3), 1, 2), new(B(0xA9), 1, 2), new(B(0xF0), 2, 4), new(B(0x9F), 2, 4), new(B(0x98), 2, 4), new(B(0x80), 2, 4), new(1, 4, 5)],
            Encode(model, "aé😀b"));
        Assert.Equal([new(B(0xC3), 7, 8), new(B(0xA9), 7, 8)], Encode(model, "é", baseOffset: 7));
        Assert.True(model.HasAllByteTokens);
        Assert.Equal([0xF0], model.TokenBytes(B(0xF0)));
    }

    [Fact]
    public void ASupplementaryCharacterInTheVocabularyIsOneSymbol()
    {
        var model = new ByteFallbackBpeModel(WithBytes("😀", "a"), [], null, false, Plain, metaIsSpace: false);
        Assert.Equal([new(0, 0, 2), new(1, 2, 3)], Encode(model, "😀a"));
    }

    [Fact]
    public void WithoutByteTokensAnUnknownCharacterIsTheUnknownTokenAndFuseUnkJoinsARun()
    {
        var vocab = Vocab("<unk>", "a", "b", "ab");
        var fused = new ByteFallbackBpeModel(vocab, Merges("a b"), "<unk>", fuseUnk: true, Plain, metaIsSpace: false);
        Assert.Equal([new(1, 0, 1), new(0, 1, 3), new(1, 3, 4), new(0, 4, 5), new(3, 5, 7)], Encode(fused, "axyazab"));
        Assert.Equal([new(0, 0, 2), new(3, 2, 4), new(0, 4, 5)], Encode(fused, "xyabz"));

        var separate = new ByteFallbackBpeModel(vocab, Merges("a b"), "<unk>", fuseUnk: false, Plain, metaIsSpace: false);
        Assert.Equal(["a", "<unk>", "<unk>", "a", "<unk>", "ab"], Tokens(separate, "axyazab"));

        var dropping = new ByteFallbackBpeModel(vocab, Merges("a b"), unkToken: null, fuseUnk: true, Plain, metaIsSpace: false);
        Assert.Equal([new(1, 0, 1), new(3, 3, 5)], Encode(dropping, "axyab")); // neither byte nor unknown token: dropped
        Assert.False(dropping.HasAllByteTokens);
    }

    [Fact]
    public void AnUnknownTokenMergesLikeAnyOther()
    {
        var vocab = Vocab("<unk>", "a", "a<unk>");
        var model = new ByteFallbackBpeModel(vocab, Merges("a <unk>"), "<unk>", fuseUnk: true, Plain, metaIsSpace: false);
        Assert.Equal([new EncodedToken(2, 0, 3)], Encode(model, "axy"));
    }

    [Fact]
    public void TheNormalizerFormPrependsAMetaToEveryPieceAndReplacesSpaces()
    {
        var vocab = WithBytes(Meta + "a", Meta + "b", "a", "b", Meta.ToString(), Meta + Meta.ToString());
        var merges = Merges($"{Meta} a", $"{Meta} b", $"{Meta} {Meta}");
        var legacy = new ByteFallbackBpeModel(vocab, merges, null, false, new SpaceMarking(Normalizer: true, PrependScheme.Always, Split: false, ReplaceSpaces: true), metaIsSpace: true);
        Assert.Equal([Meta + "a", Meta + "b"], Tokens(legacy, "a b"));
        Assert.Equal([new(0, 0, 1), new(1, 1, 3)], Encode(legacy, "a b"));
        Assert.Equal([new(vocab[Meta.ToString()], 0, 0), new(vocab[Meta + "a"], 0, 2)], Encode(legacy, " a")); // Prepend prepends even before a space; alone it covers nothing
        Assert.Equal([Meta + "a"], Tokens(legacy, "a", baseOffset: 5));                 // and before a piece that does not start the input
        Assert.Empty(Encode(legacy, string.Empty));
        Assert.Equal(" a", Encoding.UTF8.GetString(legacy.TokenBytes(vocab[Meta + "a"])!));
        Assert.Equal([0xC3], legacy.TokenBytes(vocab["<0xC3>"]));

        var notReplaced = new ByteFallbackBpeModel(vocab, merges, null, false, new SpaceMarking(Normalizer: true, PrependScheme.Always, Split: false, ReplaceSpaces: false), metaIsSpace: false);
        Assert.Equal([Meta + "a", "<0x20>", "b"], Tokens(notReplaced, "a b"));
        Assert.Equal(Meta + "a", Encoding.UTF8.GetString(notReplaced.TokenBytes(vocab[Meta + "a"])!));
    }

    [Fact]
    public void MetaspacePrependsOnlyWhereTheTextDoesNotStartWithASpaceAndSplitsBeforeEachMeta()
    {
        var vocab = WithBytes(Meta + "a", Meta + "b", "a", "b", Meta.ToString(), "a" + Meta, "ab");
        var merges = Merges($"{Meta} a", $"{Meta} b", $"a {Meta}", "a b");
        SpaceMarking Metaspace(PrependScheme scheme, bool split) => new(Normalizer: false, scheme, split, ReplaceSpaces: true);

        var always = new ByteFallbackBpeModel(vocab, merges, null, false, Metaspace(PrependScheme.Always, split: true), metaIsSpace: true);
        Assert.Equal([Meta + "a", Meta + "b"], Tokens(always, "a b"));
        Assert.Equal([Meta + "a"], Tokens(always, " a"));                 // already starts with a space: no second ▁
        Assert.Equal([Meta + "a"], Tokens(always, Meta + "a"));           // or with ▁ itself
        Assert.Equal([Meta + "a", Meta + "b"], Tokens(always, "a b", baseOffset: 3));
        Assert.Equal([new(0, 0, 1), new(1, 1, 3)], Encode(always, "a b"));

        var unsplit = new ByteFallbackBpeModel(vocab, merges, null, false, Metaspace(PrependScheme.Always, split: false), metaIsSpace: true);
        Assert.Equal([Meta + "a", Meta + "b"], Tokens(unsplit, "a b"));
        Assert.Equal(["ab"], Tokens(new ByteFallbackBpeModel(vocab, merges, null, false, Metaspace(PrependScheme.Never, split: false), metaIsSpace: true), "ab"));
        var splitOnly = new ByteFallbackBpeModel(vocab, merges, null, false, Metaspace(PrependScheme.Never, split: true), metaIsSpace: true);
        Assert.Equal(["a", Meta + "b"], Tokens(splitOnly, "a b"));
        var aFirst = Merges($"a {Meta}", $"{Meta} b");
        Assert.Equal(["a" + Meta, "b"], Tokens(new ByteFallbackBpeModel(vocab, aFirst, null, false, Metaspace(PrependScheme.Never, split: false), metaIsSpace: true), "a b"));
        Assert.Equal(["a", Meta + "b"], Tokens(new ByteFallbackBpeModel(vocab, aFirst, null, false, Metaspace(PrependScheme.Never, split: true), metaIsSpace: true), "a b"));

        var first = new ByteFallbackBpeModel(vocab, merges, null, false, Metaspace(PrependScheme.First, split: true), metaIsSpace: true);
        Assert.Equal([Meta + "a", Meta + "b"], Tokens(first, "a b"));
        Assert.Equal(["a", Meta + "b"], Tokens(first, "a b", baseOffset: 4)); // a piece after the input's start gets none
        Assert.Equal([Meta + "a"], Tokens(first, " a"));
    }

    [Fact]
    public void TheModelKnowsItsIdsAndAnEmptyRangeEncodesNothing()
    {
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal) { ["a"] = 0, ["b"] = 5 };
        var model = new ByteFallbackBpeModel(vocab, [], null, false, Plain, metaIsSpace: false);
        Assert.Equal(6, model.VocabularyEnd);
        Assert.Equal("b", model.IdToToken(5));
        Assert.Null(model.IdToToken(3));
        Assert.Null(model.IdToToken(6));
        Assert.Null(model.IdToToken(-1));
        Assert.Equal(5, model.TokenToId("b"));
        Assert.Null(model.TokenToId("c"));
        Assert.Null(model.TokenBytes(6));
        Assert.Null(model.TokenBytes(-1));
        Assert.Equal("b"u8.ToArray(), model.TokenBytes(5));

        var output = new List<EncodedToken>();
        model.Encode(NormalizedText.Identity("ab", 0), 1, 1, output);
        model.Encode(NormalizedText.Identity("ab", 0), 2, 1, output);
        Assert.Empty(output);
        Assert.Equal(0, new ByteFallbackBpeModel([], [], null, false, Plain, metaIsSpace: false).VocabularyEnd);
    }

    /// <summary>
    /// A queued merge goes stale when a neighbour merged first: in abcd, b c (rank 0) makes a|bc|d, so the queued a b
    /// (rank 1) no longer applies, even though a bc (rank 3) does; bc d (rank 2) comes before a bc. The Rust tokenizers
    /// gives a, bcd (reference/byte_fallback_variants_reference.mjs).
    /// </summary>
    [Fact]
    public void AMergeQueuedBeforeItsNeighbourMergedIsNotApplied()
    {
        var model = new ByteFallbackBpeModel(Vocab("a", "b", "c", "d", "bc", "ab", "bcd", "abc"), Merges("b c", "a b", "bc d", "a bc"), null, false, Plain, metaIsSpace: false);
        Assert.Equal([new(0, 0, 1), new(6, 1, 4)], Encode(model, "abcd"));
        Assert.Equal(["abc"], Tokens(model, "abc"));
    }

    [Fact]
    public void AByteTokenAtIdZeroIsAByteToken()
    {
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int b = 0; b < 256; b++)
        {
            vocab[$"<0x{b:X2}>"] = b;
        }

        vocab["a"] = 256;
        var model = new ByteFallbackBpeModel(vocab, [], null, false, Plain, metaIsSpace: false);
        Assert.True(model.HasAllByteTokens);
        Assert.Equal([new(0, 0, 1), new(256, 1, 2)], Encode(model, "\0a"));
    }

    [Fact]
    public void AWordOfOnlyDroppedCharactersEncodesToNothing()
    {
        var dropping = new ByteFallbackBpeModel(Vocab("a"), [], unkToken: null, fuseUnk: false, Plain, metaIsSpace: false);
        Assert.Empty(Encode(dropping, "xy"));
        Assert.Equal([new EncodedToken(0, 1, 2)], Encode(dropping, "xay"));
    }

    /// <summary>
    /// A normalized control token (matched in the marked text) does not match where its match would take in a character
    /// of a literal range (template content), the ▁ that stands for a space included; literal ranges are in the original
    /// text's offsets, so the segment's start and the prepended ▁ shift them. Here <c>&lt;s&gt;</c> normalizes to
    /// <c>▁&lt;s&gt;</c> with the Prepend/Replace normalizer and stays <c>&lt;s&gt;</c> with a Replace alone.
    /// </summary>
    [Theory]
    [InlineData(true, " <s>", 0, 0, 1, false)]   // the space before <s> is literal: its ▁ would be part of the match
    [InlineData(true, " <s>", 0, 1, 4, false)]
    [InlineData(true, " <s>", 10, 10, 11, false)] // the same in a segment that starts at 10
    [InlineData(true, "<s>x", 0, 3, 4, true)]    // literal text after the match (the prepended ▁ is no input character)
    [InlineData(true, "x <s>", 10, 10, 11, true)] // literal text before the match
    [InlineData(true, " <s>", 0, 4, 4, true)]    // an empty range at the end holds nothing
    [InlineData(false, "x<s>", 0, 0, 1, true)]
    [InlineData(false, "x<s>", 0, 1, 2, false)]
    [InlineData(false, "x<s>", 5, 5, 6, true)]
    public void ANormalizedControlTokenDoesNotTakeInLiteralCharacters(bool prepend, string text, int baseOffset, int literalStart, int literalEnd, bool matched)
    {
        var vocab = WithBytes(Meta.ToString(), "x", "<", "s", ">", Meta + "x");
        var spaces = new SpaceMarking(Normalizer: true, prepend ? PrependScheme.Always : PrependScheme.Never, Split: false, ReplaceSpaces: true);
        var model = new ByteFallbackBpeModel(vocab, Merges($"{Meta} x"), null, false, spaces, metaIsSpace: true);
        const int control = 1000;
        model.SetNormalizedAddedTokens([new AddedToken(control, "<s>", Special: true, LStrip: false, RStrip: false, SingleWord: false, Normalized: true)]);

        var free = new List<EncodedToken>();
        model.Encode(NormalizedText.Identity(text, baseOffset), 0, text.Length, free, null);
        Assert.Contains(free, t => t.Id == control);

        var output = new List<EncodedToken>();
        model.Encode(NormalizedText.Identity(text, baseOffset), 0, text.Length, output, [new Directer.Core.Templates.CharRange(literalStart, literalEnd)]);
        Assert.Equal(matched, output.Any(t => t.Id == control));
        if (matched)
        {
            Assert.Equal(free, output);
        }
    }
}
