using System.Text;

namespace Directer.Core.Tokenization;

/// <summary>Finds invalid UTF-8 in files we parse: System.Text.Json accepts it inside strings and fails only when a
/// string is read, with an error that names neither the file nor the position.</summary>
internal static class Utf8Validation
{
    /// <summary>The byte offset of the first invalid UTF-8 sequence, or null when <paramref name="bytes"/> is valid.</summary>
    public static long? FindInvalid(ReadOnlySpan<byte> bytes)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return null;
        }

        long offset = 0;
        while (!bytes.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(bytes, out _, out int consumed) != System.Buffers.OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
            bytes = bytes[consumed..];
        }

        return null;
    }
}
