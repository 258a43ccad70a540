using Directer.Core.Steering;
using Directer.Core.Emphasis;
using Directer.Core.Templates;
using Directer.Core.Chat;

namespace Directer.Core.Tests.Emphasis;

public sealed class EmphasisSpansTests
{
    private static IReadOnlyList<(int Start, int End)> Offsets(params (int, int)[] offsets) => offsets;

    [Fact]
    public void ARangeCrossingTokenBoundariesTakesEveryTokenItTouches()
    {
        // tokens: [0,2) [2,5) [5,7) [7,10) [10,12); emphasis [3,8) starts inside token 1 and ends inside token 3
        var spans = EmphasisSpans.ToTokenSpans([new CharRange(3, 8)], Offsets((0, 2), (2, 5), (5, 7), (7, 10), (10, 12)));
        Assert.Equal([new TokenSpan(1, 4)], spans);
    }

    [Fact]
    public void TokensThatOnlyTouchARangeAreOutside()
    {
        var spans = EmphasisSpans.ToTokenSpans([new CharRange(2, 5)], Offsets((0, 2), (2, 5), (5, 7)));
        Assert.Equal([new TokenSpan(1, 2)], spans);
    }

    [Fact]
    public void OverlappingTokensAreAllIncluded()
    {
        // Byte-level BPE may give two tokens the same character (a multi-byte character split across tokens).
        var spans = EmphasisSpans.ToTokenSpans([new CharRange(4, 5)], Offsets((0, 4), (4, 5), (4, 5), (5, 8)));
        Assert.Equal([new TokenSpan(1, 3)], spans);
    }

    [Fact]
    public void AdjacentAndOverlappingRangesMergeIntoOneSpan()
    {
        var offsets = Offsets((0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6));
        Assert.Equal([new TokenSpan(1, 4)], EmphasisSpans.ToTokenSpans([new CharRange(3, 4), new CharRange(1, 3)], offsets));
        Assert.Equal([new TokenSpan(1, 3), new TokenSpan(4, 5)], EmphasisSpans.ToTokenSpans([new CharRange(4, 5), new CharRange(1, 2), new CharRange(2, 3)], offsets));
    }

    [Fact]
    public void RangesInOneTokenMergeAndConsecutiveTokensJoin()
    {
        // Two separate character ranges inside tokens 1 and 2: the tokens are consecutive, so one span.
        var spans = EmphasisSpans.ToTokenSpans([new CharRange(2, 3), new CharRange(6, 7)], Offsets((0, 2), (2, 5), (5, 9), (9, 12)));
        Assert.Equal([new TokenSpan(1, 3)], spans);
    }

    [Fact]
    public void ZeroWidthTokensAreNeverEmphasised()
    {
        // A BOS added by the tokenizer has an empty range, even at an emphasised position.
        var spans = EmphasisSpans.ToTokenSpans([new CharRange(0, 3)], Offsets((0, 0), (0, 3), (3, 3), (3, 5)));
        Assert.Equal([new TokenSpan(1, 2)], spans);
    }

    [Fact]
    public void NoRangesNoSpans()
    {
        Assert.Empty(EmphasisSpans.ToTokenSpans([], Offsets((0, 2), (2, 4))));
        Assert.Empty(EmphasisSpans.ToTokenSpans([new CharRange(5, 5)], Offsets((0, 10))));
    }

    [Fact]
    public void InvalidInputIsRejected()
    {
        Assert.Throws<ArgumentException>(() => EmphasisSpans.ToTokenSpans([new CharRange(4, 2)], Offsets((0, 5))));
        Assert.Throws<ArgumentException>(() => EmphasisSpans.ToTokenSpans([new CharRange(0, 2)], Offsets((3, 1))));
    }

    [Fact]
    public void FromRenderedPromptToTokenSpans()
    {
        var prompt = ChatTemplates.ByName("llama3").Render(
            [new ChatTurn(ChatRole.System, "Be [[brief]]."), new ChatTurn(ChatRole.User, "Hi")], [], true, new EmphasisRequest());

        // A stand-in tokenizer: the BOS string is one token, every other character is a token.
        var offsets = new List<(int Start, int End)> { (0, "<|begin_of_text|>".Length) };
        for (int i = offsets[0].End; i < prompt.Text.Length; i++)
        {
            offsets.Add((i, i + 1));
        }

        var spans = EmphasisSpans.ToTokenSpans(prompt.EmphasisRanges, offsets);
        var span = Assert.Single(spans);
        int first = prompt.EmphasisRanges[0].Start - offsets[0].End + 1;
        Assert.Equal(new TokenSpan(first, first + "brief".Length), span);
        Assert.Equal("brief", string.Concat(Enumerable.Range(span.Start, span.Length).Select(t => prompt.Text[offsets[t].Start])));
    }
}
