using System.Text.Json;
using Directer.Core.Tokenization;

namespace Directer.Core.Tests.Tokenization;

/// <summary>
/// A SentencePiece BPE tokenizer.model (byte fallback, dummy prefix) trained by
/// reference/make_sentencepiece_fixture.py, against the ids and decodings of Google's own
/// sentencepiece library recorded there.
/// </summary>
public sealed class SentencePieceTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "tokenizers", "sentencepiece");

    public static TheoryData<string, int[], string> Cases()
    {
        var data = new TheoryData<string, int[], string>();
        using var goldens = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "goldens.json")));
        foreach (var c in goldens.RootElement.GetProperty("cases").EnumerateArray())
        {
            data.Add(c.GetProperty("text").GetString()!, c.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(), c.GetProperty("decoded").GetString()!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EncodingAndDecodingMatchSentencePiece(string text, int[] ids, string decoded)
    {
        var tokenizer = TextTokenizer.Load(Folder);
        Assert.Equal(TextTokenizerKind.SentencePieceBpe, tokenizer.Kind);
        var tokens = tokenizer.EncodeWithOffsets(text);
        Assert.Equal(ids, tokens.Select(t => t.Id));
        Assert.Equal(decoded, tokenizer.Decode(ids));
        Assert.All(tokens, t => Assert.True(0 <= t.Start && t.Start <= t.End && t.End <= text.Length, $"{t} in '{text}'"));

        var stream = new StreamingDetokenizer(tokenizer);
        string streamed = string.Concat(ids.Select(stream.Push)) + stream.Flush();
        Assert.Equal(decoded, streamed);
    }

    [Fact]
    public void ControlTokensAreSpecial()
    {
        var tokenizer = TextTokenizer.Load(Folder);
        Assert.Equal(1, tokenizer.TokenToId("<s>"));
        Assert.True(tokenizer.IsSpecial(1));
        Assert.Equal(new[] { 1 }, tokenizer.Encode("<s>").Take(1));
    }
}
