using System.Text;
using Directer.Core.PythonCompat;

namespace Directer.Core.Templates;

/// <summary>Accumulates a rendered prompt and remembers which parts of it are copies of message content, so that
/// emphasis can be located in content only, never in template scaffolding.</summary>
internal sealed class PromptBuilder
{
    private readonly StringBuilder text = new();
    private readonly List<ContentSegment> segments = [];

    /// <summary>The content runs written so far, in output order.</summary>
    public IReadOnlyList<ContentSegment> Segments => segments;

    /// <summary>Appends template scaffolding.</summary>
    public void Text(string scaffold) => text.Append(scaffold);

    /// <summary>Appends a turn's whole content.</summary>
    public void Content(PreparedTurn turn) => Content(turn, 0, turn.Content.Length);

    /// <summary>Appends <paramref name="length"/> characters of a turn's content from <paramref name="start"/>.</summary>
    public void Content(PreparedTurn turn, int start, int length)
    {
        if (length <= 0)
        {
            return;
        }

        segments.Add(new ContentSegment(turn.Index, start, text.Length, length));
        text.Append(turn.Content, start, length);
    }

    /// <summary>Appends a turn's content with Python's <c>str.strip()</c> applied (jinja's <c>trim</c>).</summary>
    public void StrippedContent(PreparedTurn turn)
    {
        var (start, end) = PythonText.StripBounds(turn.Content);
        Content(turn, start, end - start);
    }

    /// <summary>Appends the concatenation of <paramref name="pieces"/> with Python's <c>str.strip()</c> applied to
    /// the whole (as in <c>('&lt;&lt;SYS&gt;&gt;\n' + system + ... + user).strip()</c>).</summary>
    public void StrippedConcatenation(params ReadOnlySpan<PromptPiece> pieces)
    {
        var whole = new StringBuilder();
        foreach (var piece in pieces)
        {
            whole.Append(piece.Text);
        }

        var (start, end) = PythonText.StripBounds(whole.ToString());
        int offset = 0;
        foreach (var piece in pieces)
        {
            int from = Math.Max(start, offset) - offset;
            int to = Math.Min(end, offset + piece.Text.Length) - offset;
            if (to > from)
            {
                if (piece.Turn is { } turn)
                {
                    Content(turn, from, to - from);
                }
                else
                {
                    text.Append(piece.Text, from, to - from);
                }
            }

            offset += piece.Text.Length;
        }
    }

    /// <summary>Appends a turn's content as a JSON string (<c>content | tojson</c>): the characters json.dumps escapes
    /// become scaffolding, the runs it keeps stay content.</summary>
    public void JsonStringContent(PreparedTurn turn)
    {
        text.Append('"');
        string content = turn.Content;
        int runStart = 0;
        for (int i = 0; i < content.Length; i++)
        {
            string? escape = PythonJson.Escape(content[i]);
            if (escape is not null)
            {
                Content(turn, runStart, i - runStart);
                text.Append(escape);
                runStart = i + 1;
            }
        }

        Content(turn, runStart, content.Length - runStart);
        text.Append('"');
    }

    /// <summary>The prompt so far.</summary>
    public override string ToString() => text.ToString();
}
