using System.Text.Json;
using Directer.Core.Tokenization.ByteLevel;

namespace Directer.Core.Tests.Tokenization;

/// <summary><see cref="ByteLevelAlphabet"/> against GPT-2's <c>bytes_to_unicode</c> (Fixtures/tokenizers/gpt2_bytes_to_unicode.json,
/// written by reference/byte_level_alphabet_reference.py): every byte's character, and the way back for every character
/// of the first 1,024 code points and the last one.</summary>
public sealed class ByteLevelAlphabetTests
{
    private static readonly int[] Gpt2 = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "tokenizers", "gpt2_bytes_to_unicode.json")))
        .RootElement.GetProperty("byte_to_code_point").EnumerateArray().Select(e => e.GetInt32()).ToArray();

    [Fact]
    public void EveryByteMapsToGpt2sCharacter()
    {
        Assert.Equal(256, Gpt2.Length);
        var got = Enumerable.Range(0, 256).Select(b => (int)ByteLevelAlphabet.ToChar((byte)b)).ToArray();
        Assert.Equal(Gpt2, got);
    }

    [Fact]
    public void EveryCharacterMapsBackToItsByteAndAnyOtherToMinusOne()
    {
        var inverse = new Dictionary<int, int>();
        for (int b = 0; b < 256; b++)
        {
            inverse.Add(Gpt2[b], b);
        }

        foreach (int c in Enumerable.Range(0, 1024).Append(char.MaxValue))
        {
            Assert.True(ByteLevelAlphabet.ToByte((char)c) == inverse.GetValueOrDefault(c, -1), $"U+{c:X4}");
        }
    }

    [Fact]
    public void EncodeWritesEachBytesCharacterAndTryDecodeReadsThemBack()
    {
        byte[] all = Enumerable.Range(0, 256).Select(b => (byte)b).Reverse().ToArray();
        string encoded = ByteLevelAlphabet.Encode(all);
        Assert.Equal(string.Concat(all.Select(b => (char)Gpt2[b])), encoded);
        Assert.Equal(all, ByteLevelAlphabet.TryDecode(encoded)!);
        Assert.Equal(string.Empty, ByteLevelAlphabet.Encode([]));
        Assert.Equal(new byte[0], ByteLevelAlphabet.TryDecode(string.Empty)!);
    }

    [Theory]
    [InlineData(" ")]      // a byte's own character when printable only: space is U+0120 in the alphabet
    [InlineData("a b")]
    [InlineData("Ġ\u0144")] // one past the last mapped character (U+0143)
    [InlineData("\u00AD")] // soft hyphen: byte 0xAD is not printable in GPT-2's table
    [InlineData("é\uFFFF")]
    public void TryDecodeRefusesAStringWithACharacterOutsideTheAlphabet(string token)
    {
        Assert.Null(ByteLevelAlphabet.TryDecode(token));
    }
}
