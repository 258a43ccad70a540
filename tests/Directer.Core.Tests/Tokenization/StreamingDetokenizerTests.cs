using Directer.Testing;
using Directer.Core.Tokenization;

namespace Directer.Core.Tests.Tokenization;

public sealed class StreamingDetokenizerTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("directer-detok-").FullName;
    private readonly TextTokenizer tokenizer;

    public StreamingDetokenizerTests() => tokenizer = TextTokenizer.Load(TinyTokenizer.Write(directory));

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void EveryPrefixIsValidTextWithoutReplacementCharacters()
    {
        const string text = "Grüße 😀 from 東京! hello world 🚀";
        var ids = tokenizer.Encode(text);
        var detokenizer = new StreamingDetokenizer(tokenizer);
        string streamed = string.Empty;
        foreach (int id in ids)
        {
            streamed += detokenizer.Push(id);
            Assert.DoesNotContain('\uFFFD', streamed);
            Assert.False(streamed.Length > 0 && char.IsHighSurrogate(streamed[^1]), "a surrogate pair was split");
            Assert.StartsWith(streamed, text, StringComparison.Ordinal);
        }

        streamed += detokenizer.Flush();
        Assert.Equal(text, streamed);
        Assert.Equal(text, detokenizer.Text);
    }

    [Fact]
    public void AStopStringSplitAcrossTokensIsHonouredAndCut()
    {
        var ids = tokenizer.Encode("hello world and more");
        var detokenizer = new StreamingDetokenizer(tokenizer, new[] { "o wor" });
        string streamed = string.Empty;
        foreach (int id in ids)
        {
            streamed += detokenizer.Push(id);
            Assert.DoesNotContain("o wor", streamed);
            if (detokenizer.Stopped)
            {
                break;
            }
        }

        streamed += detokenizer.Flush();
        Assert.True(detokenizer.Stopped);
        Assert.Equal("hell", streamed);
    }

    [Fact]
    public void SpecialTokensNeverLeakAndAnIncompleteTailBecomesReplacementOnlyAtFlush()
    {
        int imEnd = tokenizer.TokenToId("<|im_end|>")!.Value;
        var detokenizer = new StreamingDetokenizer(tokenizer);
        Assert.Equal("hello", detokenizer.Push(tokenizer.Encode("hello")[0]));
        Assert.Equal(string.Empty, detokenizer.Push(imEnd));
        Assert.Equal(string.Empty, detokenizer.Push(TinyTokenizer.Vocab()[TinyTokenizer.ByteChar(0xF0)])); // first byte of a 4-byte character
        Assert.Equal("\uFFFD", detokenizer.Flush());
    }

    [Fact]
    public void AHeldBackStopPrefixIsReleasedWhenItTurnsOutDifferent()
    {
        var detokenizer = new StreamingDetokenizer(tokenizer, new[] { "hello!" });
        Assert.Equal(string.Empty, detokenizer.Push(tokenizer.Encode("hello")[0]));
        Assert.Equal("hello ", detokenizer.Push(tokenizer.Encode(" ")[0]));
    }

    private int Byte(int b) => tokenizer.TokenToId(TinyTokenizer.ByteChar(b))!.Value;

    private string PushBytes(StreamingDetokenizer detokenizer, string ascii) => string.Concat(ascii.Select(c => detokenizer.Push(Byte(c))));

    [Fact]
    public void AStopStringFoundAfterAHeldPrefixKeepsTheTextBeforeIt()
    {
        // "xy" is held (it may become "xyz"); "q" makes "yq" appear at 1: "x" is final text, the rest is cut.
        var detokenizer = new StreamingDetokenizer(tokenizer, new[] { "xyz", "yq" });
        Assert.Equal(string.Empty, PushBytes(detokenizer, "xy"));
        Assert.Equal("x", detokenizer.Push(Byte('q')));
        Assert.True(detokenizer.Stopped);
        Assert.Equal("x", detokenizer.Text);
        Assert.Equal(string.Empty, detokenizer.Flush());
    }

    [Fact]
    public void WhenTwoStopStringsAppearTheEarlierOneCuts()
    {
        // "ab" at 0 and "b" at 1 in the same held text: the cut is at 0, whichever stop string is listed last.
        var detokenizer = new StreamingDetokenizer(tokenizer, new[] { "ab", "b" });
        Assert.Equal(string.Empty, PushBytes(detokenizer, "ab"));
        Assert.True(detokenizer.Stopped);
        Assert.Equal(string.Empty, detokenizer.Text);
    }

    [Fact]
    public void FlushReleasesAHeldStopPrefixOnceAndASecondFlushAddsNothing()
    {
        var detokenizer = new StreamingDetokenizer(tokenizer, new[] { "END" });
        Assert.Equal("a", PushBytes(detokenizer, "aEN"));
        Assert.Equal("EN", detokenizer.Flush());
        Assert.Equal(string.Empty, detokenizer.Flush());
        Assert.Equal("aEN", detokenizer.Text);

        var incomplete = new StreamingDetokenizer(tokenizer);
        Assert.Equal(string.Empty, incomplete.Push(Byte(0xF0)));
        Assert.Equal("\uFFFD", incomplete.Flush());
        Assert.Equal(string.Empty, incomplete.Flush());
    }

    [Theory]
    [InlineData(0xFF)] // never a UTF-8 byte
    [InlineData(0x80)] // a continuation byte with no lead
    public void AByteThatCannotStartACharacterBecomesReplacementAtOnce(int b)
    {
        var detokenizer = new StreamingDetokenizer(tokenizer);
        Assert.Equal("\uFFFD", detokenizer.Push(Byte(b)));
    }

    [Fact]
    public void ALeadByteFollowedByOneThatCannotContinueItBecomesReplacementWithoutWaitingForTheRest()
    {
        var detokenizer = new StreamingDetokenizer(tokenizer);
        Assert.Equal(string.Empty, detokenizer.Push(Byte(0xE2))); // a three-byte lead: wait
        Assert.StartsWith("\uFFFD", detokenizer.Push(Byte('a')), StringComparison.Ordinal);
        Assert.Equal("\uFFFDa", detokenizer.Text + detokenizer.Flush());
    }

    [Fact]
    public void AnIncompleteSequenceCutShortAfterAContinuationByteBecomesReplacementWithoutWaiting()
    {
        // F0 9F starts a four-byte character (an emoji); 'a' cannot be its third byte, so the two bytes are released as
        // U+FFFD at once rather than after a fourth byte or at the end.
        var detokenizer = new StreamingDetokenizer(tokenizer);
        Assert.Equal(string.Empty, detokenizer.Push(Byte(0xF0)));
        Assert.Equal(string.Empty, detokenizer.Push(Byte(0x9F)));
        Assert.StartsWith("\uFFFD", detokenizer.Push(Byte('a')), StringComparison.Ordinal);
        Assert.Equal("\uFFFDa", detokenizer.Text + detokenizer.Flush());
    }

    [Fact]
    public void AHeldBackTailNeverSplitsASurrogatePair()
    {
        // A stop string that starts with the low half of U+1F600 matches the second code unit of the emoji: holding
        // back only that unit would release a lone high surrogate, so the whole pair waits.
        var detokenizer = new StreamingDetokenizer(tokenizer, ["\uDE00!"]);
        string streamed = string.Empty;
        foreach (int id in tokenizer.Encode("a\U0001F600"))
        {
            streamed += detokenizer.Push(id);
            Assert.False(streamed.Length > 0 && char.IsHighSurrogate(streamed[^1]), $"a surrogate pair was split: {streamed}");
        }

        Assert.Equal("a", streamed);
        Assert.Equal("\U0001F600", detokenizer.Flush());
        Assert.Equal("a\U0001F600", detokenizer.Text);
    }

    [Fact]
    public void AnEmptyStopStringIsRefusedByName()
    {
        var e = Assert.Throws<ArgumentException>(() => new StreamingDetokenizer(tokenizer, new[] { "END", string.Empty }));
        Assert.Equal("stopStrings", e.ParamName);
        Assert.StartsWith("Stop strings must be non-empty.", e.Message, StringComparison.Ordinal);
    }
}
