namespace Directer.Core.Tokenization.ByteLevel;

/// <summary>
/// GPT-2's reversible byte-to-unicode table (<c>bytes_to_unicode</c>): printable Latin-1 bytes map to themselves,
/// the other 68 bytes map to U+0100 onwards, so every byte string becomes a printable token string.
/// </summary>
internal static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = BuildByteToChar();
    private static readonly short[] CharToByte = BuildCharToByte();

    /// <summary>The token-string character for <paramref name="b"/>.</summary>
    public static char ToChar(byte b) => ByteToChar[b];

    /// <summary>The byte for a token-string character, or -1 when <paramref name="c"/> is not in the alphabet.</summary>
    public static int ToByte(char c) => c < CharToByte.Length ? CharToByte[c] : -1;

    /// <summary>Maps bytes to their token-string form.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        return string.Create(bytes.Length, bytes.ToArray(), static (span, data) =>
        {
            for (int i = 0; i < data.Length; i++)
            {
                span[i] = ByteToChar[data[i]];
            }
        });
    }

    /// <summary>Maps a token string back to bytes; null when a character is outside the alphabet.</summary>
    public static byte[]? TryDecode(string token)
    {
        var bytes = new byte[token.Length];
        for (int i = 0; i < token.Length; i++)
        {
            int b = ToByte(token[i]);
            if (b < 0)
            {
                return null;
            }

            bytes[i] = (byte)b;
        }

        return bytes;
    }

    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        bool[] printable = new bool[256];
        for (int b = '!'; b <= '~'; b++)
        {
            printable[b] = true;
        }

        for (int b = 0xA1; b <= 0xAC; b++)
        {
            printable[b] = true;
        }

        for (int b = 0xAE; b <= 0xFF; b++)
        {
            printable[b] = true;
        }

        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            map[b] = printable[b] ? (char)b : (char)(256 + next++);
        }

        return map;
    }

    private static short[] BuildCharToByte()
    {
        var map = new short[256 + 68];
        Array.Fill(map, (short)-1);
        for (int b = 0; b < 256; b++)
        {
            map[ByteToChar[b]] = (short)b;
        }

        return map;
    }
}
