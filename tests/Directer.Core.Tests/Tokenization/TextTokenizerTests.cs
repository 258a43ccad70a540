using Directer.Testing;
using System.Text;
using System.Text.Json.Nodes;
using Directer.Core.Tokenization;

namespace Directer.Core.Tests.Tokenization;

public sealed class TextTokenizerTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("directer-tok-").FullName;
    private readonly Dictionary<string, int> vocab = TinyTokenizer.Vocab();

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private TextTokenizer Load(bool pairs = false) => TextTokenizer.Load(TinyTokenizer.Write(Path.Combine(directory, pairs ? "pairs" : "strings"), mergesAsPairs: pairs));

    private int Id(string token) => vocab[token];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MergesApplyInRankOrderInBothMergeFormats(bool pairs)
    {
        var tokenizer = Load(pairs);
        // Hand-derived: "hello" -> h e l l o -> he, ll -> hell -> hello; " world" -> Ġw, or -> Ġwor -> Ġworl -> Ġworld.
        Assert.Equal(new[] { Id("hello"), Id("Ġworld") }, tokenizer.Encode("hello world"));
        // Rank order matters: "h e" (rank 0) wins over "Ġ t"/"Ġt h", so " the" ends as Ġt + he, never Ġthe.
        Assert.Equal(new[] { Id("t"), Id("he"), Id("Ġt"), Id("he") }, tokenizer.Encode("the the"));
    }

    /// <summary>
    /// The vocabulary size is one past the highest id of the model's vocabulary or of an added token: 256 bytes + 12
    /// merges = 268 model tokens (ids 0–267), counted by hand from the file. Added tokens after the vocabulary (the
    /// usual case, ids 268–270), with a gap (up to 310), and inside it (ids 5–7, which must not shrink it).
    /// </summary>
    [Theory]
    [InlineData(new int[0], 268)]
    [InlineData(new[] { 268, 269, 270 }, 271)]
    [InlineData(new[] { 300, 268, 310 }, 311)]
    [InlineData(new[] { 5, 6, 7 }, 268)]
    public void TheVocabularyEndsAfterTheHighestModelOrAddedTokenId(int[] addedIds, int expected)
    {
        string dir = TinyTokenizer.Write(Path.Combine(directory, "vocab-" + string.Join("-", addedIds)), edit: root =>
        {
            var added = root["added_tokens"]!.AsArray();
            while (added.Count > addedIds.Length)
            {
                added.RemoveAt(added.Count - 1);
            }

            for (int i = 0; i < addedIds.Length; i++)
            {
                added[i]!["id"] = addedIds[i];
            }
        });
        if (addedIds.Length == 0)
        {
            // Without added tokens, end of text is a model token.
            File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), "{ \"eos_token\": \"d\" }");
            File.WriteAllText(Path.Combine(dir, "generation_config.json"), "{ \"eos_token_id\": 3 }");
        }

        Assert.Equal(268, vocab.Count);
        Assert.Equal(expected, TextTokenizer.Load(dir).VocabSize);
    }

    [Fact]
    public void MultiByteCharactersAndEmojiBecomeByteTokensCoveringTheWholeCharacter()
    {
        var tokenizer = Load();
        var tokens = tokenizer.EncodeWithOffsets("é😀");
        // é = C3 A9 (2 byte tokens), 😀 = F0 9F 98 80 (4 byte tokens, one surrogate pair in UTF-16).
        Assert.Equal(new[] { 0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80 }.Select(b => Id(TinyTokenizer.ByteChar(b))), tokens.Select(t => t.Id));
        Assert.All(tokens.Take(2), t => Assert.Equal((0, 1), (t.Start, t.End)));
        Assert.All(tokens.Skip(2), t => Assert.Equal((1, 3), (t.Start, t.End)));
        Assert.Equal("é😀", tokenizer.Decode(tokens.Select(t => t.Id)));
    }

    [Fact]
    public void DigitsAreSplitOneByOneByTheQwenPattern()
    {
        var tokenizer = Load();
        Assert.Equal(new[] { Id("1"), Id("2"), Id("3") }, tokenizer.Encode("123"));
    }

    [Fact]
    public void SpecialTokensInsideTextAreSingleIdsAndCanBeSkippedWhenDecoding()
    {
        var tokenizer = Load();
        int start = tokenizer.TokenToId("<|im_start|>")!.Value;
        int end = tokenizer.TokenToId("<|im_end|>")!.Value;
        var tokens = tokenizer.EncodeWithOffsets("<|im_start|>user\nhello<|im_end|>");
        Assert.Equal(start, tokens[0].Id);
        Assert.Equal((0, 12), (tokens[0].Start, tokens[0].End));
        Assert.Equal(end, tokens[^1].Id);
        Assert.Contains(Id("hello"), tokens.Select(t => t.Id));
        Assert.True(tokenizer.IsSpecial(end));
        Assert.False(tokenizer.IsSpecial(Id("hello")));
        Assert.Equal("user\nhello", tokenizer.Decode(tokens.Select(t => t.Id), skipSpecialTokens: true));
        Assert.Equal("<|im_start|>user\nhello<|im_end|>", tokenizer.Decode(tokens.Select(t => t.Id)));
    }

    [Fact]
    public void OffsetsCoverTheTextAndDecodingRoundTrips()
    {
        var tokenizer = Load();
        foreach (string text in new[] { "", " leading space", "tabs\tand\nnewlines\r\n", "naïve café — 東京 🚀🚀 x²", "hello<|im_end|>world", "   " })
        {
            var tokens = tokenizer.EncodeWithOffsets(text);
            Assert.Equal(text, tokenizer.Decode(tokens.Select(t => t.Id)));
            int covered = 0;
            foreach (var t in tokens)
            {
                Assert.True(t.Start <= t.End && t.End <= text.Length, text);
                Assert.True(t.Start <= covered, $"gap before {t} in '{text}'");
                covered = Math.Max(covered, t.End);
            }

            Assert.Equal(text.Length, covered);
        }
    }

    [Fact]
    public void ConfigFilesGiveEosBosAndTheChatTemplate()
    {
        var tokenizer = TextTokenizer.Load(TinyTokenizer.Write(Path.Combine(directory, "bos"), addBos: true));
        int endoftext = tokenizer.TokenToId("<|endoftext|>")!.Value;
        Assert.Equal(endoftext, tokenizer.BosTokenId);
        Assert.True(tokenizer.AddBosToken);
        Assert.Equal(new[] { tokenizer.TokenToId("<|im_end|>")!.Value, endoftext }.Order(), tokenizer.EosTokenIds.Order());
        Assert.Contains("<|im_start|>", tokenizer.ChatTemplate);
        Assert.Equal(endoftext, tokenizer.Encode("hello", addSpecialTokens: true)[0]);
        Assert.Equal(Encoding.UTF8.GetBytes("hello"), tokenizer.TokenBytes(Id("hello")).ToArray());
    }

    [Fact]
    public void UnsupportedDeclarationsAreClearErrorsNamingFileAndPath()
    {
        string dir = TinyTokenizer.Write(Path.Combine(directory, "bad"), preTokenizer: new JsonObject { ["type"] = "Metaspace" });
        var error = Assert.Throws<TokenizerLoadException>(() => TextTokenizer.Load(dir));
        Assert.Contains("tokenizer.json", error.Message);
        Assert.Contains("$.pre_tokenizer.type", error.Message);
        Assert.Contains("Metaspace", error.Message);

        dir = TinyTokenizer.Write(Path.Combine(directory, "bad2"), edit: root => root["model"]!["type"] = "WordPiece");
        Assert.Contains("WordPiece", Assert.Throws<TokenizerLoadException>(() => TextTokenizer.Load(dir)).Message);

        dir = TinyTokenizer.Write(Path.Combine(directory, "bad3"), edit: root => root["normalizer"] = new JsonObject { ["type"] = "Lowercase" });
        Assert.Contains("Lowercase", Assert.Throws<TokenizerLoadException>(() => TextTokenizer.Load(dir)).Message);

        var missing = Assert.Throws<TokenizerLoadException>(() => TextTokenizer.Load(Path.Combine(directory, "nothing")));
        Assert.Contains("tokenizer.json", missing.Message);
    }
}
