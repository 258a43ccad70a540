using System.Text;
using Directer.Core.PythonCompat;

namespace Directer.Core.Templates;

/// <summary>Accumulates a rendered prompt and remembers which parts of it are copies of message content, so that
/// emphasis can be located in content only, never in template scaffolding, and which parts are conversation data
/// (content, tool names, arguments, schemas, ids), so that the tokenizer reads control tokens only in the template's
/// own markup.</summary>
internal sealed class PromptBuilder
{
    private readonly StringBuilder text = new();
    private readonly List<ContentSegment> segments = [];
    private readonly List<CharRange> literal = [];

    /// <summary>The content runs written so far, in output order.</summary>
    public IReadOnlyList<ContentSegment> Segments => segments;

    /// <summary>Sorted, merged ranges of the output that are conversation data: a tokenizer must read them as text,
    /// never as control tokens.</summary>
    public IReadOnlyList<CharRange> LiteralRanges => literal;

    /// <summary>Appends template scaffolding (the template's own markup: it may contain control tokens).</summary>
    public void Text(string scaffold) => text.Append(scaffold);

    /// <summary>Appends conversation data that sits in scaffolding (a tool name, schema, call id or arguments): text
    /// that is not emphasised and whose control-token look-alikes stay text unless <paramref name="trusted"/>.</summary>
    public void Data(string data, bool trusted = false)
    {
        if (!trusted)
        {
            MarkLiteral(text.Length, data.Length);
        }

        text.Append(data);
    }

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
        if (!turn.AllowControlTokens)
        {
            MarkLiteral(text.Length, length);
        }

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
                Data(escape, turn.AllowControlTokens);
                runStart = i + 1;
            }
        }

        Content(turn, runStart, content.Length - runStart);
        text.Append('"');
    }

    private void MarkLiteral(int start, int length)
    {
        if (length <= 0)
        {
            return;
        }

        if (literal.Count > 0 && literal[^1].End == start)
        {
            literal[^1] = new CharRange(literal[^1].Start, start + length);
        }
        else
        {
            literal.Add(new CharRange(start, start + length));
        }
    }

    /// <summary>The prompt so far.</summary>
    public override string ToString() => text.ToString();
}
