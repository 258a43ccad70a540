using System.Text;

namespace Directer.Core.Templates.Jinja;

/// <summary>The text being rendered (one <see cref="StringBuilder"/>) and the runs of it that are message content.</summary>
internal sealed class JinjaOutput
{
    private readonly StringBuilder text = new();
    private readonly List<ContentRun> runs = [];

    /// <summary>The content runs, in output order.</summary>
    public IReadOnlyList<ContentRun> Runs => runs;

    /// <summary>The number of characters written.</summary>
    public int Length => text.Length;

    /// <summary>Appends template text.</summary>
    public void Append(string value) => text.Append(value);

    /// <summary>Appends a value as <c>{{ value }}</c> prints it.</summary>
    public void Write(object? value)
    {
        switch (value)
        {
            case string s:
                text.Append(s);
                break;
            case TrackedString t:
                int at = text.Length;
                foreach (var run in t.Runs)
                {
                    runs.Add(run with { Offset = run.Offset + at });
                }

                text.Append(t.Text);
                break;
            default:
                text.Append(JinjaValues.ToStr(value));
                break;
        }
    }

    /// <summary>The captured text as a value (tracked when it holds content), for macros and block sets.</summary>
    public object ToValue() => runs.Count == 0 ? text.ToString() : new TrackedString(text.ToString(), runs.ToArray());

    /// <inheritdoc />
    public override string ToString() => text.ToString();
}
