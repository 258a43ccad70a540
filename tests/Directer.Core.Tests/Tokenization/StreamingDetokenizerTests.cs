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
}
