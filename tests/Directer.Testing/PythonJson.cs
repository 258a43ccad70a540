using System.Collections;
using System.Globalization;
using System.Text;

namespace Directer.Testing;

/// <summary>
/// Serialises values the way transformers writes config.json: Python's <c>json.dumps(value, indent=2,
/// sort_keys=True)</c> plus a trailing newline (floats as Python's <c>repr</c>, e.g. <c>1e-06</c>, <c>10000.0</c>).
/// </summary>
public static class PythonJson
{
    /// <summary>Serialises dictionaries (string keys), lists, strings, booleans, integers, doubles and null.</summary>
    /// <param name="value">The value.</param>
    public static string Serialize(object? value)
    {
        var builder = new StringBuilder();
        Write(builder, value, 0);
        builder.Append('\n');
        return builder.ToString();
    }

    /// <summary>Python's <c>repr</c> of a float.</summary>
    /// <param name="value">A finite double.</param>
    public static string FormatFloat(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "JSON has no representation for non-finite numbers.");
        }

        if (value == Math.Floor(value) && Math.Abs(value) < 1e16)
        {
            return value.ToString("0", CultureInfo.InvariantCulture) + ".0";
        }

        return value.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal);
    }

    private static void Write(StringBuilder builder, object? value, int depth)
    {
        switch (value)
        {
            case null:
                builder.Append("null");
                break;
            case bool b:
                builder.Append(b ? "true" : "false");
                break;
            case string s:
                WriteString(builder, s);
                break;
            case int or long or uint or ulong or short:
                builder.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
            case double d:
                builder.Append(FormatFloat(d));
                break;
            case float f:
                builder.Append(FormatFloat(f));
                break;
            case IDictionary dictionary:
                WriteObject(builder, dictionary, depth);
                break;
            case IEnumerable list:
                WriteList(builder, list.Cast<object?>().ToList(), depth);
                break;
            default:
                throw new ArgumentException($"Cannot serialise {value.GetType()}.", nameof(value));
        }
    }

    private static void WriteObject(StringBuilder builder, IDictionary dictionary, int depth)
    {
        if (dictionary.Count == 0)
        {
            builder.Append("{}");
            return;
        }

        var keys = dictionary.Keys.Cast<string>().Order(StringComparer.Ordinal).ToList();
        builder.Append("{\n");
        for (int i = 0; i < keys.Count; i++)
        {
            builder.Append(' ', 2 * (depth + 1));
            WriteString(builder, keys[i]);
            builder.Append(": ");
            Write(builder, dictionary[keys[i]], depth + 1);
            builder.Append(i + 1 < keys.Count ? ",\n" : "\n");
        }

        builder.Append(' ', 2 * depth).Append('}');
    }

    private static void WriteList(StringBuilder builder, List<object?> items, int depth)
    {
        if (items.Count == 0)
        {
            builder.Append("[]");
            return;
        }

        builder.Append("[\n");
        for (int i = 0; i < items.Count; i++)
        {
            builder.Append(' ', 2 * (depth + 1));
            Write(builder, items[i], depth + 1);
            builder.Append(i + 1 < items.Count ? ",\n" : "\n");
        }

        builder.Append(' ', 2 * depth).Append(']');
    }

    private static void WriteString(StringBuilder builder, string s)
    {
        builder.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (c < 0x20 || c > 0x7e)
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }
}
