using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Directer.Core.PythonCompat;

/// <summary>Python's <c>json.loads</c> and <c>json.dumps(ensure_ascii=False)</c> (the <c>tojson</c> filter of Hugging
/// Face chat templates): same key order, same separators, same number and string formatting.</summary>
internal static class PythonJson
{
    /// <summary>Parses JSON text as Python would hold it.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="what">What the text is, for the error message (e.g. "the arguments of tool call 'f' in turn 2").</param>
    /// <exception cref="ArgumentException">The text is not valid JSON.</exception>
    public static PythonJsonValue Parse(string json, string what)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 256 });
            return Convert(document.RootElement);
        }
        catch (JsonException error)
        {
            throw new ArgumentException($"{what} is not valid JSON: {error.Message}", error);
        }
    }

    private static PythonJsonValue Convert(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var members = new List<KeyValuePair<string, PythonJsonValue>>();
                var positions = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    var value = Convert(property.Value);
                    if (positions.TryGetValue(property.Name, out int at))
                    {
                        members[at] = new(property.Name, value); // a Python dict keeps the first position, last value
                    }
                    else
                    {
                        positions[property.Name] = members.Count;
                        members.Add(new(property.Name, value));
                    }
                }

                return new PythonJsonObject(members);
            case JsonValueKind.Array:
                return new PythonJsonArray(element.EnumerateArray().Select(Convert).ToList());
            case JsonValueKind.String:
                return new PythonJsonString(element.GetString()!);
            case JsonValueKind.Number:
                return new PythonJsonNumber(NumberText(element.GetRawText()));
            case JsonValueKind.True:
                return new PythonJsonLiteral("true");
            case JsonValueKind.False:
                return new PythonJsonLiteral("false");
            default:
                return new PythonJsonLiteral("null");
        }
    }

    /// <summary>json.loads makes an int of a number without fraction or exponent, a float otherwise.</summary>
    private static string NumberText(string raw)
    {
        if (raw.IndexOfAny(['.', 'e', 'E']) < 0)
        {
            return BigInteger.Parse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        }

        return PythonFloat.Repr(double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// <c>json.dumps(value, ensure_ascii=ensureAscii, indent=indent, sort_keys=sortKeys)</c>. The defaults are the
    /// <c>tojson</c> filter's; transformers writes <c>config.json</c> with <c>indent=2, sort_keys=True</c> and
    /// <c>ensure_ascii=True</c>. Keys sort by UTF-16 code unit (Python: by code point; the same below U+D800).
    /// </summary>
    public static string Dumps(PythonJsonValue value, int? indent = null, bool sortKeys = false, bool ensureAscii = false)
    {
        var text = new StringBuilder();
        new Writer(text, indent, sortKeys, ensureAscii).Write(value, 0);
        return text.ToString();
    }

    /// <summary><c>json.dumps(node, ensure_ascii=False)</c> of a <see cref="JsonNode"/> tree (see <see cref="PythonJsonConversion.FromNode"/>).</summary>
    public static string Dumps(JsonNode? node) => Dumps(PythonJsonConversion.FromNode(node));

    /// <summary><c>json.dumps(text, ensure_ascii=False)</c> of a string: quoted and escaped.</summary>
    public static string DumpsString(string value)
    {
        var text = new StringBuilder(value.Length + 2);
        WriteString(text, value);
        return text.ToString();
    }

    private static void WriteString(StringBuilder text, string value, bool ensureAscii = false)
    {
        text.Append('"');
        foreach (char c in value)
        {
            if (Escape(c) is { } escape)
            {
                text.Append(escape);
            }
            else if (ensureAscii && c > '~')
            {
                // ensure_ascii: everything outside printable ASCII as \uXXXX (a surrogate pair as two).
                text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                text.Append(c);
            }
        }

        text.Append('"');
    }

    private readonly record struct Writer(StringBuilder Text, int? Indent, bool SortKeys, bool EnsureAscii)
    {
        public void Write(PythonJsonValue value, int level)
        {
            switch (value)
            {
                case PythonJsonObject obj:
                    if (obj.Members.Count == 0)
                    {
                        Text.Append("{}");
                        return;
                    }

                    var members = SortKeys ? obj.Members.OrderBy(m => m.Key, StringComparer.Ordinal).ToList() : obj.Members;
                    Text.Append('{');
                    for (int i = 0; i < members.Count; i++)
                    {
                        Separator(i, level + 1);
                        WriteString(Text, members[i].Key, EnsureAscii);
                        Text.Append(": ");
                        Write(members[i].Value, level + 1);
                    }

                    Close(level);
                    Text.Append('}');
                    return;
                case PythonJsonArray array:
                    if (array.Items.Count == 0)
                    {
                        Text.Append("[]");
                        return;
                    }

                    Text.Append('[');
                    for (int i = 0; i < array.Items.Count; i++)
                    {
                        Separator(i, level + 1);
                        Write(array.Items[i], level + 1);
                    }

                    Close(level);
                    Text.Append(']');
                    return;
                case PythonJsonString s:
                    WriteString(Text, s.Value, EnsureAscii);
                    return;
                case PythonJsonNumber n:
                    Text.Append(n.PythonText);
                    return;
                case PythonJsonLiteral l:
                    Text.Append(l.Text);
                    return;
            }
        }

        // Python's separators: (", ", ": ") without indent, ("," + newline + indent, ": ") with it.
        private void Separator(int index, int level)
        {
            if (index > 0)
            {
                Text.Append(Indent is null ? ", " : ",");
            }

            if (Indent is int width)
            {
                Text.Append('\n').Append(' ', width * level);
            }
        }

        private void Close(int level)
        {
            if (Indent is int width)
            {
                Text.Append('\n').Append(' ', width * level);
            }
        }
    }

    /// <summary>How <c>json.dumps(ensure_ascii=False)</c> writes a character inside a string, or null when it is
    /// written as is (only the quote, the backslash and control characters below U+0020 are escaped).</summary>
    public static string? Escape(char c) => c switch
    {
        '"' => "\\\"",
        '\\' => "\\\\",
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        '\b' => "\\b",
        '\f' => "\\f",
        < ' ' => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
        _ => null,
    };
}
