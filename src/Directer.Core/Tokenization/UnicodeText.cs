namespace Directer.Core.Tokenization;

/// <summary>Checks that text is well-formed UTF-16 (so that it has a UTF-8 encoding).</summary>
internal static class UnicodeText
{
    /// <summary>The index of the first unpaired surrogate in <paramref name="text"/>, or null when there is none.</summary>
    public static int? FindLoneSurrogate(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return i;
            }
        }

        return null;
    }
}
