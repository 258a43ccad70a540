using System.Text;

namespace Directer.Core.Tokenization;

/// <summary>
/// Finds added tokens in text the way Hugging Face <c>tokenizers</c> does: leftmost-longest matches, a match that
/// violates <c>single_word</c> is discarded (and its characters are not searched again), <c>lstrip</c>/<c>rstrip</c>
/// extend the match over adjacent whitespace.
/// </summary>
internal sealed class AddedVocabulary
{
    private readonly Dictionary<char, AddedToken[]> _byFirstChar;

    /// <summary>Creates a matcher over <paramref name="tokens"/> (content must be non-empty).</summary>
    /// <param name="tokens">Tokens to match.</param>
    /// <param name="matchContent">The string each token is matched as (its content, or its normalized content).</param>
    public AddedVocabulary(IEnumerable<AddedToken> tokens, Func<AddedToken, string> matchContent)
    {
        var groups = new Dictionary<char, List<(AddedToken Token, string Text)>>();
        foreach (AddedToken token in tokens)
        {
            string text = matchContent(token);
            if (text.Length == 0)
            {
                continue;
            }

            if (!groups.TryGetValue(text[0], out var list))
            {
                groups[text[0]] = list = [];
            }

            list.Add((token, text));
        }

        _byFirstChar = [];
        _matchText = [];
        foreach (var (first, list) in groups)
        {
            // Longest first so that the first hit at a position is the leftmost-longest match.
            list.Sort((a, b) => b.Text.Length != a.Text.Length ? b.Text.Length.CompareTo(a.Text.Length) : string.CompareOrdinal(a.Text, b.Text));
            _byFirstChar[first] = list.Select(x => x.Token).ToArray();
            foreach (var (token, text) in list)
            {
                _matchText[token] = text;
            }
        }
    }

    private readonly Dictionary<AddedToken, string> _matchText;

    /// <summary>Whether there is anything to match.</summary>
    public bool IsEmpty => _byFirstChar.Count == 0;

    /// <summary>
    /// Splits <c>text[start..end)</c> into plain runs (Token null) and added-token matches; ranges are absolute
    /// indices into <paramref name="text"/> and cover the whole range without gaps. A control token (see
    /// <see cref="IsControl"/>) whose characters overlap one of <paramref name="literal"/> (sorted, disjoint) is not
    /// matched there: those characters are data, and stay text.
    /// </summary>
    public void Split(string text, int start, int end, List<(int Start, int End, AddedToken? Token)> output, IReadOnlyList<Templates.CharRange>? literal = null)
    {
        int plainStart = start;
        int pos = start;
        while (pos < end)
        {
            AddedToken? hit = FindAt(text, pos, end, literal);
            if (hit is null)
            {
                pos++;
                continue;
            }

            int matchStart = pos;
            int matchEnd = pos + _matchText[hit].Length;
            if (hit.SingleWord && (EndsWithWordChar(text, start, matchStart) || StartsWithWordChar(text, matchEnd, end)))
            {
                pos = matchEnd;
                continue;
            }

            if (hit.LStrip)
            {
                while (matchStart > plainStart && IsWhiteSpaceBefore(text, matchStart, out int width))
                {
                    matchStart -= width;
                }
            }

            if (hit.RStrip)
            {
                while (matchEnd < end && IsWhiteSpaceAt(text, matchEnd, end, out int width))
                {
                    matchEnd += width;
                }
            }

            if (matchStart > plainStart)
            {
                output.Add((plainStart, matchStart, null));
            }

            output.Add((matchStart, matchEnd, hit));
            plainStart = pos = matchEnd;
        }

        if (plainStart < end)
        {
            output.Add((plainStart, end, null));
        }
    }

    /// <summary>
    /// Whether <paramref name="token"/> is markup that data must never produce: a special token, or a non-special one
    /// matched on raw text (<c>normalized: false</c>, such as Qwen's <c>&lt;tool_call&gt;</c>). Added tokens matched on
    /// normalized text are vocabulary additions (words, runs of spaces) and are matched everywhere, as Hugging Face does.
    /// </summary>
    public static bool IsControl(AddedToken token) => token.Special || !token.Normalized;

    private AddedToken? FindAt(string text, int pos, int end, IReadOnlyList<Templates.CharRange>? literal)
    {
        if (!_byFirstChar.TryGetValue(text[pos], out AddedToken[]? candidates))
        {
            return null;
        }

        foreach (AddedToken candidate in candidates)
        {
            string s = _matchText[candidate];
            if (s.Length <= end - pos && string.CompareOrdinal(text, pos, s, 0, s.Length) == 0
                && !(literal is not null && IsControl(candidate) && Overlaps(literal, pos, pos + s.Length)))
            {
                return candidate;
            }
        }

        return null;
    }

    private static bool Overlaps(IReadOnlyList<Templates.CharRange> ranges, int start, int end)
    {
        // First range that ends after start; it overlaps when it begins before end.
        int lo = 0;
        int hi = ranges.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (ranges[mid].End <= start)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo < ranges.Count && ranges[lo].Start < end;
    }

    private static bool IsWhiteSpaceBefore(string text, int index, out int width)
    {
        width = 1;
        char c = text[index - 1];
        return char.IsWhiteSpace(c); // no supplementary-plane whitespace exists
    }

    private static bool IsWhiteSpaceAt(string text, int index, int end, out int width)
    {
        width = 1;
        return index < end && char.IsWhiteSpace(text[index]);
    }

    // Hugging Face uses the regex \w (Unicode: letters, marks, decimal digits, connector punctuation).
    private static bool IsWordRune(Rune r)
    {
        var category = Rune.GetUnicodeCategory(r);
        return Rune.IsLetter(r) || category is System.Globalization.UnicodeCategory.DecimalDigitNumber
            or System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.SpacingCombiningMark
            or System.Globalization.UnicodeCategory.EnclosingMark or System.Globalization.UnicodeCategory.ConnectorPunctuation;
    }

    private static bool EndsWithWordChar(string text, int start, int index) =>
        index > start && Rune.DecodeLastFromUtf16(text.AsSpan(start, index - start), out Rune r, out _) == System.Buffers.OperationStatus.Done && IsWordRune(r);

    private static bool StartsWithWordChar(string text, int index, int end) =>
        index < end && Rune.DecodeFromUtf16(text.AsSpan(index, end - index), out Rune r, out _) == System.Buffers.OperationStatus.Done && IsWordRune(r);
}
