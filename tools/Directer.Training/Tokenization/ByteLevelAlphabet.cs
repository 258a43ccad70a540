using System.Text;

namespace Directer.Training.Tokenization;

/// <summary>
/// GPT-2's reversible byte ↔ printable-character mapping used by byte-level BPE (the "ByteLevel"
/// pre-tokenizer and decoder of Hugging Face tokenizers): printable Latin-1 bytes map to themselves,
/// the other 68 bytes to U+0100 onwards in byte order.
/// </summary>
internal static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = BuildTable();
    private static readonly Dictionary<char, byte> CharToByte = ByteToChar.Select((c, b) => (c, b)).ToDictionary(p => p.c, p => (byte)p.b);

    /// <summary>The character standing for byte <paramref name="b"/>.</summary>
    public static char Char(byte b) => ByteToChar[b];

    /// <summary>Maps UTF-8 bytes of <paramref name="text"/> to byte-level characters.</summary>
    public static string Encode(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            chars[i] = ByteToChar[bytes[i]];
        }

        return new string(chars);
    }

    /// <summary>Appends the bytes a byte-level token string stands for.</summary>
    /// <exception cref="ArgumentException">The string has a character outside the byte-level alphabet.</exception>
    public static void AppendBytes(string token, List<byte> bytes)
    {
        foreach (char c in token)
        {
            if (!CharToByte.TryGetValue(c, out byte b))
            {
                throw new ArgumentException($"Token '{token}' has character U+{(int)c:X4}, which is not in the byte-level alphabet.");
            }

            bytes.Add(b);
        }
    }

    private static char[] BuildTable()
    {
        var table = new char[256];
        var direct = new bool[256];
        for (int b = '!'; b <= '~'; b++)
        {
            direct[b] = true;
        }

        for (int b = 0xA1; b <= 0xAC; b++)
        {
            direct[b] = true;
        }

        for (int b = 0xAE; b <= 0xFF; b++)
        {
            direct[b] = true;
        }

        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            table[b] = direct[b] ? (char)b : (char)(256 + next++);
        }

        return table;
    }
}
