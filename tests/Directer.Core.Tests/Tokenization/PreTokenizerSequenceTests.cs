using System.Text.Json.Nodes;
using Directer.Core.Tokenization;
using Directer.Testing;

namespace Directer.Core.Tests.Tokenization;

/// <summary>
/// Pre-tokenizer sequences on the tiny byte-level vocabulary of <see cref="TinyTokenizer"/> (no normalizer): an
/// Isolated <c>Split</c> followed by ByteLevel with <c>add_prefix_space</c> (every split piece gets its own space), and
/// ByteLevel first (the inserted space becomes a piece of its own when the Split cuts right after it). Ids as the Rust
/// <c>tokenizers</c> gives them (reference/byte_fallback_variants_reference.mjs); offsets too, but for the inserted Ġ,
/// which Directer gives the empty range where Rust gives the next character's (see ByteLevelModelEdgeTests).
/// </summary>
public sealed class PreTokenizerSequenceTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("directer-pre-seq-").FullName;
    private int folders;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static JsonObject Split(string regex) => new() { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = regex }, ["behavior"] = "Isolated", ["invert"] = false };

    private static JsonObject PrefixedByteLevel() => new() { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = false, ["use_regex"] = false };

    private TextTokenizer Load(params JsonObject[] steps) => TextTokenizer.Load(TinyTokenizer.Write(
        Path.Combine(directory, $"t{folders++}"),
        preTokenizer: new JsonObject { ["type"] = "Sequence", ["pretokenizers"] = new JsonArray(steps) },
        edit: root => root["normalizer"] = null));

    [Theory]
    [InlineData("12", new[] { 32, 0, 0, 49, 0, 1, 32, 1, 1, 50, 1, 2 })]
    [InlineData("a1", new[] { 32, 0, 0, 97, 0, 1, 32, 1, 1, 49, 1, 2 })]
    [InlineData("1", new[] { 32, 0, 0, 49, 0, 1 })]
    [InlineData("a😀b", new[] { 32, 0, 0, 97, 0, 1, 240, 1, 3, 159, 1, 3, 152, 1, 3, 128, 1, 3, 98, 3, 4 })]
    [InlineData("", new int[0])]
    public void EverySplitPieceGetsItsOwnPrefixSpace(string text, int[] idStartEnd)
    {
        var tokenizer = Load(Split(@"\p{N}"), PrefixedByteLevel());
        Assert.Equal(idStartEnd, tokenizer.EncodeWithOffsets(text).SelectMany(t => new[] { t.Id, t.Start, t.End }));
    }

    [Theory]
    [InlineData("12", new[] { 32, 0, 0, 49, 0, 1, 50, 1, 2 })]
    [InlineData("a1", new[] { 32, 0, 0, 97, 0, 1, 49, 1, 2 })]
    [InlineData("1", new[] { 32, 0, 0, 49, 0, 1 })] // the inserted space alone is a piece, and a token
    public void ASplitAfterByteLevelCanLeaveTheInsertedSpaceAlone(string text, int[] idStartEnd)
    {
        var tokenizer = Load(PrefixedByteLevel(), Split(@"\p{N}"));
        Assert.Equal(idStartEnd, tokenizer.EncodeWithOffsets(text).SelectMany(t => new[] { t.Id, t.Start, t.End }));
    }

    /// <summary>
    /// A pattern that can match nothing splits where it does: Hugging Face splits at every match and drops the empty
    /// pieces, so x* cuts between any two characters that are not x, and (?=b) before every b.
    /// </summary>
    [Theory]
    [InlineData("x*", "12", new[] { 32, 49, 32, 50 })]
    [InlineData("x*", "abab", new[] { 32, 97, 32, 98, 32, 97, 32, 98 })]
    [InlineData("x*", "xxa", new[] { 32, 120, 120, 32, 97 })]
    [InlineData("x*", "a😀b", new[] { 32, 97, 32, 240, 159, 152, 128, 32, 98 })]
    [InlineData("x*", "x😀", new[] { 32, 120, 32, 240, 159, 152, 128 })]
    [InlineData("(?=b)", "abab", new[] { 32, 97, 32, 98, 97, 32, 98 })]
    [InlineData("(?=b)", "a😀b", new[] { 32, 97, 240, 159, 152, 128, 32, 98 })]
    [InlineData("(?=b)", "12", new[] { 32, 49, 50 })]
    public void AnEmptyMatchSplitsTheTextWithoutAPieceOfItsOwn(string pattern, string text, int[] ids)
    {
        var tokenizer = Load(Split(pattern), PrefixedByteLevel());
        Assert.Equal(ids, tokenizer.Encode(text));
    }
}
