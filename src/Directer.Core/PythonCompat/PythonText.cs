namespace Directer.Core.PythonCompat;

/// <summary>Python string semantics the templates rely on (<c>str.strip()</c>, jinja's <c>trim</c>, <c>str.splitlines()</c>).</summary>
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

    /// <summary>Python's <c>str.splitlines()</c> boundaries: \n, \r, \r\n, \v, \f, \x1c-\x1e, \x85, U+2028, U+2029.
    /// Each line's start, the end of its text and the end after its line break.</summary>
    public static List<(int Start, int ContentEnd, int End)> SplitLines(string s)
    {
        var lines = new List<(int, int, int)>();
        int start = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c is '\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029')
            {
                int end = c == '\r' && i + 1 < s.Length && s[i + 1] == '\n' ? i + 2 : i + 1;
                lines.Add((start, i, end));
                start = end;
                i = end - 1;
            }
        }

        if (start < s.Length)
        {
            lines.Add((start, s.Length, s.Length));
        }

        return lines;
    }
}
