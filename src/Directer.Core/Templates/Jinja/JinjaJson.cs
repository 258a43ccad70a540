using System.Globalization;
using System.Numerics;
using System.Text;
using Directer.Core.PythonCompat;

namespace Directer.Core.Templates.Jinja;

/// <summary>transformers' <c>tojson</c> filter: <c>json.dumps(value, ensure_ascii=False, indent=..., separators=...,
/// sort_keys=...)</c>, with Python's separators, number formatting and string escaping.</summary>
internal static class JinjaJson
{
    /// <summary>Options of one call.</summary>
    internal readonly record struct Options(string? Indent, string ItemSeparator, string KeySeparator, bool SortKeys, bool EnsureAscii);

    /// <summary>Serialises a runtime value.</summary>
    public static object Dumps(object? value, Options options, int line)
    {
        var text = new StringBuilder();
        List<ContentRun>? runs = null;
        Write(text, value, options, 0, line, ref runs);
        return runs is null ? text.ToString() : new TrackedString(text.ToString(), runs.ToArray());
    }

    private static void Write(StringBuilder text, object? value, Options options, int level, int line, ref List<ContentRun>? runs)
    {
        switch (value)
        {
            case null:
                text.Append("null");
                return;
            case bool b:
                text.Append(b ? "true" : "false");
                return;
            case long l:
                text.Append(l.ToString(CultureInfo.InvariantCulture));
                return;
            case BigInteger i:
                text.Append(i.ToString(CultureInfo.InvariantCulture));
                return;
            case double d:
                text.Append(PythonFloat.Repr(d));
                return;
            case TrackedString tracked:
                WriteTracked(text, tracked, options.EnsureAscii, ref runs);
                return;
            case string s:
                WriteString(text, s, options.EnsureAscii);
                return;
            case IList<object?> list:
                if (list.Count == 0)
                {
                    text.Append("[]");
                    return;
                }

                text.Append('[');
                for (int i = 0; i < list.Count; i++)
                {
                    Separator(text, i, options, level + 1);
                    Write(text, list[i], options, level + 1, line, ref runs);
                }

                Close(text, options, level);
                text.Append(']');
                return;
            case JinjaDict dict:
                if (dict.Count == 0)
                {
                    text.Append("{}");
                    return;
                }

                IEnumerable<KeyValuePair<object, object?>> entries = dict.Entries;
                if (options.SortKeys)
                {
                    entries = dict.Entries.OrderBy(e => e.Key, Comparer<object>.Create((a, b) => JinjaValues.Compare(a, b, line)));
                }

                text.Append('{');
                int n = 0;
                foreach (var entry in entries)
                {
                    Separator(text, n++, options, level + 1);
                    string key = KeyText(entry.Key, line);
                    if (dict.KeysAreData && key.Length > 0)
                    {
                        WriteTracked(text, TrackedString.Content(key, TrackedString.DataSource), options.EnsureAscii, ref runs);
                    }
                    else
                    {
                        WriteString(text, key, options.EnsureAscii);
                    }

                    text.Append(options.KeySeparator);
                    Write(text, entry.Value, options, level + 1, line, ref runs);
                }

                Close(text, options, level);
                text.Append('}');
                return;
            default:
                throw JinjaErrors.Runtime(line, $"Object of type {JinjaValues.TypeName(value)} is not JSON serializable.");
        }
    }

    private static string KeyText(object key, int line) => key switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        long or BigInteger => JinjaValues.ToStr(key),
        double d => PythonFloat.Repr(d),
        _ => throw JinjaErrors.Runtime(line, $"keys must be str, int, float, bool or None, not {JinjaValues.TypeName(key)}."),
    };

    private static void Separator(StringBuilder text, int index, Options options, int level)
    {
        if (index > 0)
        {
            text.Append(options.ItemSeparator);
        }

        if (options.Indent is { } indent)
        {
            text.Append('\n');
            for (int i = 0; i < level; i++)
            {
                text.Append(indent);
            }
        }
    }

    private static void Close(StringBuilder text, Options options, int level)
    {
        if (options.Indent is { } indent)
        {
            text.Append('\n');
            for (int i = 0; i < level; i++)
            {
                text.Append(indent);
            }
        }
    }

    /// <summary>A tracked string as a JSON literal: the characters written as they are stay content, escapes become markup.</summary>
    private static void WriteTracked(StringBuilder text, TrackedString value, bool ensureAscii, ref List<ContentRun>? runs)
    {
        text.Append('"');
        string s = value.Text;
        int runIndex = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            string? escape = PythonJson.Escape(c) ?? (ensureAscii && c > '~' ? "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture) : null);
            if (escape is not null)
            {
                text.Append(escape);
                continue;
            }

            while (runIndex < value.Runs.Length && value.Runs[runIndex].Offset + value.Runs[runIndex].Length <= i)
            {
                runIndex++;
            }

            if (runIndex < value.Runs.Length && value.Runs[runIndex].Offset <= i)
            {
                var run = value.Runs[runIndex];
                int contentAt = run.ContentStart + (i - run.Offset);
                runs ??= [];
                if (runs.Count > 0 && runs[^1] is var last && last.Source == run.Source
                    && last.Offset + last.Length == text.Length && last.ContentStart + last.Length == contentAt)
                {
                    runs[^1] = last with { Length = last.Length + 1 };
                }
                else
                {
                    runs.Add(new ContentRun(run.Source, contentAt, text.Length, 1));
                }
            }

            text.Append(c);
        }

        text.Append('"');
    }

    /// <summary>A JSON string literal as json.dumps writes it.</summary>
    public static void WriteString(StringBuilder text, string value, bool ensureAscii)
    {
        text.Append('"');
        foreach (char c in value)
        {
            string? escape = PythonJson.Escape(c);
            if (escape is not null)
            {
                text.Append(escape);
            }
            else if (ensureAscii && c > '~')
            {
                text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                text.Append(c);
            }
        }

        text.Append('"');
    }
}
