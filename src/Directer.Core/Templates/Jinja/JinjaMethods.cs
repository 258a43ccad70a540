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

    /// <summary>The most positional arguments each string method takes here. Python's <c>find</c>, <c>count</c>,
    /// <c>startswith</c> and friends also take start/end positions; the engine refuses those rather than ignore them.</summary>
    private static readonly Dictionary<string, int> MostStringArguments = new(StringComparer.Ordinal)
    {
        ["strip"] = 1, ["lstrip"] = 1, ["rstrip"] = 1, ["split"] = 2, ["rsplit"] = 2, ["splitlines"] = 1,
        ["startswith"] = 1, ["endswith"] = 1, ["replace"] = 3, ["find"] = 1, ["rfind"] = 1, ["index"] = 1, ["count"] = 1,
        ["join"] = 1, ["removeprefix"] = 1, ["removesuffix"] = 1,
    };

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

        // Python's str, dict and list methods take positional arguments only, but for split's sep and maxsplit.
        if (named.Length > 0 && name is not ("split" or "rsplit"))
        {
            throw JinjaErrors.Runtime(line, $"{name}() takes no keyword arguments.");
        }

        return target switch
        {
            string or TrackedString => StringMethod(target, JinjaValues.AsString(target)!, name, args, named, line),
            JinjaDict dict => DictMethod(dict, name, args, line),
            IList<object?> list => ListMethod(list, name, args, line),
            _ => throw JinjaErrors.Runtime(line, $"'{JinjaValues.TypeName(target)}' object has no attribute '{name}'."),
        };
    }

    private static object? Arg(object?[] args, int position) => position < args.Length ? args[position] : null;

    /// <summary>split's and rsplit's arguments, which Python also takes by name.</summary>
    private static object? SplitArg(object?[] args, (string Name, object? Value)[] named, int position, string name, string method, int line)
    {
        foreach (var (key, _) in named)
        {
            if (key is not ("sep" or "maxsplit"))
            {
                throw JinjaErrors.Runtime(line, $"'{key}' is an invalid keyword argument for {method}().");
            }
        }

        return position < args.Length ? args[position] : named.FirstOrDefault(n => n.Name == name).Value;
    }

    private static string StrArg(object? value, string method, int line) =>
        JinjaValues.AsString(value) ?? throw JinjaErrors.Runtime(line, $"{method}() argument must be str, not {JinjaValues.TypeName(value)}.");

    private static object? StringMethod(object target, string s, string name, object?[] args, (string Name, object? Value)[] named, int line)
    {
        int most = MostStringArguments.GetValueOrDefault(name);
        if (args.Length > most)
        {
            throw most > 0 && name is "find" or "rfind" or "index" or "count" or "startswith" or "endswith"
                ? JinjaErrors.Unsupported(line, $"{name}() with start and end positions")
                : JinjaErrors.Runtime(line, most == 0 ? $"{name}() takes no arguments ({args.Length} given)." : $"{name}() takes at most {most} argument(s) ({args.Length} given).");
        }

        switch (name)
        {
            case "strip" or "lstrip" or "rstrip":
            {
                object? chars = Arg(args, 0);
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
                object? sep = SplitArg(args, named, 0, "sep", name, line);
                long max = SplitArg(args, named, 1, "maxsplit", name, line) is long m ? m : -1;
                return Split(target, s, sep is null ? null : StrArg(sep, name, line), max, name == "rsplit", line);
            }

            case "splitlines":
            {
                bool keepEnds = JinjaValues.IsTrue(Arg(args, 0));
                return PythonText.SplitLines(s).Select(l => (object?)SliceOf(target, l.Start, (keepEnds ? l.End : l.ContentEnd) - l.Start)).ToList();
            }

            case "startswith" or "endswith":
            {
                object? prefix = Arg(args, 0);
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
                string old = StrArg(Arg(args, 0), name, line);
                string @new = StrArg(Arg(args, 1), name, line);
                long count = Arg(args, 2) is long c ? c : -1;
                return Replace(s, old, @new, count);
            }

            case "find" or "rfind" or "index":
            {
                string sub = StrArg(Arg(args, 0), name, line);
                int at = name == "rfind" ? s.LastIndexOf(sub, StringComparison.Ordinal) : s.IndexOf(sub, StringComparison.Ordinal);
                if (at < 0 && name == "index")
                {
                    throw JinjaErrors.Runtime(line, "substring not found.");
                }

                return at < 0 ? -1L : (long)JinjaValues.CodePointCount(s[..at]);
            }

            case "count":
            {
                string sub = StrArg(Arg(args, 0), name, line);
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
                var items = JinjaValues.Iterate(Arg(args, 0), line);
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
                string p = StrArg(Arg(args, 0), name, line);
                return s.StartsWith(p, StringComparison.Ordinal) ? SliceOf(target, p.Length, s.Length - p.Length) : target;
            }

            case "removesuffix":
            {
                string p = StrArg(Arg(args, 0), name, line);
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
                // Python: at least one cased character, and none lower or title case ('日' has no case).
                return s.Any(char.IsUpper) && !s.Any(c => char.IsLower(c) || IsTitlecase(c));
            case "islower":
                return s.Any(char.IsLower) && !s.Any(c => char.IsUpper(c) || IsTitlecase(c));
            default:
                throw JinjaErrors.Runtime(line, $"'str' object has no attribute '{name}'.");
        }
    }

    private static bool IsTitlecase(char c) => CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.TitlecaseLetter;

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

            // More words than splits allowed: the last piece is the unsplit rest ('a b '.split(None, 1) is ['a', 'b ']).
            if (max >= 0 && words.Count > max)
            {
                // The unsplit rest keeps its white space on the far side: ' a b  c '.split(None, 1) is
                // ['a', 'b  c '] and ' a b  c '.rsplit(None, 1) is [' a b', 'c'].
                if (fromRight)
                {
                    int keep = words.Count - (int)max;
                    bounds.Add((0, words[keep - 1].Item2));
                    bounds.AddRange(words.Skip(keep));
                }
                else
                {
                    bounds.AddRange(words.Take((int)max));
                    bounds.Add((words[(int)max].Item1, s.Length));
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
        if (old.Length == 0)
        {
            // An empty old string matches before every code point and at the end: count of those places get new.
            var all = new StringBuilder();
            long placed = 0;
            foreach (var rune in s.EnumerateRunes())
            {
                if (count < 0 || placed < count)
                {
                    all.Append(@new);
                    placed++;
                }

                all.Append(rune.ToString());
            }

            return (count < 0 || placed < count ? all.Append(@new) : all).ToString();
        }

        if (count < 0)
        {
            return s.Replace(old, @new, StringComparison.Ordinal);
        }

        var text = new StringBuilder();
        int pos = 0;
        long done = 0;
        while (done < count)
        {
            int at = s.IndexOf(old, pos, StringComparison.Ordinal);
            if (at < 0)
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
            throw JinjaErrors.Runtime(line, name == "count" ? "list.count() takes exactly one argument (0 given)." : "index expected at least 1 argument, got 0.");
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
