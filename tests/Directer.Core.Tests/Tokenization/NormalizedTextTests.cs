using Directer.Core.Tokenization;

namespace Directer.Core.Tests.Tokenization;

/// <summary>
/// <see cref="NormalizedText"/>: the NFC form of a slice of the input and the map from every normalized character back
/// to the original characters it came from, which token offsets (and through them emphasis spans and literal ranges)
/// rely on. Expected offsets are worked out by hand from the Unicode decompositions named in each case.
/// </summary>
public class NormalizedTextTests
{
    [Fact]
    public void IdentityMapsEveryIndexByTheBaseOffset()
    {
        var text = NormalizedText.Identity("hello", 7);

        Assert.Equal("hello", text.Text);
        Assert.Equal((7, 12), text.MapRange(0, 5));
        Assert.Equal((9, 11), text.MapRange(2, 4));
        Assert.Equal((10, 10), text.MapRange(3, 3));
        Assert.Equal(12, text.OriginalEnd);
    }

    [Fact]
    public void AlreadyComposedTextKeepsAOneToOneMapFromItsStart()
    {
        // "café" with a precomposed é (U+00E9) is NFC already: nothing changes, index i is start + i.
        const string source = "> caf\u00e9 <";
        var text = NormalizedText.Nfc(source, 2, 6);

        Assert.Equal("caf\u00e9", text.Text);
        Assert.Equal((5, 6), text.MapRange(3, 4));
        Assert.Equal((2, 6), text.MapRange(0, 4));
        Assert.Equal(6, text.OriginalEnd);
    }

    [Fact]
    public void AlreadyComposedTextMapsEachCodeUnitOfAPairOnItsOwn()
    {
        // NFC text keeps the 1:1 map even inside a multi-unit cluster (the surrogate pair of U+1F600): normalizing
        // cluster by cluster would map both halves to the whole pair.
        const string source = "a😀b";
        var text = NormalizedText.Nfc(source, 0, source.Length);

        Assert.Equal(source, text.Text);
        Assert.Equal((1, 2), text.MapRange(1, 2));
        Assert.Equal((2, 3), text.MapRange(2, 3));
        Assert.Equal((3, 4), text.MapRange(3, 4));
    }

    [Fact]
    public void AComposedCharacterMapsBackToEveryCharacterItWasComposedFrom()
    {
        // Slice [2, 7) of "ab" + "e\u0301" + "x" + "o\u0308" + "z": e + combining acute → é (U+00E9), o + combining
        // diaeresis → ö (U+00F6). Normalized "éxö" has 3 characters for 5 original ones.
        const string source = "abe\u0301xo\u0308z";
        var text = NormalizedText.Nfc(source, 2, 7);

        Assert.Equal("\u00e9x\u00f6", text.Text);
        Assert.Equal((2, 4), text.MapRange(0, 1)); // é ← "e\u0301"
        Assert.Equal((4, 5), text.MapRange(1, 2)); // x ← "x"
        Assert.Equal((5, 7), text.MapRange(2, 3)); // ö ← "o\u0308"
        Assert.Equal((2, 5), text.MapRange(0, 2));
        Assert.Equal((4, 7), text.MapRange(1, 3));
        Assert.Equal((2, 7), text.MapRange(0, 3));
        Assert.Equal(7, text.OriginalEnd);
    }

    [Fact]
    public void AnEmptyRangeMapsToTheStartOfItsCharacterOrToTheEndOfTheSlice()
    {
        const string source = "abe\u0301xo\u0308z";
        var text = NormalizedText.Nfc(source, 2, 7);

        Assert.Equal((2, 2), text.MapRange(0, 0));
        Assert.Equal((4, 4), text.MapRange(1, 1));
        Assert.Equal((5, 5), text.MapRange(2, 2));
        Assert.Equal((7, 7), text.MapRange(3, 3)); // past the last character: the end of the slice's last cluster
        Assert.Equal((4, 4), text.MapRange(1, 0)); // a reversed range is empty too, at its start
    }

    [Fact]
    public void ACharacterThatNormalizesToSeveralMapsEachOfThemToTheWholeCharacter()
    {
        // U+0344 (combining greek dialytika tonos) has the canonical decomposition U+0308 U+0301 and is excluded from
        // composition, so NFC of "a\u0344" is "a\u0308\u0301" → "ä\u0301" (U+00E4 U+0301): two normalized characters
        // from one two-character cluster, both mapped to the whole cluster.
        const string source = "[a\u0344]";
        var text = NormalizedText.Nfc(source, 1, 3);

        Assert.Equal("\u00e4\u0301", text.Text);
        Assert.Equal((1, 3), text.MapRange(0, 1));
        Assert.Equal((1, 3), text.MapRange(1, 2));
        Assert.Equal((1, 3), text.MapRange(0, 2));
        Assert.Equal(3, text.OriginalEnd);
    }

    [Fact]
    public void HangulJamoComposeIntoOneSyllableMappedToAllThree()
    {
        // U+1100 U+1161 U+11A8 (leading, vowel and trailing jamo) compose to the syllable 각 (U+AC01).
        const string source = "x\u1100\u1161\u11a8y";
        var text = NormalizedText.Nfc(source, 0, source.Length);

        Assert.Equal("x\uac01y", text.Text);
        Assert.Equal((0, 1), text.MapRange(0, 1));
        Assert.Equal((1, 4), text.MapRange(1, 2));
        Assert.Equal((4, 5), text.MapRange(2, 3));
        Assert.Equal(5, text.OriginalEnd);
    }
}
