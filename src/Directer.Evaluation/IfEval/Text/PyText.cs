using System.Globalization;
using System.Text;

namespace Directer.Evaluation.IfEval;

/// <summary>
/// Python 3 <c>str</c> semantics that IFEval's checkers rely on (<c>strip</c>, <c>split</c>, <c>isupper</c>, the
/// <c>re</c> module's <c>\w</c> and <c>\s</c>), so the C# checkers classify text the way the official code does.
/// </summary>
internal static class PyText
{
    /// <summary>Python's <c>\s</c> for <c>str</c> patterns: .NET's <c>\s</c> plus U+001C..U+001F, which Python counts as whitespace.</summary>
    public const string SpaceClass = @"[\s\x1c-\x1f]";

    /// <summary>Python's <c>\S</c>.</summary>
    public const string NonSpaceClass = @"[^\s\x1c-\x1f]";

    /// <summary>Python's <c>\w</c> for <c>str</c> patterns: letters, numbers (Nd, Nl, No) and underscore, but not the
    /// combining marks and connector punctuation that .NET's <c>\w</c> adds.</summary>
    public const string WordClass = @"[\p{L}\p{Nd}\p{Nl}\p{No}_]";

    /// <summary>Python's <c>\W</c>.</summary>
    public const string NonWordClass = @"[^\p{L}\p{Nd}\p{Nl}\p{No}_]";

    /// <summary>Python's <c>\b</c> (a boundary between a Python word character and anything else).</summary>
    public const string WordBoundary = @"(?:(?<=" + WordClass + @")(?!" + WordClass + @")|(?<!" + WordClass + @")(?=" + WordClass + @"))";

    /// <summary><c>str.isspace()</c> for one character.</summary>
    public static bool IsSpace(char c) => char.IsWhiteSpace(c) || (c >= '\x1c' && c <= '\x1f');

    /// <summary><c>str.strip()</c>.</summary>
    public static string Strip(string s)
    {
        int start = 0, end = s.Length;
        while (start < end && IsSpace(s[start])) start++;
        while (end > start && IsSpace(s[end - 1])) end--;
        return s[start..end];
    }

    /// <summary><c>str.rstrip()</c>.</summary>
    public static string RStrip(string s)
    {
        int end = s.Length;
        while (end > 0 && IsSpace(s[end - 1])) end--;
        return s[..end];
    }

    /// <summary>True when <c>s.strip()</c> is empty (Python's falsy <c>response.strip()</c>).</summary>
    public static bool IsBlank(string s)
    {
        foreach (var c in s)
        {
            if (!IsSpace(c)) return false;
        }
        return true;
    }

    /// <summary><c>str.split()</c> without arguments: runs of whitespace separate, no empty items.</summary>
    public static List<string> SplitWhitespace(string s)
    {
        var parts = new List<string>();
        int i = 0;
        while (i < s.Length)
        {
            while (i < s.Length && IsSpace(s[i])) i++;
            int start = i;
            while (i < s.Length && !IsSpace(s[i])) i++;
            if (i > start) parts.Add(s[start..i]);
        }
        return parts;
    }

    /// <summary>Python's <c>\w</c> for one code point.</summary>
    public static bool IsWordRune(Rune r)
    {
        if (r.Value == '_') return true;
        return Rune.GetUnicodeCategory(r) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
                or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => true,
            _ => false,
        };
    }

    /// <summary>Python's <c>[^\W\d]</c> for one code point: a word character that is not a decimal digit.</summary>
    public static bool IsAlphaWordRune(Rune r)
        => IsWordRune(r) && Rune.GetUnicodeCategory(r) != UnicodeCategory.DecimalDigitNumber;

    /// <summary>
    /// <c>str.isupper()</c>: at least one cased character and none lowercase or titlecase. Cased means the general
    /// categories Lu, Ll, Lt (Python also counts the few Other_Uppercase/Other_Lowercase symbols such as Ⓐ; ignored).
    /// </summary>
    public static bool IsUpper(string s)
    {
        bool cased = false;
        foreach (var r in s.EnumerateRunes())
        {
            var cat = Rune.GetUnicodeCategory(r);
            if (cat is UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter) return false;
            if (cat == UnicodeCategory.UppercaseLetter) cased = true;
        }
        return cased;
    }

    /// <summary><c>str.islower()</c>: at least one cased character and none uppercase or titlecase.</summary>
    public static bool IsLower(string s)
    {
        bool cased = false;
        foreach (var r in s.EnumerateRunes())
        {
            var cat = Rune.GetUnicodeCategory(r);
            if (cat is UnicodeCategory.UppercaseLetter or UnicodeCategory.TitlecaseLetter) return false;
            if (cat == UnicodeCategory.LowercaseLetter) cased = true;
        }
        return cased;
    }

    /// <summary><c>str.lower()</c> (invariant simple case mapping; Python's full mapping differs only for a handful of
    /// characters such as U+0130).</summary>
    public static string Lower(string s) => s.ToLowerInvariant();

    /// <summary>The first code point of <paramref name="s"/> (which must not be empty).</summary>
    public static Rune FirstRune(string s) => Rune.GetRuneAt(s, 0);
}
