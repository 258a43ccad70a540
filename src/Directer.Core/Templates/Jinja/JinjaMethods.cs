using System.Globalization;
using System.Text;
using Directer.Core.PythonCompat;

namespace Directer.Core.Templates.Jinja;

/// <summary>The Python methods of strings, dicts and lists that templates call (<c>content.strip()</c>,
/// <c>message.get('x')</c>, <c>tool.items()</c>). String slicing methods keep content tracking.</summary>
internal static class JinjaMethods
{
    private static readonly HashSet<string> StringMethods =
    [
        "strip", "lstrip", "rstrip", "split", "rsplit", "startswith", "endswith", "upper", "lower", "title", "capitalize",
        "replace", "find", "rfind", "count", "join", "splitlines", "isdigit", "isalpha", "isalnum", "isspace", "isupper",
        "islower", "removeprefix", "removesuffix", "swapcase", "index",
    ];

    private static readonly HashSet<string> DictMethods = ["items", "keys", "values", "get"];

    private static readonly HashSet<string> ListMethods = ["index", "count"];

    private static readonly HashSet<string> MutatingMethods =
        ["append", "extend", "insert", "pop", "remove", "clear", "update", "setdefault", "popitem", "sort", "reverse"];

    /// <summary>Whether <paramref name="target"/> has a method called <paramref name="name"/> (attribute lookup
    /// finds it before dict items, as jinja2's getattr does).</summary>
    public static bool HasMethod(object target, string name) => target switch
    {
        string or TrackedString => StringMethods.Contains(name),
        JinjaDict => DictMethods.Contains(name) || MutatingMethods.Contains(name),
        IList<object?> => ListMethods.Contains(name) || MutatingMethods.Contains(name),
        _ => false,
    };

    /// <summary>Calls a method.</summary>
    public static object? Call(object target, string name, object?[] args, (string Name, object? Value)[] named, int line)
    {
        if (MutatingMethods.Contains(name) && target is JinjaDict or IList<object?>)
        {
            // transformers renders with jinja2's ImmutableSandboxedEnvironment, which refuses these.
            throw JinjaErrors.Runtime(line, $"access to attribute '{name}' of '{JinjaValues.TypeName(target)}' object is unsafe.");
        }

        return target switch
        {
            string or TrackedString => StringMethod(target, JinjaValues.AsString(target)!, name, args, named, line),
            JinjaDict dict => DictMethod(dict, name, args, line),
            IList<object?> list => ListMethod(list, name, args, line),
            _ => throw JinjaErrors.Runtime(line, $"'{JinjaValues.TypeName(target)}' object has no attribute '{name}'."),
        };
    }

    private static object? Arg(object?[] args, (string Name, object? Value)[] named, int position, string name, object? fallback)
    {
        if (position < args.Length)
        {
            return args[position];
        }

        foreach (var (key, value) in named)
        {
            if (key == name)
            {
                return value;
            }
        }

        return fallback;
    }

    private static string StrArg(object? value, string method, int line) =>
        JinjaValues.AsString(value) ?? throw JinjaErrors.Runtime(line, $"{method}() argument must be str, not {JinjaValues.TypeName(value)}.");

    private static object? StringMethod(object target, string s, string name, object?[] args, (string Name, object? Value)[] named, int line)
    {
        switch (name)
        {
            case "strip" or "lstrip" or "rstrip":
            {
                object? chars = Arg(args, named, 0, "chars", null);
                string? set = chars is null ? null : StrArg(chars, name, line);
                int start = 0;
                int end = s.Length;
                if (name != "rstrip")
                {
                    while (start < end && Strippable(s[start], set))
                    {
                        start++;
                    }
                }

                if (name != "lstrip")
                {
                    while (end > start && Strippable(s[end - 1], set))
                    {
                        end--;
                    }
                }

                return SliceOf(target, start, end - start);
            }

            case "split" or "rsplit":
            {
                object? sep = Arg(args, named, 0, "sep", null);
                long max = Arg(args, named, 1, "maxsplit", -1L) is long m ? m : -1;
                return Split(target, s, sep is null ? null : StrArg(sep, name, line), max, name == "rsplit", line);
            }

            case "splitlines":
                return s.Split('\n').Select(x => (object?)x.TrimEnd('\r')).ToList() is var lines && s.EndsWith('\n') ? lines.Take(lines.Count - 1).ToList() : lines;
            case "startswith" or "endswith":
            {
                object? prefix = Arg(args, named, 0, "prefix", null);
                var candidates = prefix is IList<object?> many ? many : [prefix];
                foreach (var candidate in candidates)
                {
                    string p = StrArg(candidate, name, line);
                    if (name == "startswith" ? s.StartsWith(p, StringComparison.Ordinal) : s.EndsWith(p, StringComparison.Ordinal))
                    {
                        return true;
                    }
                }

                return false;
            }

            case "upper":
                return s.ToUpperInvariant();
            case "lower":
                return s.ToLowerInvariant();
            case "swapcase":
                return string.Concat(s.Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)));
            case "title":
                return PyTitle(s);
            case "capitalize":
                return s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();
            case "replace":
            {
                string old = StrArg(Arg(args, named, 0, "old", null), name, line);
                string @new = StrArg(Arg(args, named, 1, "new", null), name, line);
                long count = Arg(args, named, 2, "count", -1L) is long c ? c : -1;
                return Replace(s, old, @new, count);
            }

            case "find" or "rfind" or "index":
            {
                string sub = StrArg(Arg(args, named, 0, "sub", null), name, line);
                int at = name == "rfind" ? s.LastIndexOf(sub, StringComparison.Ordinal) : s.IndexOf(sub, StringComparison.Ordinal);
                if (at < 0 && name == "index")
                {
                    throw JinjaErrors.Runtime(line, "substring not found.");
                }

                return at < 0 ? -1L : (long)JinjaValues.CodePointCount(s[..at]);
            }

            case "count":
            {
                string sub = StrArg(Arg(args, named, 0, "sub", null), name, line);
                if (sub.Length == 0)
                {
                    return (long)JinjaValues.CodePointCount(s) + 1;
                }

                long n = 0;
                for (int at = s.IndexOf(sub, StringComparison.Ordinal); at >= 0; at = s.IndexOf(sub, at + sub.Length, StringComparison.Ordinal))
                {
                    n++;
                }

                return n;
            }

            case "join":
            {
                var items = JinjaValues.Iterate(Arg(args, named, 0, "iterable", null), line);
                object result = string.Empty;
                for (int i = 0; i < items.Count; i++)
                {
                    if (!JinjaValues.IsString(items[i]))
                    {
                        throw JinjaErrors.Runtime(line, $"sequence item {i}: expected str instance, {JinjaValues.TypeName(items[i])} found.");
                    }

                    result = i == 0 ? items[i]! : TrackedString.Concat(TrackedString.Concat(result, target), items[i]!);
                }

                return result;
            }

            case "removeprefix":
            {
                string p = StrArg(Arg(args, named, 0, "prefix", null), name, line);
                return s.StartsWith(p, StringComparison.Ordinal) ? SliceOf(target, p.Length, s.Length - p.Length) : target;
            }

            case "removesuffix":
            {
                string p = StrArg(Arg(args, named, 0, "suffix", null), name, line);
                return p.Length > 0 && s.EndsWith(p, StringComparison.Ordinal) ? SliceOf(target, 0, s.Length - p.Length) : target;
            }

            case "isdigit":
                return s.Length > 0 && s.All(char.IsDigit);
            case "isalpha":
                return s.Length > 0 && s.All(char.IsLetter);
            case "isalnum":
                return s.Length > 0 && s.All(char.IsLetterOrDigit);
            case "isspace":
                return s.Length > 0 && s.All(PythonText.IsWhiteSpace);
            case "isupper":
                return s.Any(char.IsLetter) && !s.Any(char.IsLower);
            case "islower":
                return s.Any(char.IsLetter) && !s.Any(char.IsUpper);
            default:
                throw JinjaErrors.Runtime(line, $"'str' object has no attribute '{name}'.");
        }
    }

    private static bool Strippable(char c, string? set) => set is null ? PythonText.IsWhiteSpace(c) : set.Contains(c);

    /// <summary>A substring of a possibly tracked string (tracking kept).</summary>
    public static object SliceOf(object target, int start, int length) =>
        target is TrackedString t ? t.Slice(start, length) : ((string)target).Substring(start, length);

    private static List<object?> Split(object target, string s, string? sep, long max, bool fromRight, int line)
    {
        var bounds = new List<(int Start, int End)>();
        if (sep is null)
        {
            // Runs of white space separate; empty strings are never produced.
            var words = new List<(int, int)>();
            int i = 0;
            while (i < s.Length)
            {
                while (i < s.Length && PythonText.IsWhiteSpace(s[i]))
                {
                    i++;
                }

                if (i >= s.Length)
                {
                    break;
                }

                int start = i;
                while (i < s.Length && !PythonText.IsWhiteSpace(s[i]))
                {
                    i++;
                }

                words.Add((start, i));
            }

            if (max >= 0 && words.Count > max + 1)
            {
                if (fromRight)
                {
                    int keep = words.Count - (int)max;
                    int end = words[keep - 1].Item2;
                    bounds.Add((words[0].Item1, end));
                    bounds.AddRange(words.Skip(keep));
                }
                else
                {
                    bounds.AddRange(words.Take((int)max));
                    int rest = words[(int)max].Item1;
                    int tail = s.Length;
                    while (tail > rest && PythonText.IsWhiteSpace(s[tail - 1]))
                    {
                        tail--;
                    }

                    bounds.Add((rest, tail));
                }
            }
            else
            {
                bounds.AddRange(words);
            }
        }
        else
        {
            if (sep.Length == 0)
            {
                throw JinjaErrors.Runtime(line, "empty separator.");
            }

            var cuts = new List<int>();
            for (int at = s.IndexOf(sep, StringComparison.Ordinal); at >= 0; at = s.IndexOf(sep, at + sep.Length, StringComparison.Ordinal))
            {
                cuts.Add(at);
            }

            if (max >= 0 && cuts.Count > max)
            {
                cuts = fromRight ? cuts.Skip(cuts.Count - (int)max).ToList() : cuts.Take((int)max).ToList();
            }

            int start = 0;
            foreach (int cut in cuts)
            {
                bounds.Add((start, cut));
                start = cut + sep.Length;
            }

            bounds.Add((start, s.Length));
        }

        return bounds.Select(b => (object?)SliceOf(target, b.Start, b.End - b.Start)).ToList();
    }

    private static string Replace(string s, string old, string @new, long count)
    {
        if (count < 0)
        {
            if (old.Length == 0)
            {
                var all = new StringBuilder(@new);
                foreach (var rune in s.EnumerateRunes())
                {
                    all.Append(rune.ToString()).Append(@new);
                }

                return all.ToString();
            }

            return s.Replace(old, @new, StringComparison.Ordinal);
        }

        var text = new StringBuilder();
        int pos = 0;
        long done = 0;
        while (done < count)
        {
            int at = s.IndexOf(old, pos, StringComparison.Ordinal);
            if (at < 0 || old.Length == 0)
            {
                break;
            }

            text.Append(s, pos, at - pos).Append(@new);
            pos = at + old.Length;
            done++;
        }

        return text.Append(s, pos, s.Length - pos).ToString();
    }

    /// <summary>Python's <c>str.title()</c>: a cased character after an uncased one is upper-cased, others lower-cased.</summary>
    public static string PyTitle(string s)
    {
        var text = new StringBuilder(s.Length);
        bool previousCased = false;
        foreach (char c in s)
        {
            text.Append(previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
            previousCased = char.IsLetter(c) && (char.IsUpper(c) || char.IsLower(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.TitlecaseLetter);
        }

        return text.ToString();
    }

    private static object? DictMethod(JinjaDict dict, string name, object?[] args, int line)
    {
        switch (name)
        {
            case "items":
                return dict.Entries.Select(e => (object?)new object?[] { e.Key, e.Value }).ToList();
            case "keys":
                return dict.Entries.Select(e => (object?)e.Key).ToList();
            case "values":
                return dict.Entries.Select(e => e.Value).ToList();
            case "get":
                if (args.Length == 0)
                {
                    throw JinjaErrors.Runtime(line, "get expected at least 1 argument, got 0.");
                }

                return dict.TryGet(args[0], out var value) ? value : args.Length > 1 ? args[1] : null;
            default:
                throw JinjaErrors.Runtime(line, $"'dict' object has no attribute '{name}'.");
        }
    }

    private static object? ListMethod(IList<object?> list, string name, object?[] args, int line)
    {
        if (args.Length == 0)
        {
            throw JinjaErrors.Runtime(line, $"{name}() takes exactly one argument (0 given).");
        }

        if (name == "count")
        {
            return (long)list.Count(x => JinjaValues.PyEquals(x, args[0]));
        }

        for (int i = 0; i < list.Count; i++)
        {
            if (JinjaValues.PyEquals(list[i], args[0]))
            {
                return (long)i;
            }
        }

        throw JinjaErrors.Runtime(line, $"{JinjaValues.Repr(args[0])} is not in list.");
    }
}
