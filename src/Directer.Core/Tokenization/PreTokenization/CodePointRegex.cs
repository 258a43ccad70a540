using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Directer.Core.Tokenization.PreTokenization;

/// <summary>
/// Runs a .NET regex with code-point semantics like Oniguruma/Rust do: .NET matches UTF-16 units, so a
/// supplementary-plane letter (a surrogate pair) would not match <c>\p{L}</c>. Text containing surrogate pairs is
/// matched on a stand-in string where every supplementary code point is replaced by one BMP character of the same
/// Unicode general category, and the match ranges are mapped back.
/// </summary>
internal sealed class CodePointRegex
{
    private readonly Regex _regex;

    /// <summary>Wraps a translated regex.</summary>
    public CodePointRegex(Regex regex) => _regex = regex;

    /// <summary>
    /// Appends the [start, end) ranges (indices into <paramref name="text"/>) of all matches, empty ones included (a
    /// pattern that can match nothing, such as <c>x*</c> or <c>(?=b)</c>, splits the text where it does).
    /// </summary>
    public void Matches(string text, List<(int Start, int End)> output)
    {
        int surrogate = text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF');
        if (surrogate < 0)
        {
            foreach (ValueMatch m in _regex.EnumerateMatches(text))
            {
                output.Add((m.Index, m.Index + m.Length));
            }

            return;
        }

        // Stand-in text: one char per code point; map[i] = index in text of stand-in char i; map[^1] = text.Length.
        var standIn = new StringBuilder(text.Length);
        var map = new List<int>(text.Length + 1);
        for (int i = 0; i < text.Length;)
        {
            map.Add(i);
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                standIn.Append(StandIn(Rune.GetUnicodeCategory(new Rune(text[i], text[i + 1]))));
                i += 2;
            }
            else
            {
                standIn.Append(text[i]);
                i++;
            }
        }

        map.Add(text.Length);
        foreach (ValueMatch m in _regex.EnumerateMatches(standIn.ToString()))
        {
            output.Add((map[m.Index], map[m.Index + m.Length]));
        }
    }

    // BMP characters with the given general category; none is ASCII, whitespace or a case variant of ASCII.
    private static char StandIn(UnicodeCategory category) => category switch
    {
        UnicodeCategory.UppercaseLetter => '\u0391',
        UnicodeCategory.LowercaseLetter => '\u03B1',
        UnicodeCategory.TitlecaseLetter => '\u01C5',
        UnicodeCategory.ModifierLetter => '\u02B0',
        UnicodeCategory.OtherLetter => '\u05D0',
        UnicodeCategory.NonSpacingMark => '\u0300',
        UnicodeCategory.SpacingCombiningMark => '\u0903',
        UnicodeCategory.EnclosingMark => '\u20DD',
        UnicodeCategory.DecimalDigitNumber => '\u0660',
        UnicodeCategory.LetterNumber => '\u2160',
        UnicodeCategory.OtherNumber => '\u00B2',
        UnicodeCategory.ConnectorPunctuation => '\u203F',
        UnicodeCategory.DashPunctuation => '\u2010',
        UnicodeCategory.OpenPunctuation => '\u2045',
        UnicodeCategory.ClosePunctuation => '\u2046',
        UnicodeCategory.InitialQuotePunctuation => '\u00AB',
        UnicodeCategory.FinalQuotePunctuation => '\u00BB',
        UnicodeCategory.OtherPunctuation => '\u00B6',
        UnicodeCategory.MathSymbol => '\u00D7',
        UnicodeCategory.CurrencySymbol => '\u00A2',
        UnicodeCategory.ModifierSymbol => '\u02C2',
        UnicodeCategory.OtherSymbol => '\u00A6',
        UnicodeCategory.Format => '\u00AD',
        UnicodeCategory.PrivateUse => '\uE000',
        _ => '\u0378', // unassigned
    };
}
