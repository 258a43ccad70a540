using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Directer.Training.Data;

/// <summary>
/// Serialises JSON exactly as Python's <c>json.dumps(x, ensure_ascii=False)</c> does, which is what the
/// <c>tojson</c> filter of Hugging Face chat templates produces: ", " and ": " separators, key order kept,
/// non-ASCII characters written as is, floats in Python's repr form.
/// </summary>
internal static class PyJson
{
    public static string Dumps(JsonNode? node)
    {
        var sb = new StringBuilder();
        Write(sb, node);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, JsonNode? node)
    {
        switch (node)
        {
            case null:
                sb.Append("null");
                break;
            case JsonObject obj:
                sb.Append('{');
                bool first = true;
                foreach (var (key, value) in obj)
                {
                    if (!first)
                    {
                        sb.Append(", ");
                    }

                    first = false;
                    WriteString(sb, key);
                    sb.Append(": ");
                    Write(sb, value);
                }

                sb.Append('}');
                break;
            case JsonArray array:
                sb.Append('[');
                for (int i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(", ");
                    }

                    Write(sb, array[i]);
                }

                sb.Append(']');
                break;
            case JsonValue value:
                WriteValue(sb, value);
                break;
            default:
                throw new ArgumentException($"Unsupported JSON node type {node.GetType().Name}.");
        }
    }

    private static void WriteValue(StringBuilder sb, JsonValue value)
    {
        if (value.TryGetValue(out string? s))
        {
            WriteString(sb, s);
        }
        else if (value.TryGetValue(out bool b))
        {
            sb.Append(b ? "true" : "false");
        }
        else if (value.TryGetValue(out int i))
        {
            sb.Append(i.ToString(CultureInfo.InvariantCulture));
        }
        else if (value.TryGetValue(out long l))
        {
            sb.Append(l.ToString(CultureInfo.InvariantCulture));
        }
        else if (value.TryGetValue(out double d))
        {
            sb.Append(FormatFloat(d));
        }
        else if (value.TryGetValue(out JsonElement element))
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    WriteString(sb, element.GetString()!);
                    break;
                case JsonValueKind.True:
                    sb.Append("true");
                    break;
                case JsonValueKind.False:
                    sb.Append("false");
                    break;
                case JsonValueKind.Null:
                    sb.Append("null");
                    break;
                case JsonValueKind.Number when element.TryGetInt64(out long n):
                    sb.Append(n.ToString(CultureInfo.InvariantCulture));
                    break;
                case JsonValueKind.Number:
                    sb.Append(FormatFloat(element.GetDouble()));
                    break;
                default:
                    Write(sb, JsonNode.Parse(element.GetRawText()));
                    break;
            }
        }
        else
        {
            throw new ArgumentException($"Unsupported JSON value {value.ToJsonString()}.");
        }
    }

    /// <summary>Python float repr: shortest round-trip digits, always with a fraction or exponent.</summary>
    public static string FormatFloat(double d)
    {
        if (double.IsNaN(d) || double.IsInfinity(d))
        {
            throw new ArgumentException($"JSON cannot represent {d}.");
        }

        string r = d.ToString("R", CultureInfo.InvariantCulture);
        if (r.Contains('E', StringComparison.Ordinal))
        {
            // Python writes 1e+20 / 1e-05; keep to the plain range in generated data.
            throw new ArgumentException($"Float {r} is outside the plain-notation range used by the generator.");
        }

        return r.Contains('.', StringComparison.Ordinal) ? r : r + ".0";
    }

    public static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                case '\b':
                    sb.Append("\\b");
                    break;
                case '\f':
                    sb.Append("\\f");
                    break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }

    public static string Quote(string s)
    {
        var sb = new StringBuilder();
        WriteString(sb, s);
        return sb.ToString();
    }
}
