using Directer.Core.Chat;
using Directer.Core.Emphasis;
using Directer.Core.Steering;
using Directer.Core.Templates;

namespace Directer.Core.Tests.Emphasis;

/// <summary>
/// What an emphasis request that cannot be honoured says: each error's whole message (which string, where, why), the
/// shortening of long texts in it, and the inline markers' rules; the callers act on these words (the CLI and the
/// connectors show them as they are).
/// </summary>
public sealed class EmphasisErrorTests
{
    private static readonly IReadOnlyList<ToolDefinition> NoTools = [];

    private static RenderedPrompt Render(string template, EmphasisRequest request, params ChatTurn[] turns) =>
        ChatTemplates.ByName(template).Render(turns, NoTools, true, request);

    private static ChatTurn System(string content) => new(ChatRole.System, content);

    private static ChatTurn User(string content) => new(ChatRole.User, content);

    [Fact]
    public void ANullOrEmptyStringIsNamedByItsIndex()
    {
        var nullText = Assert.Throws<ArgumentException>(() => Render("chatml", new EmphasisRequest { Texts = ["a", null!] }, User("a")));
        Assert.Equal("request", nullText.ParamName);
        Assert.StartsWith("EmphasisRequest.Texts[1] is null: an emphasis string needs at least one character (of 2 strings).", nullText.Message, StringComparison.Ordinal);

        var empty = Assert.Throws<ArgumentException>(() => Render("chatml", new EmphasisRequest { Texts = [""] }, User("a")));
        Assert.StartsWith("EmphasisRequest.Texts[0] is an empty string: an emphasis string needs at least one character (of 1 strings).", empty.Message, StringComparison.Ordinal);

        var noList = Assert.Throws<ArgumentException>(() => Render("chatml", new EmphasisRequest { Texts = null! }, User("a")));
        Assert.StartsWith("EmphasisRequest.Texts is null.", noList.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ALoneSurrogateIsNamedWithItsCodeAndPlace()
    {
        var error = Assert.Throws<ArgumentException>(() => Render("chatml", new EmphasisRequest { Texts = ["ok", "ab\uD83Dc"] }, User("ok ab")));
        Assert.StartsWith("EmphasisRequest.Texts[1] has a lone surrogate U+D83D at character 2: text must be valid Unicode.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TextInNoTurnIsNotFoundAndLongTextIsShortenedToEightyCharacters()
    {
        string eighty = new('x', 80);
        var exact = Assert.Throws<EmphasisNotFoundException>(() => Render("chatml", new EmphasisRequest { Texts = [eighty] }, User("a")));
        Assert.Equal(eighty, exact.Text);
        Assert.Equal(
            $"Emphasised text \"{eighty}\" was not found in the rendered prompt: no turn's content contains it (matching is ordinal and case-sensitive; template scaffolding is not searched).",
            exact.Message);

        string longer = eighty + "yz";
        var shortened = Assert.Throws<EmphasisNotFoundException>(() => Render("chatml", new EmphasisRequest { Texts = [longer] }, User("a")));
        Assert.Equal(longer, shortened.Text); // the exception keeps the whole text
        Assert.StartsWith($"Emphasised text \"{eighty}…\" was not found", shortened.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TextTheTemplateDropsIsNotFoundNamingTheTemplate()
    {
        // Llama 3 trims message content: trailing spaces are in the turn but not in the prompt.
        // Another turn without the text does not change that: one turn holding it is enough.
        var error = Assert.Throws<EmphasisNotFoundException>(() => Render("llama3", new EmphasisRequest { Texts = ["hi  "] }, System("Be brief."), User("hi  ")));
        Assert.Equal(
            "Emphasised text \"hi  \" was not found in the rendered prompt: it occurs in a turn's content, but not in what the llama3 template renders of it (the template trims, escapes or drops that part).",
            error.Message);
    }

    [Fact]
    public void TheSystemMessageErrorsSayWhy()
    {
        var none = Assert.Throws<EmphasisNotFoundException>(() => Render("chatml", new EmphasisRequest { SystemMessage = true }, User("a")));
        Assert.Equal("(system message)", none.Text);
        Assert.Equal("The system message cannot be emphasised: the conversation has no system turn.", none.Message);

        var empty = Assert.Throws<EmphasisNotFoundException>(() => Render("chatml", new EmphasisRequest { SystemMessage = true }, System(""), User("a")));
        Assert.Equal(
            "The system message cannot be emphasised: the chatml template renders nothing of the system turn's content (it is empty, or the template drops it for this conversation).",
            empty.Message);

        // Not an error where the request is only "if rendered", or ignores what is not found.
        Assert.Empty(Render("chatml", new EmphasisRequest { SystemMessageIfRendered = true }, User("a")).EmphasisRanges);
        Assert.False(Render("chatml", new EmphasisRequest { SystemMessageIfRendered = true }, User("a")).SystemMessageNotRendered); // no system turn at all
        Assert.True(Render("chatml", new EmphasisRequest { SystemMessageIfRendered = true }, System(""), User("a")).SystemMessageNotRendered);
        Assert.Empty(Render("chatml", new EmphasisRequest { SystemMessage = true, IgnoreNotFound = true }, User("a")).EmphasisRanges);
    }

    [Fact]
    public void AnInlineSpanTheTemplateDoesNotRenderIsNamedWithItsTurn()
    {
        var request = new EmphasisRequest { UntrustedInlineMarkers = true };
        var error = Assert.Throws<EmphasisNotFoundException>(() => Render("llama3", request, User("x [[  ]]")));
        Assert.Equal("  ", error.Text);
        Assert.Equal(
            "Inline-emphasised text \"  \" of turn 0 (User) is not in the prompt: the llama3 template does not render that part of the turn.",
            error.Message);
        Assert.Empty(Render("llama3", request with { IgnoreNotFound = true }, User("x [[  ]]")).EmphasisRanges);

        // A span that begins exactly where the rendered content ends only touches it: still not rendered.
        var touching = Assert.Throws<EmphasisNotFoundException>(() => Render("llama3", request, User("x[[  ]]")));
        Assert.Equal("  ", touching.Text);
    }

    [Fact]
    public void InlineMarkerErrorsNameTheMarkersAndPlaces()
    {
        var half = Assert.Throws<ArgumentException>(() => Render("chatml", new EmphasisRequest { InlineCloseMarker = null }, System("a")));
        Assert.StartsWith("Inline emphasis needs both InlineOpenMarker and InlineCloseMarker (set both to null to turn it off).", half.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Render("chatml", new EmphasisRequest { InlineOpenMarker = "" }, System("a")));
        Assert.Empty(Render("chatml", new EmphasisRequest { InlineOpenMarker = null, InlineCloseMarker = null }, System("[[a]]")).EmphasisRanges);

        var same = Assert.Throws<ArgumentException>(() => Render("chatml", new EmphasisRequest { InlineOpenMarker = "**", InlineCloseMarker = "**" }, System("a")));
        Assert.StartsWith("InlineOpenMarker and InlineCloseMarker must differ (both are '**').", same.Message, StringComparison.Ordinal);

        var open = Assert.Throws<ArgumentException>(() => Render("chatml", new EmphasisRequest(), System("ab [[c]] [[d")));
        Assert.Equal(
            "Turn 0: the inline emphasis marker '[[' at character 9 has no closing ']]' (set EmphasisRequest.InlineOpenMarker/InlineCloseMarker to other strings, or to null, if the content contains '[[' literally).",
            open.Message);

        var nested = Assert.Throws<ArgumentException>(() => Render("chatml", new EmphasisRequest(), User("q"), System("x [[a [[b]] c]]")));
        Assert.Equal("Turn 1: inline emphasis markers cannot nest ('[[' at character 6 is inside the one at 2).", nested.Message);
    }

    [Fact]
    public void MarkersOfSeveralCharactersAreStrippedWhole()
    {
        var prompt = Render("chatml", new EmphasisRequest { InlineOpenMarker = "<<<", InlineCloseMarker = ">>" }, System("a<<<bc>>d<<<>>e"));
        Assert.Contains("<|im_start|>system\nabcde<|im_end|>", prompt.Text, StringComparison.Ordinal);
        int at = prompt.Text.IndexOf("abcde", StringComparison.Ordinal);
        Assert.Equal([new CharRange(at + 1, at + 3)], prompt.EmphasisRanges); // the empty pair marks nothing
    }

    [Fact]
    public void OverlappingOccurrencesAreEachFoundUpToTheContentsEnd()
    {
        var prompt = Render("chatml", new EmphasisRequest { Texts = ["aa"] }, User("aaa b aa"));
        int at = prompt.Text.IndexOf("aaa b aa", StringComparison.Ordinal);
        Assert.Equal([new CharRange(at, at + 3), new CharRange(at + 6, at + 8)], prompt.EmphasisRanges);
    }

    [Fact]
    public void TouchingOccurrencesOfDifferentTextsBecomeOneRange()
    {
        var prompt = Render("chatml", new EmphasisRequest { Texts = ["cd", "ab"] }, User("abcd ab"));
        int at = prompt.Text.IndexOf("abcd", StringComparison.Ordinal);
        Assert.Equal([new CharRange(at, at + 4), new CharRange(at + 5, at + 7)], prompt.EmphasisRanges);
    }

    [Fact]
    public void BadRangesAndOffsetsAreNamed()
    {
        var range = Assert.Throws<ArgumentException>(() => EmphasisSpans.ToTokenSpans([new CharRange(-1, 2)], [(0, 5)]));
        Assert.Equal("ranges", range.ParamName);
        Assert.StartsWith("Invalid character range [-1, 2).", range.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => EmphasisSpans.ToTokenSpans([new CharRange(3, 2)], [(0, 5)]));
        Assert.Empty(EmphasisSpans.ToTokenSpans([new CharRange(2, 2)], [(0, 5)])); // empty is valid, and covers nothing

        var token = Assert.Throws<ArgumentException>(() => EmphasisSpans.ToTokenSpans([new CharRange(0, 2)], [(0, 1), (-1, 1)]));
        Assert.Equal("tokenOffsets", token.ParamName);
        Assert.StartsWith("Token 1 has an invalid character range [-1, 1).", token.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => EmphasisSpans.ToTokenSpans([new CharRange(0, 2)], [(2, 1)]));
        Assert.Throws<ArgumentNullException>(() => EmphasisSpans.ToTokenSpans(null!, [(0, 1)]));
        Assert.Throws<ArgumentNullException>(() => EmphasisSpans.ToTokenSpans([], null!));
    }

    [Fact]
    public void ATokenOverlapsOnlyTheRangesItSharesACharacterWith()
    {
        // Many ranges (the binary search's every branch): tokens of one character each, ranges on the even characters.
        var ranges = Enumerable.Range(0, 9).Select(i => new CharRange(2 * i, (2 * i) + 1)).ToArray();
        var offsets = Enumerable.Range(0, 20).Select(i => (i, i + 1)).ToArray();
        var spans = EmphasisSpans.ToTokenSpans(ranges, offsets);
        Assert.Equal(Enumerable.Range(0, 9).Select(i => new TokenSpan(2 * i, (2 * i) + 1)), spans);

        // A token spanning two ranges and the gap between them overlaps; one ending where a range begins does not.
        Assert.Equal([new TokenSpan(1, 2)], EmphasisSpans.ToTokenSpans([new CharRange(2, 3), new CharRange(5, 6)], [(0, 2), (2, 6), (6, 9)]));
    }
}
