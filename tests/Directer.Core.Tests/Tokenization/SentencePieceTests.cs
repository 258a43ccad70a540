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

    /// <summary>
    /// Offsets: ids and the range of every piece that spells input characters are sentencepiece's own (its surfaces,
    /// reference/sentencepiece_offsets_reference.py, the text around a control token encoded on its own); the
    /// dummy-prefix ▁ and byte pieces, to which sentencepiece gives an empty surface (the character's surface goes on its
    /// last byte piece), get Hugging Face's ranges instead: the character the ▁ was put before, and each byte piece its
    /// whole character (both UTF-16 units of a supplementary one), as the Rust tokenizers gives them on the converted
    /// Mistral file.
    /// </summary>
    [Theory]
    [InlineData("Hello world", new[] { 260, 0, 1, 291, 0, 1, 261, 1, 2, 266, 2, 3, 266, 3, 4, 263, 4, 5, 260, 5, 6, 272, 6, 7, 263, 7, 8, 269, 8, 9, 266, 9, 10, 273, 10, 11 })]
    [InlineData("a😀b", new[] { 260, 0, 1, 267, 0, 1, 243, 1, 3, 162, 1, 3, 155, 1, 3, 131, 1, 3, 282, 3, 4 })]
    [InlineData("😀", new[] { 260, 0, 2, 243, 0, 2, 162, 0, 2, 155, 0, 2, 131, 0, 2 })]
    [InlineData("x <s> y", new[] { 260, 0, 1, 284, 0, 1, 260, 1, 2, 1, 2, 5, 260, 5, 6, 260, 5, 6, 298, 6, 7 })]
    [InlineData("ab</s>", new[] { 260, 0, 1, 267, 0, 1, 282, 1, 2, 2, 2, 6 })]
    [InlineData("a the", new[] { 260, 0, 1, 267, 0, 1, 259, 1, 3, 270, 3, 4, 261, 4, 5 })] // ▁t: the space and the t
    public void OffsetsAreThoseOfTheInputCharactersEachPieceStandsFor(string text, int[] idStartEnd)
    {
        var tokenizer = TextTokenizer.Load(Folder);
        var tokens = tokenizer.EncodeWithOffsets(text);
        Assert.Equal(idStartEnd, tokens.SelectMany(t => new[] { t.Id, t.Start, t.End }));
    }

    [Fact]
    public void IdsPastThePiecesHaveNoTokenAndNoBytesAndTheUnknownPieceIsAControlToken()
    {
        var tokenizer = TextTokenizer.Load(Folder);
        Assert.Equal(300, tokenizer.VocabSize);
        Assert.Equal("z", tokenizer.IdToToken(299));
        Assert.Null(tokenizer.IdToToken(300));
        Assert.Null(tokenizer.IdToToken(-1));
        Assert.Equal("z"u8.ToArray(), tokenizer.TokenBytes(299).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.TokenBytes(300));
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.TokenBytes(-1));

        // <unk> (0), <s> (1), </s> (2): the model's unknown, begin and end pieces are control tokens, id 0 included.
        Assert.Equal(0, tokenizer.TokenToId("<unk>"));
        Assert.True(tokenizer.IsSpecial(0));
        Assert.True(tokenizer.IsSpecial(2));
        Assert.False(tokenizer.IsSpecial(3));
        Assert.Equal([0], tokenizer.Encode("<unk>"));
    }

    // Protobuf appended to the committed model (sentencepiece_model.proto): a repeated field adds to the list, a
    // message field given again merges into the first. ModelProto: 1 pieces {1 piece, 2 score, 3 type (1 normal)},
    // 3 normalizer_spec {3 add_dummy_prefix}.
    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }

    private static byte[] Field(int number, byte[] payload) => [.. Varint((ulong)(number << 3 | 2)), .. Varint((ulong)payload.Length), .. payload];

    private static byte[] NormalPiece(string piece) =>
        Field(1, [.. Field(1, System.Text.Encoding.UTF8.GetBytes(piece)), .. Varint(2 << 3 | 5), .. BitConverter.GetBytes(-1000f), .. Varint(3 << 3), .. Varint(1)]);

    private string WriteModel(byte[] appended)
    {
        string dir = Directory.CreateTempSubdirectory("directer-spm-").FullName;
        File.WriteAllBytes(Path.Combine(dir, "tokenizer.model"), [.. File.ReadAllBytes(Path.Combine(Folder, "tokenizer.model")), .. appended]);
        return dir;
    }

    /// <summary>
    /// Only a six-character &lt;0xNN&gt; piece is a byte: the normal pieces "ab12c&gt;" and "&lt;0x41z&gt;" (ids 300 and
    /// 301, appended to the model) decode to their text, as sentencepiece decodes them (checked with Debian's
    /// python3-sentencepiece on the same bytes: 'ab12c>', '<0x41z>', 'aab12c>b').
    /// </summary>
    [Fact]
    public void APieceThatOnlyLooksLikeAByteDecodesToItsText()
    {
        string dir = WriteModel([.. NormalPiece("ab12c>"), .. NormalPiece("<0x41z>")]);
        try
        {
            var tokenizer = TextTokenizer.Load(dir);
            Assert.Equal(302, tokenizer.VocabSize);
            Assert.Equal("ab12c>", tokenizer.Decode([300]));
            Assert.Equal("<0x41z>", tokenizer.Decode([301]));
            Assert.Equal("aab12c>b", tokenizer.Decode([267, 300, 282]));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// Without the dummy prefix (normalizer_spec.add_dummy_prefix false) no ▁ is put before the text and none is dropped
    /// when decoding; sentencepiece (python3-sentencepiece, the same bytes) encodes "Hello world" as 291 261 266 266 263
    /// 260 272 263 269 266 273 and " y" as 260 298, and decodes the latter to " y". Every piece spells its characters.
    /// </summary>
    [Fact]
    public void WithoutTheDummyPrefixNoSpaceIsAddedOrDropped()
    {
        string dir = WriteModel(Field(3, [.. Varint(3 << 3), .. Varint(0)]));
        try
        {
            var tokenizer = TextTokenizer.Load(dir);
            Assert.False(tokenizer.DropsLeadingSpace);
            Assert.Equal(
                [291, 0, 1, 261, 1, 2, 266, 2, 3, 266, 3, 4, 263, 4, 5, 260, 5, 6, 272, 6, 7, 263, 7, 8, 269, 8, 9, 266, 9, 10, 273, 10, 11],
                tokenizer.EncodeWithOffsets("Hello world").SelectMany(t => new[] { t.Id, t.Start, t.End }));
            Assert.Equal([260, 0, 1, 298, 1, 2], tokenizer.EncodeWithOffsets(" y").SelectMany(t => new[] { t.Id, t.Start, t.End }));
            Assert.Equal(" y", tokenizer.Decode([260, 298]));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// A model whose trainer spec names a begin-of-sentence id past its pieces (trainer_spec 2 {41 bos_id}: 5000 of
    /// 300) is a load error naming the file; it escaped as a NullReferenceException before.
    /// </summary>
    [Fact]
    public void AControlIdPastThePiecesIsALoadErrorNamingTheFile()
    {
        string dir = WriteModel(Field(2, [.. Varint(41 << 3), .. Varint(5000)]));
        try
        {
            var error = Assert.Throws<TokenizerLoadException>(() => TextTokenizer.Load(dir));
            Assert.Equal(Path.Combine(dir, "tokenizer.model"), error.FilePath);
            Assert.Null(error.Location);
            Assert.Equal("not a SentencePiece model this loader supports (its begin, end or unknown token id 5000 is not one of its 300 pieces)", error.Problem);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
