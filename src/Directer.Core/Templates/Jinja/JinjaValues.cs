using System.Globalization;
using System.Numerics;
using System.Text;
using Directer.Core.PythonCompat;

namespace Directer.Core.Templates.Jinja;

/// <summary>Python semantics of the runtime values: None is null, ints are <see cref="long"/> (or
/// <see cref="BigInteger"/> from JSON), floats <see cref="double"/>, strings <see cref="string"/> or
/// <see cref="TrackedString"/>, lists <see cref="List{T}"/>, tuples arrays, dicts <see cref="JinjaDict"/>.</summary>
internal static class JinjaValues
{
    /// <summary>The text of a string value, or null when it is not a string.</summary>
    public static string? AsString(object? value) => value switch
    {
        string s => s,
        TrackedString t => t.Text,
        _ => null,
    };

    /// <summary>Whether the value is a string.</summary>
    public static bool IsString(object? value) => value is string or TrackedString;

    /// <summary>Python's truth value.</summary>
    public static bool IsTrue(object? value) => value switch
    {
        null => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        BigInteger i => !i.IsZero,
        string s => s.Length > 0,
        TrackedString t => t.Text.Length > 0,
        JinjaUndefined => false,
        IList<object?> list => list.Count > 0,
        JinjaDict dict => dict.Count > 0,
        _ => true,
    };

    /// <summary>Python's <c>str()</c>.</summary>
    public static string ToStr(object? value) => value switch
    {
        string s => s,
        TrackedString t => t.Text,
        JinjaUndefined => string.Empty,
        null => "None",
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        BigInteger i => i.ToString(CultureInfo.InvariantCulture),
        double d => FloatStr(d),
        _ => Repr(value),
    };

    private static string FloatStr(double d) =>
        double.IsNaN(d) ? "nan" : double.IsPositiveInfinity(d) ? "inf" : double.IsNegativeInfinity(d) ? "-inf" : PythonFloat.Repr(d);

    /// <summary>Python's <c>repr()</c>.</summary>
    public static string Repr(object? value)
    {
        var text = new StringBuilder();
        WriteRepr(text, value);
        return text.ToString();
    }

    private static void WriteRepr(StringBuilder text, object? value)
    {
        switch (value)
        {
            case string or TrackedString:
                WriteStringRepr(text, AsString(value)!);
                return;
            case List<object?> list:
                text.Append('[');
                for (int i = 0; i < list.Count; i++)
                {
                    if (i > 0)
                    {
                        text.Append(", ");
                    }

                    WriteRepr(text, list[i]);
                }

                text.Append(']');
                return;
            case object?[] tuple:
                text.Append('(');
                for (int i = 0; i < tuple.Length; i++)
                {
                    if (i > 0)
                    {
                        text.Append(", ");
                    }

                    WriteRepr(text, tuple[i]);
                }

                text.Append(tuple.Length == 1 ? ",)" : ")");
                return;
            case JinjaDict dict:
                text.Append('{');
                for (int i = 0; i < dict.Count; i++)
                {
                    if (i > 0)
                    {
                        text.Append(", ");
                    }

                    WriteRepr(text, dict.Entries[i].Key);
                    text.Append(": ");
                    WriteRepr(text, dict.Entries[i].Value);
                }

                text.Append('}');
                return;
            // jinja2's reprs of its own objects; functions whose repr there holds a memory address keep a stable one.
            case JinjaNamespace ns:
                text.Append("<Namespace ");
                WriteRepr(text, ns.Attributes);
                text.Append('>');
                return;
            case JinjaMacro macro:
                text.Append(macro.Anonymous ? "<Macro anonymous>" : $"<Macro '{macro.Name}'>");
                return;
            case JinjaBuiltin { Name: "dict" }:
                text.Append("<class 'dict'>");
                return;
            case JinjaBuiltin { Name: "namespace" }:
                text.Append("<class 'jinja2.utils.Namespace'>");
                return;
            case JinjaFunction f:
                text.Append("<function ").Append(f.Name).Append('>');
                return;
            case JinjaLoop loop:
                text.Append("<LoopContext ").Append(loop.Index0 + 1).Append('/').Append(loop.Items.Count).Append('>');
                return;
            default:
                text.Append(ToStr(value));
                return;
        }
    }

    /// <summary>Python's string repr: single quotes unless the text has a single quote and no double quote.</summary>
    private static void WriteStringRepr(StringBuilder text, string s)
    {
        char quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        text.Append(quote);
        foreach (var rune in s.EnumerateRunes())
        {
            int c = rune.Value;
            if (c == quote || c == '\\')
            {
                text.Append('\\').Append((char)c);
            }
            else if (c == '\n')
            {
                text.Append("\\n");
            }
            else if (c == '\r')
            {
                text.Append("\\r");
            }
            else if (c == '\t')
            {
                text.Append("\\t");
            }
            else if (IsPrintable(rune))
            {
                text.Append(rune.ToString());
            }
            else if (c < 0x100)
            {
                text.Append("\\x").Append(c.ToString("x2", CultureInfo.InvariantCulture));
            }
            else if (c < 0x10000)
            {
                text.Append("\\u").Append(c.ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                text.Append("\\U").Append(c.ToString("x8", CultureInfo.InvariantCulture));
            }
        }

        text.Append(quote);
    }

    /// <summary>Python's <c>str.isprintable</c> for one code point.</summary>
    private static bool IsPrintable(Rune rune)
    {
        if (rune.Value == ' ')
        {
            return true;
        }

        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.SpaceSeparator => false,
            _ => true,
        };
    }

    /// <summary>A number as a double, or null when the value is not a number (booleans count, as in Python).</summary>
    public static double? AsDouble(object? value) => value switch
    {
        long l => l,
        double d => d,
        bool b => b ? 1 : 0,
        BigInteger i => (double)i,
        _ => null,
    };

    /// <summary>Python's <c>==</c>.</summary>
    public static bool PyEquals(object? a, object? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        if (a is JinjaUndefined || b is JinjaUndefined)
        {
            return a is JinjaUndefined && b is JinjaUndefined;
        }

        if (IsString(a) || IsString(b))
        {
            return IsString(a) && IsString(b) && string.Equals(AsString(a), AsString(b), StringComparison.Ordinal);
        }

        if (a is BigInteger || b is BigInteger)
        {
            return a is BigInteger x && b is BigInteger y ? x == y : AsDouble(a) == AsDouble(b);
        }

        if (AsDouble(a) is double da && AsDouble(b) is double db)
        {
            return a is long la && b is long lb ? la == lb : da == db;
        }

        if (a is IList<object?> la2 && b is IList<object?> lb2)
        {
            if (a.GetType() != b.GetType() || la2.Count != lb2.Count)
            {
                return false;
            }

            for (int i = 0; i < la2.Count; i++)
            {
                if (!PyEquals(la2[i], lb2[i]))
                {
                    return false;
                }
            }

            return true;
        }

        if (a is JinjaDict da2 && b is JinjaDict db2)
        {
            if (da2.Count != db2.Count)
            {
                return false;
            }

            foreach (var entry in da2.Entries)
            {
                if (!db2.TryGet(entry.Key, out var other) || !PyEquals(entry.Value, other))
                {
                    return false;
                }
            }

            return true;
        }

        return ReferenceEquals(a, b);
    }

    /// <summary>Python's ordering (<c>&lt;</c> is <c>Compare &lt; 0</c>): numbers, strings, lists.</summary>
    public static int Compare(object? a, object? b, int line, string op = "<")
    {
        if (AsDouble(a) is double da && AsDouble(b) is double db && a is not BigInteger && b is not BigInteger)
        {
            return a is long la && b is long lb ? la.CompareTo(lb) : da.CompareTo(db);
        }

        if (IsString(a) && IsString(b))
        {
            return CompareCodePoints(AsString(a)!, AsString(b)!);
        }

        if (a is IList<object?> x && b is IList<object?> y)
        {
            for (int i = 0; i < Math.Min(x.Count, y.Count); i++)
            {
                if (!PyEquals(x[i], y[i]))
                {
                    return Compare(x[i], y[i], line);
                }
            }

            return x.Count.CompareTo(y.Count);
        }

        throw JinjaErrors.Runtime(line, $"'{op}' not supported between instances of '{TypeName(a)}' and '{TypeName(b)}'.");
    }

    /// <summary>Orders strings by code point, as Python does (UTF-16 order differs above U+FFFF).</summary>
    private static int CompareCodePoints(string a, string b)
    {
        var ea = a.EnumerateRunes();
        var eb = b.EnumerateRunes();
        while (true)
        {
            bool ha = ea.MoveNext();
            bool hb = eb.MoveNext();
            if (!ha || !hb)
            {
                return ha ? 1 : hb ? -1 : 0;
            }

            int c = ea.Current.Value.CompareTo(eb.Current.Value);
            if (c != 0)
            {
                return c;
            }
        }
    }

    /// <summary>Python's type name, for error messages.</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        bool => "bool",
        long or BigInteger => "int",
        double => "float",
        string or TrackedString => "str",
        List<object?> => "list",
        object?[] => "tuple",
        JinjaDict => "dict",
        JinjaUndefined => "Undefined",
        JinjaNamespace => "Namespace",
        JinjaFunction => "function",
        _ => value.GetType().Name,
    };

    /// <summary>The items of an iterable: list and tuple items, dict keys, string characters (code points); an
    /// undefined value iterates as empty.</summary>
    public static IReadOnlyList<object?> Iterate(object? value, int line)
    {
        switch (value)
        {
            case IList<object?> list:
                return list is IReadOnlyList<object?> ro ? ro : list.ToList();
            case JinjaDict dict:
                var keys = new List<object?>(dict.Count);
                foreach (var entry in dict.Entries)
                {
                    keys.Add(entry.Key);
                }

                return keys;
            case string or TrackedString:
                string s = AsString(value)!;
                var chars = new List<object?>(s.Length);
                foreach (var rune in s.EnumerateRunes())
                {
                    chars.Add(rune.ToString());
                }

                return chars;
            case JinjaUndefined:
                return [];
            default:
                throw JinjaErrors.Runtime(line, $"'{TypeName(value)}' object is not iterable.");
        }
    }

    /// <summary>Python's <c>len()</c>; an undefined value has length 0.</summary>
    public static long Length(object? value, int line) => value switch
    {
        string or TrackedString => CodePointCount(AsString(value)!),
        IList<object?> list => list.Count,
        JinjaDict dict => dict.Count,
        JinjaUndefined => 0,
        _ => throw JinjaErrors.Runtime(line, $"object of type '{TypeName(value)}' has no len()."),
    };

    /// <summary>The number of code points (Python's string length).</summary>
    public static int CodePointCount(string s)
    {
        int n = s.Length;
        foreach (char c in s)
        {
            if (char.IsLowSurrogate(c))
            {
                n--;
            }
        }

        return n;
    }

    /// <summary>Converts a parsed JSON value into runtime values.</summary>
    public static object? FromJson(PythonJsonValue value) => value switch
    {
        PythonJsonObject obj => DictFrom(obj),
        PythonJsonArray array => array.Items.Select(FromJson).ToList(),
        PythonJsonString s => s.Value,
        PythonJsonNumber n => NumberFrom(n.PythonText),
        PythonJsonLiteral { Text: "true" } => true,
        PythonJsonLiteral { Text: "false" } => false,
        _ => null,
    };

    private static JinjaDict DictFrom(PythonJsonObject obj)
    {
        var dict = new JinjaDict();
        foreach (var member in obj.Members)
        {
            dict.Set(member.Key, FromJson(member.Value));
        }

        return dict;
    }

    /// <summary><see cref="FromJson(PythonJsonValue)"/> with every string value tracked as conversation data
    /// (<see cref="TrackedString.Data"/>), for tool schemas and call arguments. Keys stay plain strings (the template looks
    /// them up) but are marked as data for <c>tojson</c> (<see cref="JinjaDict.KeysAreData"/>).</summary>
    public static object? FromJsonAsData(PythonJsonValue value) => value switch
    {
        PythonJsonObject obj => DataDictFrom(obj),
        PythonJsonArray array => array.Items.Select(FromJsonAsData).ToList(),
        PythonJsonString s => TrackedString.Data(s.Value),
        _ => FromJson(value),
    };

    private static JinjaDict DataDictFrom(PythonJsonObject obj)
    {
        var dict = new JinjaDict { KeysAreData = true };
        foreach (var member in obj.Members)
        {
            dict.Set(member.Key, FromJsonAsData(member.Value));
        }

        return dict;
    }

    private static object NumberFrom(string text)
    {
        if (text.IndexOfAny(['.', 'e', 'E', 'n', 'N', 'I']) >= 0)
        {
            return text switch
            {
                "NaN" => double.NaN,
                "Infinity" => double.PositiveInfinity,
                "-Infinity" => double.NegativeInfinity,
                _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)
            ? (object)l
            : BigInteger.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
    }
}
