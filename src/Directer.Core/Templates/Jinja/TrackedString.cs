namespace Directer.Core.Templates.Jinja;

/// <summary>A run of a string that is a verbatim copy of message content: characters
/// <c>[ContentStart, ContentStart + Length)</c> of message <c>Source</c>'s content sit at
/// <c>[Offset, Offset + Length)</c> of the string.</summary>
internal readonly record struct ContentRun(int Source, int ContentStart, int Offset, int Length);

/// <summary>A string value that remembers which of its characters are copies of message content, so that
/// concatenation, slicing, stripping and splitting keep that knowledge until the text reaches the output. Every
/// other operation treats it as a plain string (and produces plain strings).</summary>
internal sealed class TrackedString
{
    /// <summary>Creates a tracked string.</summary>
    public TrackedString(string text, ContentRun[] runs)
    {
        Text = text;
        Runs = runs;
    }

    /// <summary>The characters.</summary>
    public string Text { get; }

    /// <summary>The content runs, in order, non-overlapping.</summary>
    public ContentRun[] Runs { get; }

    /// <summary>The <see cref="ContentRun.Source"/> of conversation data that is not a turn's content (tool names,
    /// schemas, call ids, arguments): tracked so that its control-token strings stay text, but never emphasised.</summary>
    public const int DataSource = -1;

    /// <summary>A whole piece of conversation data other than a turn's content (see <see cref="DataSource"/>).</summary>
    public static object Data(string text) => text.Length == 0 ? text : Content(text, DataSource);

    /// <summary>A whole message content.</summary>
    public static TrackedString Content(string content, int source) =>
        new(content, content.Length == 0 ? [] : [new ContentRun(source, 0, 0, content.Length)]);

    /// <summary>Characters <c>[start, start + length)</c>, keeping the runs inside them.</summary>
    public object Slice(int start, int length)
    {
        if (start == 0 && length == Text.Length)
        {
            return this;
        }

        string text = Text.Substring(start, length);
        List<ContentRun>? runs = null;
        int end = start + length;
        foreach (var run in Runs)
        {
            int from = Math.Max(start, run.Offset);
            int to = Math.Min(end, run.Offset + run.Length);
            if (to > from)
            {
                (runs ??= []).Add(new ContentRun(run.Source, run.ContentStart + (from - run.Offset), from - start, to - from));
            }
        }

        return runs is null ? text : new TrackedString(text, runs.ToArray());
    }

    /// <summary><c>a + b</c> of two strings, either of which may be tracked.</summary>
    public static object Concat(object left, object right)
    {
        string l = left is TrackedString tl ? tl.Text : (string)left;
        string r = right is TrackedString tr ? tr.Text : (string)right;
        if (left is not TrackedString && right is not TrackedString)
        {
            return string.Concat(l, r);
        }

        var runs = new List<ContentRun>();
        if (left is TrackedString a)
        {
            runs.AddRange(a.Runs);
        }

        if (right is TrackedString b)
        {
            foreach (var run in b.Runs)
            {
                runs.Add(run with { Offset = run.Offset + l.Length });
            }
        }

        return new TrackedString(string.Concat(l, r), runs.ToArray());
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}
