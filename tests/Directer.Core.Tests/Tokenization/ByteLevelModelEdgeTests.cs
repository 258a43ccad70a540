using System.Text.Json.Nodes;
using Directer.Core.Tokenization;
using Directer.Testing;

namespace Directer.Core.Tests.Tokenization;

/// <summary>
/// The byte-level BPE model at its edges, on the tiny tokenizer of <see cref="TinyTokenizer"/>: the offsets of pieces that
/// ByteLevel's <c>add_prefix_space</c> starts with a space (ids and the offsets of every token that covers input
/// characters as the Rust <c>tokenizers</c> gives them, printed by reference/byte_fallback_variants_reference.mjs), the
/// ids past the vocabulary, and a vocabulary that lacks a byte.
/// </summary>
public sealed class ByteLevelModelEdgeTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("directer-bl-edge-").FullName;
    private int folders;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private TextTokenizer Load(string family, Action<JsonObject>? edit = null) =>
        TextTokenizer.Load(TinyTokenizer.Write(Path.Combine(directory, $"t{folders++}"), preTokenizer: TinyTokenizer.PreTokenizer(family), edit: edit));

    /// <summary>
    /// Rust gives the inserted Ġ the offsets of the character it stands before; Directer gives it the empty range at
    /// that character (it stands for no input character, as the prepended ▁ of the byte-fallback models), and every other
    /// token the same range as Rust.
    /// </summary>
    [Theory]
    [InlineData("hello", new[] { 32, 259 }, new[] { 0, 0, 0, 5 })]
    [InlineData("1hello", new[] { 32, 49, 32, 259 }, new[] { 0, 0, 0, 1, 1, 1, 1, 6 })]
    [InlineData("x hello", new[] { 32, 120, 32, 259 }, new[] { 0, 0, 0, 1, 1, 2, 2, 7 })] // the second Ġ is the input's space
    [InlineData("7é", new[] { 32, 55, 32, 195, 169 }, new[] { 0, 0, 0, 1, 1, 1, 1, 2, 1, 2 })]
    [InlineData("12 the", new[] { 32, 49, 32, 50, 265, 256 }, new[] { 0, 0, 0, 1, 1, 1, 1, 2, 2, 4, 4, 6 })]
    public void APrefixSpaceShiftsNoOffsetOfTheInput(string text, int[] ids, int[] offsets)
    {
        var tokens = Load("digits").EncodeWithOffsets(text);
        Assert.Equal(ids, tokens.Select(t => t.Id));
        Assert.Equal(offsets, tokens.SelectMany(t => new[] { t.Start, t.End }));
    }

    [Fact]
    public void IdsPastTheModelHaveNoTokenAndNoBytes()
    {
        // No added tokens (and so no tokenizer_config.json naming them): the model's ids are all there is.
        string dir = TinyTokenizer.Write(Path.Combine(directory, "plain"), edit: root => root["added_tokens"] = new JsonArray());
        File.Delete(Path.Combine(dir, "tokenizer_config.json"));
        File.Delete(Path.Combine(dir, "generation_config.json"));
        var tokenizer = TextTokenizer.Load(dir);
        Assert.Equal(268, tokenizer.VocabSize);
        Assert.Equal("Ġthe", tokenizer.IdToToken(267));
        Assert.Equal("!", tokenizer.IdToToken(33));
        Assert.Null(tokenizer.IdToToken(268));
        Assert.Null(tokenizer.IdToToken(-1));
        Assert.Equal(" the"u8.ToArray(), tokenizer.TokenBytes(267).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.TokenBytes(268));
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.TokenBytes(-1));
    }

    [Fact]
    public void AVocabularyWithoutAByteCannotEncodeIt()
    {
        // "!" (byte 0x21) removed: no token covers it, and no unk_token is declared.
        var tokenizer = Load("qwen2", root => root["model"]!["vocab"]!.AsObject().Remove("!"));
        Assert.Equal([104, 105], tokenizer.Encode("hi"));
        var error = Assert.Throws<InvalidOperationException>(() => tokenizer.Encode("hi!"));
        Assert.Equal("BPE tokens cover 0 of the 1 bytes of \"!\"; the vocabulary lacks a byte.", error.Message);
    }
}
