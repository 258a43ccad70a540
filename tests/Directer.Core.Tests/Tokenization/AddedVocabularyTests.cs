using Directer.Core.Templates;
using Directer.Core.Tokenization;

namespace Directer.Core.Tests.Tokenization;

/// <summary>
/// Added-token matching on its own, against Hugging Face <c>tokenizers</c>' rules (<c>AddedVocabulary::find_matches</c>
/// and <c>split_with_indices</c>): leftmost-longest matches; a <c>single_word</c> match touching a word character
/// (regex <c>\w</c>: letters, marks, decimal digits, connector punctuation) on either side is discarded and its
/// characters are not searched again; <c>lstrip</c>/<c>rstrip</c> take the whitespace next to the match, never beyond
/// the previous match or the range. No fixture has a <c>single_word</c> token, so these cases are worked out by hand.
/// </summary>
public sealed class AddedVocabularyTests
{
    private static AddedToken Token(int id, string content, bool singleWord = false, bool lstrip = false, bool rstrip = false, bool special = true, bool normalized = false) =>
        new(id, content, special, lstrip, rstrip, singleWord, normalized);

    private static List<(int Start, int End, int? Id)> Split(AddedVocabulary vocabulary, string text, int start = 0, int? end = null, IReadOnlyList<CharRange>? literal = null)
    {
        var output = new List<(int Start, int End, AddedToken? Token)>();
        vocabulary.Split(text, start, end ?? text.Length, output, literal);
        return output.Select(o => (o.Start, o.End, o.Token?.Id)).ToList();
    }

    private static AddedVocabulary Vocabulary(params AddedToken[] tokens) => new(tokens, t => t.Content);

    [Fact]
    public void TheLongestTokenAtTheLeftmostPositionWins()
    {
        var vocabulary = Vocabulary(Token(1, "<a>"), Token(2, "<ab>"), Token(3, "b>"), Token(4, "<"));
        Assert.Equal([(0, 1, null), (1, 5, 2), (5, 6, null)], Split(vocabulary, "x<ab>y"));
        Assert.Equal([(0, 3, 1), (3, 4, 4)], Split(vocabulary, "<a><"));
        Assert.Equal([(0, 2, null)], Split(vocabulary, "xy"));
        Assert.Equal([], Split(vocabulary, ""));

        // Whatever order the tokens come in: the shorter one given first still loses to the longer.
        var shortFirst = Vocabulary(Token(1, "<"), Token(2, "<ab>"));
        Assert.Equal([(0, 4, 2), (4, 5, 1)], Split(shortFirst, "<ab><"));
    }

    [Fact]
    public void ATokenIsMatchedOnlyWithinTheRange()
    {
        var vocabulary = Vocabulary(Token(1, "<ab>"), Token(2, "<a"));
        Assert.Equal([(1, 3, 2)], Split(vocabulary, "x<ab>", start: 1, end: 3)); // "<ab>" would run past the end
        Assert.Equal([(2, 4, null)], Split(vocabulary, "<ab>", start: 2, end: 4));
    }

    [Theory]
    [InlineData("hi there", true)]
    [InlineData("say hi", true)]
    [InlineData("hi!", true)]
    [InlineData("(hi)", true)]
    [InlineData("this", false)]           // a letter before
    [InlineData("hid", false)]            // a letter after
    [InlineData("hi1", false)]            // a decimal digit is a word character
    [InlineData("_hi", false)]            // so is connector punctuation
    [InlineData("e\u0301hi", false)]      // and a combining mark
    [InlineData("\U0001D400hi", false)]   // a letter outside the BMP (a surrogate pair) before
    [InlineData("hi\U0001D400", false)]   // and after
    public void ASingleWordTokenMatchesOnlyBetweenNonWordCharacters(string text, bool matched)
    {
        var vocabulary = Vocabulary(Token(7, "hi", singleWord: true));
        var parts = Split(vocabulary, text);
        Assert.Equal(matched, parts.Any(p => p.Id == 7));
        Assert.Equal(text.Length, parts.Sum(p => p.End - p.Start)); // the parts cover the text without gaps
    }

    [Fact]
    public void ADiscardedSingleWordMatchIsNotSearchedAgain()
    {
        // "ab" at 1 touches the "x" before it and is discarded; its "b" is not tried again for the token "b".
        var vocabulary = Vocabulary(Token(1, "ab", singleWord: true), Token(2, "b"));
        Assert.Equal([(0, 3, null)], Split(vocabulary, "xab"));
        Assert.Equal([(0, 1, null), (1, 3, 1)], Split(vocabulary, "-ab"));
        Assert.Equal([(0, 1, null), (1, 2, 2)], Split(vocabulary, "xb"));
    }

    [Fact]
    public void WordCharactersOutsideTheRangeDoNotCount()
    {
        var vocabulary = Vocabulary(Token(7, "hi", singleWord: true));
        Assert.Equal([(1, 3, 7)], Split(vocabulary, "ahib", start: 1, end: 3));

        // Inside a range that does not begin the text, the character before the match is what counts.
        Assert.Equal([(1, 3, null), (3, 5, 7)], Split(vocabulary, "xx hi", start: 1));
        Assert.Equal([(1, 5, null)], Split(vocabulary, "x xhi", start: 1));
    }

    [Fact]
    public void LStripTakesTheWhitespaceBeforeUpToThePreviousMatch()
    {
        var vocabulary = Vocabulary(Token(1, "<m>", lstrip: true));
        Assert.Equal([(0, 1, null), (1, 6, 1), (6, 7, null)], Split(vocabulary, "a  <m>b"));
        Assert.Equal([(0, 5, 1)], Split(vocabulary, " \t<m>"));
        Assert.Equal([(0, 3, 1), (3, 8, 1)], Split(vocabulary, "<m>  <m>"));     // the second stops at the first's end
        Assert.Equal([(0, 1, null), (1, 5, 1)], Split(vocabulary, "a\u3000<m>")); // Unicode whitespace too
        Assert.Equal([(2, 6, 1)], Split(vocabulary, "a  <m>", start: 2));        // never before the range

        // Nor into a previous match that ends with whitespace.
        var spaced = Vocabulary(Token(1, "<m>", lstrip: true), Token(2, "a "));
        Assert.Equal([(0, 2, 2), (2, 5, 1)], Split(spaced, "a <m>"));
    }

    [Fact]
    public void RStripTakesTheWhitespaceAfterUpToTheRangesEnd()
    {
        var vocabulary = Vocabulary(Token(1, "<m>", rstrip: true));
        Assert.Equal([(0, 5, 1), (5, 6, null)], Split(vocabulary, "<m> \nb"));
        Assert.Equal([(0, 4, 1)], Split(vocabulary, "<m>  ", end: 4));
        Assert.Equal([(0, 5, 1), (5, 8, 1)], Split(vocabulary, "<m>  <m>"));
        Assert.Equal([(0, 3, 1), (3, 4, null)], Split(vocabulary, "<m>x"));
    }

    [Fact]
    public void AControlTokenInsideLiteralTextStaysText()
    {
        var vocabulary = Vocabulary(Token(1, "<c>"), Token(2, "word", special: false, normalized: true));

        // Literal ranges (sorted, disjoint) mark data: a control token overlapping one by a single character is not matched.
        CharRange[] literal = [new(0, 1), new(5, 6), new(20, 22)];
        Assert.Equal([(0, 2, null), (2, 5, 1), (5, 8, null)], Split(vocabulary, "ab<c><c>", literal: literal)); // the second overlaps [5, 6)
        Assert.Equal([(0, 5, null), (5, 8, 1)], Split(vocabulary, "abcd <c>", literal: [new(0, 5)])); // touching is not overlapping
        Assert.Equal([(0, 3, null)], Split(vocabulary, "<c>", literal: [new(2, 3)]));
        Assert.Equal([(0, 3, 1)], Split(vocabulary, "<c>", literal: [new(3, 9)]));

        // An added word (normalized, not special) is vocabulary, matched in data too.
        Assert.Equal([(0, 4, 2)], Split(vocabulary, "word", literal: [new(0, 4)]));
        Assert.Equal([(0, 3, 1)], Split(vocabulary, "<c>", literal: []));
    }

    [Fact]
    public void ControlTokensAreSpecialOrMatchedOnRawText()
    {
        Assert.True(AddedVocabulary.IsControl(Token(1, "a", special: true, normalized: true)));
        Assert.True(AddedVocabulary.IsControl(Token(1, "a", special: false, normalized: false)));
        Assert.False(AddedVocabulary.IsControl(Token(1, "a", special: false, normalized: true)));
    }

    [Fact]
    public void TokensWithNothingToMatchAreLeftOut()
    {
        Assert.True(Vocabulary(Token(1, "")).IsEmpty);
        Assert.True(Vocabulary().IsEmpty);
        var vocabulary = new AddedVocabulary([Token(1, "A"), Token(2, "b")], t => t.Content.ToLowerInvariant());
        Assert.False(vocabulary.IsEmpty);
        Assert.Equal([(0, 1, 1), (1, 2, null), (2, 3, 2)], Split(vocabulary, "aBb")); // matched as the given text, case-sensitively
    }
}
