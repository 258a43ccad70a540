using Directer.Core.Steering;
using Directer.Core.Templates;

namespace Directer.Core.Emphasis;

/// <summary>Maps emphasised character ranges of a prompt to the token positions that cover them.</summary>
public static class EmphasisSpans
{
    /// <summary>The token spans (the steering layer's <see cref="TokenSpan"/>) covering <paramref name="ranges"/>: every token whose characters overlap emphasised
    /// text belongs to a span (a token straddling a range boundary included); zero-width tokens (BOS and other added
    /// special tokens) never do. Consecutive token positions are merged into one span.</summary>
    /// <param name="ranges">Half-open character ranges of the prompt, in any order, possibly overlapping.</param>
    /// <param name="tokenOffsets">For each token of the prompt, in order, its half-open UTF-16 character range.</param>
    /// <returns>Sorted, disjoint, non-adjacent half-open spans of token positions.</returns>
    public static IReadOnlyList<TokenSpan> ToTokenSpans(IReadOnlyList<CharRange> ranges, IReadOnlyList<(int Start, int End)> tokenOffsets)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        ArgumentNullException.ThrowIfNull(tokenOffsets);
        foreach (var range in ranges)
        {
            if (range.Start < 0 || range.End < range.Start)
            {
                throw new ArgumentException($"Invalid character range [{range.Start}, {range.End}).", nameof(ranges));
            }
        }

        var merged = EmphasisLocator.Merge(ranges);
        var spans = new List<TokenSpan>();
        for (int token = 0; token < tokenOffsets.Count; token++)
        {
            var (start, end) = tokenOffsets[token];
            if (start < 0 || end < start)
            {
                throw new ArgumentException($"Token {token} has an invalid character range [{start}, {end}).", nameof(tokenOffsets));
            }

            if (end == start || !Overlaps(merged, start, end))
            {
                continue;
            }

            if (spans.Count > 0 && spans[^1].End == token)
            {
                spans[^1] = new TokenSpan(spans[^1].Start, token + 1);
            }
            else
            {
                spans.Add(new TokenSpan(token, token + 1));
            }
        }

        return spans;
    }

    // merged is sorted and disjoint: find the last range starting before `end` and test it.
    private static bool Overlaps(IReadOnlyList<CharRange> merged, int start, int end)
    {
        int low = 0;
        int high = merged.Count - 1;
        int candidate = -1;
        while (low <= high)
        {
            int middle = (low + high) / 2;
            if (merged[middle].Start < end)
            {
                candidate = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return candidate >= 0 && merged[candidate].End > start;
    }
}
