using Directer.Core.Templates;

namespace Directer.Core.Emphasis;

/// <summary>Removes inline emphasis markers from a turn's content and records what they enclosed.</summary>
internal sealed class InlineEmphasisMarkers
{
    private readonly string open;
    private readonly string close;

    private InlineEmphasisMarkers(string open, string close)
    {
        this.open = open;
        this.close = close;
    }

    /// <summary>The request's markers, or null when inline emphasis is off (no request, or both markers null).</summary>
    public static InlineEmphasisMarkers? From(EmphasisRequest? request)
    {
        if (request is null || (request.InlineOpenMarker is null && request.InlineCloseMarker is null))
        {
            return null;
        }

        if (string.IsNullOrEmpty(request.InlineOpenMarker) || string.IsNullOrEmpty(request.InlineCloseMarker))
        {
            throw new ArgumentException("Inline emphasis needs both InlineOpenMarker and InlineCloseMarker (set both to null to turn it off).", nameof(request));
        }

        if (request.InlineOpenMarker == request.InlineCloseMarker)
        {
            throw new ArgumentException($"InlineOpenMarker and InlineCloseMarker must differ (both are '{request.InlineOpenMarker}').", nameof(request));
        }

        return new InlineEmphasisMarkers(request.InlineOpenMarker, request.InlineCloseMarker);
    }

    /// <summary>The content without markers, and the marked ranges in it. A closing marker with no opening marker is
    /// ordinary text; an opening marker without a closing one, or nested markers, are errors.</summary>
    public (string Content, IReadOnlyList<CharRange> Marked) Strip(string content, int turnIndex)
    {
        int first = content.IndexOf(open, StringComparison.Ordinal);
        if (first < 0)
        {
            return (content, []);
        }

        var text = new System.Text.StringBuilder(content.Length);
        var marked = new List<CharRange>();
        int position = 0;
        int at = first;
        while (at >= 0)
        {
            int end = content.IndexOf(close, at + open.Length, StringComparison.Ordinal);
            if (end < 0)
            {
                throw new ArgumentException($"Turn {turnIndex}: the inline emphasis marker '{open}' at character {at} has no closing '{close}' (set EmphasisRequest.InlineOpenMarker/InlineCloseMarker to other strings, or to null, if the content contains '{open}' literally).");
            }

            int nested = content.IndexOf(open, at + open.Length, end - at - open.Length, StringComparison.Ordinal);
            if (nested >= 0)
            {
                throw new ArgumentException($"Turn {turnIndex}: inline emphasis markers cannot nest ('{open}' at character {nested} is inside the one at {at}).");
            }

            text.Append(content, position, at - position);
            int start = text.Length;
            text.Append(content, at + open.Length, end - at - open.Length);
            if (text.Length > start)
            {
                marked.Add(new CharRange(start, text.Length));
            }

            position = end + close.Length;
            at = content.IndexOf(open, position, StringComparison.Ordinal);
        }

        text.Append(content, position, content.Length - position);
        return (text.ToString(), marked);
    }
}
