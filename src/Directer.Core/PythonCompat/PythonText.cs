namespace Directer.Core.PythonCompat;

/// <summary>Python string semantics the templates rely on (<c>str.strip()</c>, jinja's <c>trim</c>).</summary>
internal static class PythonText
{
    /// <summary>Python's <c>str.isspace</c> for one UTF-16 unit: .NET's white space plus the separators U+001C–U+001F.</summary>
    public static bool IsWhiteSpace(char c) => char.IsWhiteSpace(c) || (c >= '\u001c' && c <= '\u001f');

    /// <summary>The half-open bounds of <c>text.strip()</c> within <paramref name="text"/>.</summary>
    public static (int Start, int End) StripBounds(string text)
    {
        int start = 0;
        int end = text.Length;
        while (start < end && IsWhiteSpace(text[start]))
        {
            start++;
        }

        while (end > start && IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        return (start, end);
    }
}
