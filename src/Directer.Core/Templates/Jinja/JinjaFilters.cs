using System.Globalization;
using System.Text;
using Directer.Core.PythonCompat;

namespace Directer.Core.Templates.Jinja;

/// <summary>The filters of the subset (jinja2's built-ins plus transformers' <c>tojson</c>).</summary>
internal static partial class JinjaFilters
{
    /// <summary>Applies a filter.</summary>
    public static object? Apply(string name, object? value, object?[] args, (string Name, object? Value)[] named, int line)
    {
        object? Arg(int position, string key, object? fallback)
        {
            if (position >= 0 && position < args.Length)
            {
                return args[position];
            }

            foreach (var (k, v) in named)
            {
                if (k == key)
                {
                    return v;
                }
            }

            return fallback;
        }

        switch (name)
        {
            case "trim":
            {
                object s = StringValue(value);
                return JinjaMethods.Call(s, "strip", Arg(0, "chars", null) is { } chars ? [chars] : [], [], line);
            }

            case "tojson":
                return ToJson(value, Arg(0, "ensure_ascii", false), Arg(1, "indent", null), Arg(2, "separators", null), Arg(3, "sort_keys", false), line);
            case "length" or "count":
                return JinjaValues.Length(value, line);
            case "items":
                return value switch
                {
                    JinjaUndefined => new List<object?>(),
                    JinjaDict dict => JinjaMethods.Call(dict, "items", [], [], line),
                    _ => throw JinjaErrors.Runtime(line, "Can only get item pairs from a mapping."),
                };
            case "selectattr" or "rejectattr":
            {
                // jinja2 takes the attribute positionally only (selectattr(attribute='x') is refused there too).
                string attribute = JinjaValues.AsString(args.Length > 0 ? args[0] : null) ?? throw JinjaErrors.Runtime(line, "Missing parameter for attribute name.");
                string? test = args.Length > 1 ? JinjaValues.AsString(args[1]) : null;
                object?[] testArgs = args.Length > 2 ? args[2..] : [];
                bool keep = name == "selectattr";
                return JinjaValues.Iterate(value, line)
                    .Where(item =>
                    {
                        var attr = JinjaRenderer.GetAttributePath(item, attribute, line);
                        return (test is null ? JinjaValues.IsTrue(attr) : JinjaTests.Apply(test, attr, testArgs, line)) == keep;
                    })
                    .ToList();
            }

            case "select" or "reject":
            {
                string? test = args.Length > 0 ? JinjaValues.AsString(args[0]) : null;
                object?[] testArgs = args.Length > 1 ? args[1..] : [];
                bool keep = name == "select";
                return JinjaValues.Iterate(value, line)
                    .Where(item => (test is null ? JinjaValues.IsTrue(item) : JinjaTests.Apply(test, item, testArgs, line)) == keep)
                    .ToList();
            }

            case "map":
            {
                var items = JinjaValues.Iterate(value, line);
                if (args.Length == 0 && Arg(-1, "attribute", null) is { } attribute)
                {
                    string path = JinjaValues.ToStr(attribute);
                    bool hasDefault = named.Any(n => n.Name == "default");
                    object? fallback = Arg(-1, "default", null);
                    return items.Select(item =>
                    {
                        var v = JinjaRenderer.GetAttributePath(item, path, line);
                        return v is JinjaUndefined && hasDefault ? fallback : v;
                    }).ToList();
                }

                // jinja2: the filter's name positionally, then its own arguments, positional and named.
                string filter = JinjaValues.AsString(args.Length > 0 ? args[0] : null) ?? throw JinjaErrors.Runtime(line, "map requires a filter argument.");
                object?[] rest = args.Length > 1 ? args[1..] : [];
                return items.Select(item => Apply(filter, item, rest, named, line)).ToList();
            }

            case "join":
            {
                object separator = StringValue(Arg(0, "d", string.Empty));
                string? attribute = JinjaValues.AsString(Arg(1, "attribute", null));
                object result = string.Empty;
                int i = 0;
                foreach (var item in JinjaValues.Iterate(value, line))
                {
                    var part = attribute is null ? item : JinjaRenderer.GetAttributePath(item, attribute, line);
                    result = i++ == 0 ? StringValue(part) : TrackedString.Concat(TrackedString.Concat(result, separator), StringValue(part));
                }

                return result;
            }

            case "upper":
                return JinjaValues.ToStr(value).ToUpperInvariant();
            case "lower":
                return JinjaValues.ToStr(value).ToLowerInvariant();
            case "capitalize":
                string c = JinjaValues.ToStr(value);
                return c.Length == 0 ? c : char.ToUpperInvariant(c[0]) + c[1..].ToLowerInvariant();
            case "title":
                return Title(JinjaValues.ToStr(value));
            case "replace":
            {
                // jinja2's replace(s, old, new, count=None) takes its arguments by name too; str.replace does not.
                object?[] positional = [Arg(0, "old", null), Arg(1, "new", null)];
                return JinjaMethods.Call(JinjaValues.ToStr(value), "replace", Arg(2, "count", null) is { } count ? [.. positional, count] : positional, [], line);
            }

            case "first":
            {
                var items = JinjaValues.Iterate(value, line);
                return items.Count > 0 ? items[0] : new JinjaUndefined("No first item, sequence was empty");
            }

            case "last":
            {
                var items = JinjaValues.Iterate(value, line);
                return items.Count > 0 ? items[^1] : new JinjaUndefined("No last item, sequence was empty");
            }

            case "default" or "d":
            {
                bool boolean = JinjaValues.IsTrue(Arg(1, "boolean", false));
                bool useDefault = value is JinjaUndefined || (boolean && !JinjaValues.IsTrue(value));
                return useDefault ? Arg(0, "default_value", string.Empty) : value;
            }

            case "list":
                return JinjaValues.Iterate(value, line).ToList();
            case "string":
                return StringValue(value);
            case "int":
                return ToInt(value, Arg(0, "default", 0L), line);
            case "float":
                return ToFloat(value, Arg(0, "default", 0.0));
            case "unique":
            {
                bool caseSensitive = JinjaValues.IsTrue(Arg(0, "case_sensitive", false));
                string? attribute = JinjaValues.AsString(Arg(1, "attribute", null));
                var seen = new List<object?>();
                var result = new List<object?>();
                foreach (var item in JinjaValues.Iterate(value, line))
                {
                    var key = attribute is null ? item : JinjaRenderer.GetAttributePath(item, attribute, line);
                    if (!caseSensitive && JinjaValues.AsString(key) is { } text)
                    {
                        key = text.ToLowerInvariant();
                    }

                    if (!seen.Any(s => JinjaValues.PyEquals(s, key)))
                    {
                        seen.Add(key);
                        result.Add(item);
                    }
                }

                return result;
            }

            case "safe":
                return value;
            case "e" or "escape":
                return JinjaValues.ToStr(value).Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
                    .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&#34;", StringComparison.Ordinal).Replace("'", "&#39;", StringComparison.Ordinal);
            case "abs":
                return value switch
                {
                    long l => (object)Math.Abs(l),
                    double d => Math.Abs(d),
                    bool b => b ? 1L : 0L,
                    _ => throw JinjaErrors.Runtime(line, $"bad operand type for abs(): '{JinjaValues.TypeName(value)}'."),
                };
            case "round":
                return Round(value, Arg(0, "precision", 0L) as long? ?? 0, JinjaValues.AsString(Arg(1, "method", "common")), line);

            case "sum":
            {
                string? attribute = JinjaValues.AsString(Arg(0, "attribute", null));
                object? total = Arg(1, "start", 0L);
                foreach (var item in JinjaValues.Iterate(value, line))
                {
                    total = JinjaRenderer.Arithmetic("+", total, attribute is null ? item : JinjaRenderer.GetAttributePath(item, attribute, line), line);
                }

                return total;
            }

            case "min" or "max":
            {
                var items = JinjaValues.Iterate(value, line);
                if (items.Count == 0)
                {
                    return new JinjaUndefined("No aggregated item, sequence was empty");
                }

                var comparer = SortComparer(JinjaValues.IsTrue(Arg(0, "case_sensitive", false)), JinjaValues.AsString(Arg(1, "attribute", null)), line);
                var best = items[0];
                foreach (var item in items.Skip(1))
                {
                    int order = comparer.Compare(item, best);
                    if (name == "min" ? order < 0 : order > 0)
                    {
                        best = item;
                    }
                }

                return best;
            }

            case "reverse":
                return JinjaValues.IsString(value)
                    ? string.Concat(JinjaValues.AsString(value)!.EnumerateRunes().Reverse().Select(r => r.ToString()))
                    : JinjaValues.Iterate(value, line).Reverse().ToList();
            case "sort":
            {
                bool reverse = JinjaValues.IsTrue(Arg(0, "reverse", false));
                var comparer = SortComparer(JinjaValues.IsTrue(Arg(1, "case_sensitive", false)), JinjaValues.AsString(Arg(2, "attribute", null)), line);
                var sorted = JinjaValues.Iterate(value, line).ToList();
                StableSort(sorted, comparer, reverse);
                return sorted;
            }

            case "dictsort":
            {
                if (value is not JinjaDict dict)
                {
                    throw JinjaErrors.Runtime(line, "dictsort needs a mapping.");
                }

                bool caseSensitive = JinjaValues.IsTrue(Arg(0, "case_sensitive", false));
                string? by = JinjaValues.AsString(Arg(1, "by", "key"));
                if (by is not ("key" or "value"))
                {
                    throw JinjaErrors.Runtime(line, "You can only sort by either \"key\" or \"value\".");
                }

                bool reverse = JinjaValues.IsTrue(Arg(2, "reverse", false));
                var pairs = dict.Entries.Select(e => (object?)new object?[] { e.Key, e.Value }).ToList();
                var inner = SortComparer(caseSensitive, null, line);
                var comparer = Comparer<object?>.Create((a, b) => inner.Compare(((object?[])a!)[by == "value" ? 1 : 0], ((object?[])b!)[by == "value" ? 1 : 0]));
                StableSort(pairs, comparer, reverse);
                return pairs;
            }

            case "indent":
                return Indent(JinjaValues.ToStr(value), Arg(0, "width", 4L), JinjaValues.IsTrue(Arg(1, "first", false)), JinjaValues.IsTrue(Arg(2, "blank", false)));
            case "wordcount":
                return (long)Words().Count(JinjaValues.ToStr(value)); // jinja2 counts runs of \w, not white-space-separated words
            case "attr":
                // jinja2's attr looks up attributes only, never items of a dict.
                string attrName = JinjaValues.ToStr(Arg(0, "name", null));
                return value is JinjaNamespace or JinjaLoop || (value is not null and not JinjaUndefined && JinjaMethods.HasMethod(value, attrName))
                    ? JinjaRenderer.GetAttribute(value, attrName, line)
                    : new JinjaUndefined($"'{JinjaValues.TypeName(value)} object' has no attribute '{attrName}'");
            default:
                throw JinjaErrors.Unsupported(line, $"the filter '{name}'");
        }
    }

    /// <summary>A string value (tracked strings stay tracked; anything else through Python's <c>str()</c>).</summary>
    public static object StringValue(object? value) => value is string or TrackedString ? value : JinjaValues.ToStr(value);

    private static object ToJson(object? value, object? ensureAscii, object? indent, object? separators, object? sortKeys, int line)
    {
        string? indentText = indent switch
        {
            null => null,
            long n => new string(' ', (int)Math.Max(0, n)),
            string s => s,
            TrackedString t => t.Text,
            _ => throw JinjaErrors.Runtime(line, $"tojson's indent must be an int or a string, not {JinjaValues.TypeName(indent)}."),
        };
        string item = indentText is null ? ", " : ",";
        string key = ": ";
        if (separators is IList<object?> { Count: 2 } pair)
        {
            item = JinjaValues.ToStr(pair[0]);
            key = JinjaValues.ToStr(pair[1]);
        }

        return JinjaJson.Dumps(value, new JinjaJson.Options(indentText, item, key, JinjaValues.IsTrue(sortKeys), JinjaValues.IsTrue(ensureAscii)), line);
    }

    private static object? ToInt(object? value, object? fallback, int line)
    {
        switch (value)
        {
            case long l:
                return l;
            case bool b:
                return b ? 1L : 0L;
            case double d:
                return Truncate(d, fallback, line);
            case string or TrackedString:
                string s = JinjaValues.AsString(value)!.Trim();
                if (long.TryParse(s.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long parsed))
                {
                    return parsed;
                }

                // jinja2's quirk: int(float(text)), so '4.7' is 4; there it catches OverflowError too, so 'inf' gives
                // the default (an infinite float value does not: see Truncate).
                return PythonFloat.Parse(s) is double f && double.IsFinite(f) ? (long)Math.Truncate(f) : fallback;
            default:
                return fallback;
        }
    }

    /// <summary>Python's <c>int(d)</c>: NaN is a ValueError, which jinja2's <c>int</c> turns into the default; an
    /// infinity is an OverflowError, which it does not catch.</summary>
    private static object? Truncate(double d, object? fallback, int line) =>
        double.IsNaN(d) ? fallback
        : double.IsInfinity(d) ? throw JinjaErrors.Runtime(line, "cannot convert float infinity to integer.")
        : (long)Math.Truncate(d);

    private static object? ToFloat(object? value, object? fallback) => value switch
    {
        long l => (double)l,
        double d => d,
        bool b => b ? 1.0 : 0.0,
        string or TrackedString when PythonFloat.Parse(JinjaValues.AsString(value)!.Trim()) is double f => f,
        _ => fallback,
    };

    /// <summary>jinja2's <c>round</c>: Python's <c>round(value, precision)</c> for "common" (an int stays an int), else
    /// <c>math.ceil</c>/<c>math.floor</c> of <c>value * 10**precision</c>, divided back.</summary>
    private static object Round(object? value, long precision, string? method, int line)
    {
        if (method is not ("common" or "ceil" or "floor"))
        {
            throw JinjaErrors.Runtime(line, "method must be common, ceil or floor.");
        }

        double d = JinjaValues.AsDouble(value) is double number && value is not System.Numerics.BigInteger
            ? number
            : throw JinjaErrors.Runtime(line, $"type {JinjaValues.TypeName(value)} doesn't define __round__ method.");
        if (method == "common" && value is long or bool)
        {
            long n = value is bool b ? (b ? 1 : 0) : (long)value;
            if (precision >= 0)
            {
                return n;
            }

            // round(17, -1) == 20: to a multiple of 10**-precision, halves to even.
            long unit = (long)Math.Pow(10, Math.Min(-precision, 18));
            return (long)(Math.Round((decimal)n / unit, MidpointRounding.ToEven) * unit);
        }

        double scale = Math.Pow(10, precision);
        return method switch
        {
            "ceil" => Math.Ceiling(d * scale) / scale,
            "floor" => Math.Floor(d * scale) / scale,
            _ => precision >= 0 ? Math.Round(d, (int)Math.Min(precision, 15), MidpointRounding.ToEven) : Math.Round(d * scale, MidpointRounding.ToEven) / scale,
        };
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\w+")]
    private static partial System.Text.RegularExpressions.Regex Words();

    /// <summary>jinja2's <c>title</c>: words begin after white space, '-', and opening brackets.</summary>
    private static string Title(string s)
    {
        var text = new StringBuilder(s.Length);
        bool wordStart = true;
        foreach (char c in s)
        {
            bool separator = PythonText.IsWhiteSpace(c) || c is '-' or '(' or '{' or '[' or '<';
            text.Append(separator ? c : wordStart ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c));
            wordStart = separator;
        }

        return text.ToString();
    }

    /// <summary>jinja2's <c>indent</c>: the text plus a newline, split as <c>str.splitlines()</c> splits, joined by
    /// newlines; lines after the first get the indent unless empty (or always, with blank); the first only with first.</summary>
    private static string Indent(string s, object? width, bool first, bool blank)
    {
        string pad = width switch
        {
            long n => new string(' ', (int)Math.Max(0, n)),
            _ => JinjaValues.ToStr(width),
        };
        s += "\n";
        var lines = PythonText.SplitLines(s).Select(l => s[l.Start..l.ContentEnd]).ToList();
        var text = new StringBuilder(lines[0]);
        for (int i = 1; i < lines.Count; i++)
        {
            text.Append('\n');
            if (blank || lines[i].Length > 0)
            {
                text.Append(pad);
            }

            text.Append(lines[i]);
        }

        return first ? pad + text : text.ToString();
    }

    private static IComparer<object?> SortComparer(bool caseSensitive, string? attribute, int line) =>
        Comparer<object?>.Create((a, b) =>
        {
            object? x = attribute is null ? a : JinjaRenderer.GetAttributePath(a, attribute, line);
            object? y = attribute is null ? b : JinjaRenderer.GetAttributePath(b, attribute, line);
            if (!caseSensitive)
            {
                x = JinjaValues.AsString(x)?.ToLowerInvariant() ?? x;
                y = JinjaValues.AsString(y)?.ToLowerInvariant() ?? y;
            }

            return JinjaValues.Compare(x, y, line);
        });

    private static void StableSort(List<object?> items, IComparer<object?> comparer, bool reverse)
    {
        var indexed = items.Select((item, i) => (item, i)).ToList();
        indexed.Sort((a, b) =>
        {
            int order = comparer.Compare(a.item, b.item);
            if (reverse)
            {
                order = -order;
            }

            return order != 0 ? order : a.i.CompareTo(b.i);
        });
        for (int i = 0; i < items.Count; i++)
        {
            items[i] = indexed[i].item;
        }
    }
}
