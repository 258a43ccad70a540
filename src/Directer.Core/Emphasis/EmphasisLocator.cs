using Directer.Core.Templates;
using Directer.Core.Chat;
using Directer.Core.Tokenization;

namespace Directer.Core.Emphasis;

/// <summary>Turns an <see cref="EmphasisRequest"/> into character ranges of a rendered prompt, searching only the
/// runs of the prompt that are copies of message content.</summary>
internal static class EmphasisLocator
{
    /// <summary>The sorted, merged ranges of the prompt to emphasise.</summary>
    /// <exception cref="EmphasisNotFoundException">Some requested emphasis is not in the prompt (unless ignored).</exception>
    public static IReadOnlyList<CharRange> Locate(
        EmphasisRequest request, IReadOnlyList<PreparedTurn> turns, IReadOnlyList<ContentSegment> segments, string templateName) =>
        Locate(request, turns, segments, templateName, out _);

    /// <summary>The sorted, merged ranges of the prompt to emphasise; <paramref name="systemMessageNotRendered"/> tells
    /// that <see cref="EmphasisRequest.SystemMessageIfRendered"/> found a system turn of which the template rendered nothing.</summary>
    /// <exception cref="EmphasisNotFoundException">Some requested emphasis is not in the prompt (unless ignored).</exception>
    public static IReadOnlyList<CharRange> Locate(
        EmphasisRequest request, IReadOnlyList<PreparedTurn> turns, IReadOnlyList<ContentSegment> segments, string templateName, out bool systemMessageNotRendered)
    {
        systemMessageNotRendered = false;
        var ranges = new List<CharRange>();
        var texts = request.Texts ?? throw new ArgumentException("EmphasisRequest.Texts is null.", nameof(request));
        for (int index = 0; index < texts.Count; index++)
        {
            string text = texts[index];
            if (string.IsNullOrEmpty(text))
            {
                throw new ArgumentException($"EmphasisRequest.Texts[{index}] is {(text is null ? "null" : "an empty string")}: an emphasis string needs at least one character (of {texts.Count} strings).", nameof(request));
            }

            if (UnicodeText.FindLoneSurrogate(text) is int bad)
            {
                throw new ArgumentException($"EmphasisRequest.Texts[{index}] has a lone surrogate U+{(int)text[bad]:X4} at character {bad}: text must be valid Unicode.", nameof(request));
            }

            int before = ranges.Count;
            foreach (var segment in segments)
            {
                string content = turns[segment.TurnIndex].Content;
                int limit = segment.ContentStart + segment.Length;
                int at = content.IndexOf(text, segment.ContentStart, segment.Length, StringComparison.Ordinal);
                while (at >= 0 && at + text.Length <= limit)
                {
                    int start = segment.OutputStart + (at - segment.ContentStart);
                    ranges.Add(new CharRange(start, start + text.Length));
                    if (at + 1 >= limit)
                    {
                        break;
                    }

                    at = content.IndexOf(text, at + 1, limit - at - 1, StringComparison.Ordinal);
                }
            }

            if (ranges.Count == before && !request.IgnoreNotFound)
            {
                bool inContent = turns.Any(t => t.Content.Contains(text, StringComparison.Ordinal));
                string why = inContent
                    ? $"it occurs in a turn's content, but not in what the {templateName} template renders of it (the template trims, escapes or drops that part)"
                    : "no turn's content contains it (matching is ordinal and case-sensitive; template scaffolding is not searched)";
                throw new EmphasisNotFoundException(text, $"Emphasised text \"{Shorten(text)}\" was not found in the rendered prompt: {why}.");
            }
        }

        if (request.SystemMessage || request.SystemMessageIfRendered)
        {
            int before = ranges.Count;
            bool anySystem = false;
            foreach (var turn in turns.Where(t => t.Role == ChatRole.System))
            {
                anySystem = true;
                foreach (var segment in segments.Where(s => s.TurnIndex == turn.Index))
                {
                    ranges.Add(new CharRange(segment.OutputStart, segment.OutputStart + segment.Length));
                }
            }

            if (ranges.Count == before && !request.SystemMessage && anySystem)
            {
                // The implicit default: the template shows no system message in this prompt, so nothing is steered for it.
                systemMessageNotRendered = true;
            }
            else if (ranges.Count == before && !request.IgnoreNotFound && request.SystemMessage)
            {
                string why = anySystem
                    ? $"the {templateName} template renders nothing of the system turn's content (it is empty, or the template drops it for this conversation)"
                    : "the conversation has no system turn";
                throw new EmphasisNotFoundException("(system message)", $"The system message cannot be emphasised: {why}.");
            }
        }

        foreach (var turn in turns)
        {
            foreach (var marked in turn.Marked)
            {
                bool found = false;
                foreach (var segment in segments.Where(s => s.TurnIndex == turn.Index))
                {
                    int from = Math.Max(marked.Start, segment.ContentStart);
                    int to = Math.Min(marked.End, segment.ContentStart + segment.Length);
                    if (to > from)
                    {
                        int shift = segment.OutputStart - segment.ContentStart;
                        ranges.Add(new CharRange(from + shift, to + shift));
                        found = true;
                    }
                }

                if (!found && !request.IgnoreNotFound)
                {
                    string text = turn.Content.Substring(marked.Start, marked.Length);
                    throw new EmphasisNotFoundException(text, $"Inline-emphasised text \"{Shorten(text)}\" of turn {turn.Index} ({turn.Role}) is not in the prompt: the {templateName} template does not render that part of the turn.");
                }
            }
        }

        return Merge(ranges);
    }

    /// <summary>Sorts ranges and merges overlapping or touching ones; drops empty ranges.</summary>
    public static IReadOnlyList<CharRange> Merge(IEnumerable<CharRange> ranges)
    {
        var sorted = ranges.Where(r => r.End > r.Start).OrderBy(r => r.Start).ThenBy(r => r.End).ToList();
        var merged = new List<CharRange>(sorted.Count);
        foreach (var range in sorted)
        {
            if (merged.Count > 0 && range.Start <= merged[^1].End)
            {
                merged[^1] = new CharRange(merged[^1].Start, Math.Max(merged[^1].End, range.End));
            }
            else
            {
                merged.Add(range);
            }
        }

        return merged;
    }

    private static string Shorten(string text) => text.Length > 80 ? text[..80] + "…" : text;
}
