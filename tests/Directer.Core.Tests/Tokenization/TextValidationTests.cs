using System.Text;
using Directer.Core.Tokenization;

namespace Directer.Core.Tests.Tokenization;

/// <summary>
/// The two checks behind the tokenizers' "invalid text" errors, at their edges: where the first unpaired surrogate
/// of a string is (UTF-16 rules: a high surrogate counts only when a low one follows it), and where the first
/// invalid UTF-8 sequence of a file starts (its byte offset, counting the multi-byte characters before it).
/// </summary>
public sealed class TextValidationTests
{
    // UTF-16 code units as hex (xunit's test-case serialisation replaces a lone surrogate in a string argument by U+FFFD).
    [Theory]
    [InlineData("", null)]
    [InlineData("61 62", null)]
    [InlineData("61 D83D DE00 62", null)] // a pair (😀) is one character, not two lone halves
    [InlineData("D83D DE00 D83D DE00", null)]
    [InlineData("D83D", 0)] // a high surrogate at the very end: nothing follows it
    [InlineData("61 62 D83D", 2)]
    [InlineData("61 DE00", 1)] // a low surrogate with no high one before it
    [InlineData("D83D D83D DE00", 0)] // high, then a pair: the first high is alone
    [InlineData("DE00 D83D", 0)] // low before high is not a pair
    [InlineData("78 D83D 79", 1)]
    [InlineData("D83D DE00 DE00", 2)] // a pair, then a low left over
    public void TheFirstLoneSurrogateIsFound(string codeUnits, int? expected)
    {
        string text = new(codeUnits.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(u => (char)Convert.ToUInt16(u, 16)).ToArray());
        Assert.Equal(expected, UnicodeText.FindLoneSurrogate(text));
    }

    public static TheoryData<byte[], long?> Utf8Cases() => new()
    {
        { [], null },
        { Encoding.UTF8.GetBytes("plain"), null },
        { Encoding.UTF8.GetBytes("é😀中"), null },
        { [0x61, 0xFF], 1 },
        { [0xFF], 0 },
        { [0xE2, 0x82], 0 }, // a three-byte sequence cut at the end of the file
        { [0x61, 0xE2, 0x82], 1 },
        { [0xC3, 0xA9, 0x80], 2 }, // é is two bytes; then a lone continuation byte
        { [0xF0, 0x9F, 0x98, 0x80, 0x61, 0xC0, 0xAF], 5 }, // 😀 is four bytes, 'a' one; then an overlong '/'
        { [0xED, 0xA0, 0x80], 0 }, // an encoded surrogate is not UTF-8
    };

    [Theory]
    [MemberData(nameof(Utf8Cases))]
    public void TheFirstInvalidUtf8SequenceStartsAtItsByteOffset(byte[] bytes, long? expected) =>
        Assert.Equal(expected, Utf8Validation.FindInvalid(bytes));
}
