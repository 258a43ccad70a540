using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Directer.Core.Tokenization.PreTokenization;

/// <summary>
/// Translates the Oniguruma regex dialect that Hugging Face <c>tokenizers</c> uses for <c>Split</c> patterns into an
/// equivalent .NET regex: possessive quantifiers (<c>?+ *+ ++</c>) become atomic groups, <c>\p{Letter}</c>-style
/// names and <c>\p{^L}</c> become .NET category names, <c>\x{HHHH}</c>, <c>\h</c> and <c>\w</c> are rewritten, and
/// <c>^</c>/<c>$</c> keep Oniguruma's line-anchor meaning. Constructs with no faithful .NET counterpart (script
/// properties, <c>\R</c>, <c>\X</c>, class intersection, …) are rejected with <see cref="NotSupportedException"/>.
/// </summary>
internal static class OnigurumaPatternTranslator
{
    private const string WordClassBody = @"\p{L}\p{M}\p{Nd}\p{Pc}";

    private static readonly Dictionary<string, string> CategoryNames = BuildCategoryNames();

    /// <summary>Translates and compiles <paramref name="pattern"/>.</summary>
    /// <exception cref="NotSupportedException">The pattern uses a construct that cannot be translated faithfully.</exception>
    public static Regex Compile(string pattern)
    {
        string translated = Translate(pattern);
        try
        {
            return new Regex(translated, RegexOptions.Multiline | RegexOptions.CultureInvariant | RegexOptions.Compiled);
        }
        catch (ArgumentException e)
        {
            throw new NotSupportedException($"the pattern translated to .NET as {translated} does not compile: {e.Message}", e);
        }
    }

    /// <summary>Returns the .NET form of <paramref name="pattern"/>.</summary>
    public static string Translate(string pattern)
    {
        var output = new StringBuilder(pattern.Length + 16);
        var groupStarts = new Stack<int>();
        int lastAtomStart = -1;
        int i = 0;
        while (i < pattern.Length)
        {
            char c = pattern[i];
            switch (c)
            {
                case '\\':
                {
                    int atomStart = output.Length;
                    bool isAtom = TranslateEscape(pattern, ref i, output, inClass: false);
                    lastAtomStart = isAtom ? atomStart : -1;
                    break;
                }

                case '[':
                    lastAtomStart = output.Length;
                    TranslateClass(pattern, ref i, output);
                    break;

                case '(':
                    TranslateGroupOpen(pattern, ref i, output, groupStarts);
                    lastAtomStart = -1;
                    break;

                case ')':
                    if (groupStarts.Count == 0)
                    {
                        throw new NotSupportedException($"unbalanced ')' at index {i}");
                    }

                    lastAtomStart = groupStarts.Pop();
                    output.Append(')');
                    i++;
                    break;

                case '|':
                case '^':
                case '$':
                    output.Append(c);
                    lastAtomStart = -1;
                    i++;
                    break;

                case '?':
                case '*':
                case '+':
                case '{':
                {
                    if (c == '{' && !TryReadBraceQuantifier(pattern, i, out _, out _))
                    {
                        lastAtomStart = output.Length;
                        output.Append(@"\{");
                        i++;
                        break;
                    }

                    TranslateQuantifier(pattern, ref i, output, lastAtomStart);
                    lastAtomStart = -1;
                    break;
                }

                default:
                    if (char.IsSurrogate(c))
                    {
                        throw new NotSupportedException($"a supplementary-plane literal at index {i} is not supported");
                    }

                    lastAtomStart = output.Length;
                    output.Append(c);
                    i++;
                    break;
            }
        }

        if (groupStarts.Count != 0)
        {
            throw new NotSupportedException("unbalanced '('");
        }

        return output.ToString();
    }

    private static void TranslateQuantifier(string pattern, ref int i, StringBuilder output, int lastAtomStart)
    {
        if (lastAtomStart < 0)
        {
            throw new NotSupportedException($"quantifier '{pattern[i]}' at index {i} has nothing to repeat");
        }

        string quantifier;
        bool brace = pattern[i] == '{';
        if (brace)
        {
            TryReadBraceQuantifier(pattern, i, out int length, out quantifier);
            i += length;
        }
        else
        {
            quantifier = pattern[i].ToString();
            i++;
        }

        if (i < pattern.Length && pattern[i] == '?')
        {
            output.Append(quantifier).Append('?'); // lazy: same in .NET
            i++;
        }
        else if (i < pattern.Length && pattern[i] == '+')
        {
            i++;
            if (brace)
            {
                // Oniguruma's default syntax reads X{n,m}+ as (X{n,m})+, not as a possessive quantifier.
                output.Insert(lastAtomStart, "(?:").Append(quantifier).Append(")+");
            }
            else
            {
                output.Insert(lastAtomStart, "(?>").Append(quantifier).Append(')');
            }
        }
        else
        {
            output.Append(quantifier);
        }
    }

    private static bool TryReadBraceQuantifier(string pattern, int i, out int length, out string quantifier)
    {
        // {n} {n,} {n,m} {,m}
        int j = i + 1;
        int minStart = j;
        while (j < pattern.Length && char.IsAsciiDigit(pattern[j]))
        {
            j++;
        }

        string min = pattern[minStart..j];
        string? max = null;
        bool comma = false;
        if (j < pattern.Length && pattern[j] == ',')
        {
            comma = true;
            j++;
            int maxStart = j;
            while (j < pattern.Length && char.IsAsciiDigit(pattern[j]))
            {
                j++;
            }

            max = pattern[maxStart..j];
        }

        if (j >= pattern.Length || pattern[j] != '}' || (min.Length == 0 && string.IsNullOrEmpty(max)))
        {
            length = 0;
            quantifier = string.Empty;
            return false;
        }

        length = j + 1 - i;
        quantifier = comma ? $"{{{(min.Length == 0 ? "0" : min)},{max}}}" : $"{{{min}}}";
        return true;
    }

    private static void TranslateGroupOpen(string pattern, ref int i, StringBuilder output, Stack<int> groupStarts)
    {
        int start = output.Length;
        if (i + 1 >= pattern.Length || pattern[i + 1] != '?')
        {
            groupStarts.Push(start);
            output.Append('(');
            i++;
            return;
        }

        // (?...) forms.
        int j = i + 2;
        if (j >= pattern.Length)
        {
            throw new NotSupportedException($"incomplete group at index {i}");
        }

        char kind = pattern[j];
        if (kind is ':' or '=' or '!' or '>')
        {
            output.Append(pattern, i, 3);
            i += 3;
            groupStarts.Push(start);
            return;
        }

        if (kind == '<' && j + 1 < pattern.Length && pattern[j + 1] is '=' or '!')
        {
            output.Append(pattern, i, 4);
            i += 4;
            groupStarts.Push(start);
            return;
        }

        if (kind is '<' or '\'')
        {
            char close = kind == '<' ? '>' : '\'';
            int end = pattern.IndexOf(close, j + 1);
            if (end < 0)
            {
                throw new NotSupportedException($"unterminated group name at index {i}");
            }

            output.Append("(?<").Append(pattern, j + 1, end - j - 1).Append('>');
            i = end + 1;
            groupStarts.Push(start);
            return;
        }

        if (kind == '#')
        {
            int end = pattern.IndexOf(')', j);
            if (end < 0)
            {
                throw new NotSupportedException($"unterminated comment at index {i}");
            }

            i = end + 1;
            return;
        }

        // Option flags: (?imx-imx) or (?imx-imx:...)
        int k = j;
        while (k < pattern.Length && (pattern[k] is 'i' or 'm' or 'x' or '-'))
        {
            k++;
        }

        if (k == j || k >= pattern.Length || pattern[k] is not (')' or ':'))
        {
            throw new NotSupportedException($"unsupported group construct at index {i}");
        }

        string flags = pattern[j..k];
        if (flags.Contains('m'))
        {
            // Oniguruma's (?m) is .NET's Singleline (dot matches newline).
            throw new NotSupportedException($"the Oniguruma (?m) option at index {i} is not supported");
        }

        output.Append("(?").Append(flags).Append(pattern[k]);
        i = k + 1;
        if (pattern[k] == ':')
        {
            groupStarts.Push(start);
        }
    }

    private static void TranslateClass(string pattern, ref int i, StringBuilder output)
    {
        output.Append('[');
        i++;
        if (i < pattern.Length && pattern[i] == '^')
        {
            output.Append('^');
            i++;
        }

        if (i < pattern.Length && pattern[i] == ']')
        {
            output.Append(@"\]");
            i++;
        }

        while (true)
        {
            if (i >= pattern.Length)
            {
                throw new NotSupportedException("unterminated character class");
            }

            char c = pattern[i];
            if (c == ']')
            {
                output.Append(']');
                i++;
                return;
            }

            if (c == '\\')
            {
                TranslateEscape(pattern, ref i, output, inClass: true);
                continue;
            }

            if (c == '[')
            {
                throw new NotSupportedException($"nested character class or POSIX bracket at index {i} is not supported");
            }

            if (c == '&' && i + 1 < pattern.Length && pattern[i + 1] == '&')
            {
                throw new NotSupportedException($"class intersection '&&' at index {i} is not supported");
            }

            if (char.IsSurrogate(c))
            {
                throw new NotSupportedException($"a supplementary-plane literal at index {i} is not supported");
            }

            output.Append(c);
            i++;
        }
    }

    /// <summary>Translates the escape at <paramref name="i"/>; returns whether it is a repeatable atom.</summary>
    private static bool TranslateEscape(string pattern, ref int i, StringBuilder output, bool inClass)
    {
        if (i + 1 >= pattern.Length)
        {
            throw new NotSupportedException("the pattern ends with a lone backslash");
        }

        char e = pattern[i + 1];
        switch (e)
        {
            case 'p':
            case 'P':
            {
                bool negate = e == 'P';
                string name;
                if (i + 2 < pattern.Length && pattern[i + 2] == '{')
                {
                    int end = pattern.IndexOf('}', i + 3);
                    if (end < 0)
                    {
                        throw new NotSupportedException($"unterminated \\p{{ at index {i}");
                    }

                    name = pattern[(i + 3)..end];
                    i = end + 1;
                }
                else if (i + 2 < pattern.Length)
                {
                    name = pattern[i + 2].ToString();
                    i += 3;
                }
                else
                {
                    throw new NotSupportedException($"incomplete \\p at index {i}");
                }

                if (name.StartsWith('^'))
                {
                    negate = !negate;
                    name = name[1..];
                }

                string key = name.Replace("_", string.Empty).Replace(" ", string.Empty).Replace("-", string.Empty).ToLowerInvariant();
                if (!CategoryNames.TryGetValue(key, out string? category))
                {
                    throw new NotSupportedException($"Unicode property \\p{{{name}}} has no .NET equivalent (only general categories are supported)");
                }

                output.Append(negate ? @"\P{" : @"\p{").Append(category).Append('}');
                return true;
            }

            case 'x':
            {
                int codePoint = 0; // assigned here too so that a mutated condition below still compiles (mutation testing)
                if (i + 2 < pattern.Length && pattern[i + 2] == '{')
                {
                    int end = pattern.IndexOf('}', i + 3);
                    if (end < 0 || !int.TryParse(pattern.AsSpan(i + 3, end - i - 3), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out codePoint))
                    {
                        throw new NotSupportedException($"malformed \\x{{...}} at index {i}");
                    }

                    i = end + 1;
                }
                else if (i + 3 < pattern.Length && int.TryParse(pattern.AsSpan(i + 2, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out codePoint))
                {
                    i += 4;
                }
                else
                {
                    throw new NotSupportedException($"malformed \\x escape at index {i}");
                }

                if (codePoint > 0xFFFF)
                {
                    throw new NotSupportedException($"supplementary-plane escape \\x{{{codePoint:X}}} is not supported");
                }

                output.Append(@"\u").Append(codePoint.ToString("X4", CultureInfo.InvariantCulture));
                return true;
            }

            case 'h':
                output.Append(inClass ? "0-9a-fA-F" : "[0-9a-fA-F]");
                i += 2;
                return true;

            case 'H':
                if (inClass)
                {
                    throw new NotSupportedException($"\\H inside a character class at index {i} is not supported");
                }

                output.Append("[^0-9a-fA-F]");
                i += 2;
                return true;

            case 'w':
                output.Append(inClass ? WordClassBody : "[" + WordClassBody + "]");
                i += 2;
                return true;

            case 'W':
                if (inClass)
                {
                    throw new NotSupportedException($"\\W inside a character class at index {i} is not supported");
                }

                output.Append("[^" + WordClassBody + "]");
                i += 2;
                return true;

            case 'A':
            case 'z':
            case 'Z':
            case 'b':
            case 'B':
            case 'G':
                if (inClass && e == 'b')
                {
                    output.Append(@"\b");
                    i += 2;
                    return true;
                }

                output.Append('\\').Append(e);
                i += 2;
                return false;

            case 's':
            case 'S':
            case 'd':
            case 'D':
            case 'n':
            case 'r':
            case 't':
            case 'f':
            case 'v':
            case 'a':
            case 'e':
                output.Append('\\').Append(e);
                i += 2;
                return true;

            case 'u':
                if (i + 6 <= pattern.Length && int.TryParse(pattern.AsSpan(i + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _))
                {
                    output.Append(pattern, i, 6);
                    i += 6;
                    return true;
                }

                throw new NotSupportedException($"malformed \\u escape at index {i}");

            default:
                if (char.IsAsciiLetterOrDigit(e))
                {
                    throw new NotSupportedException($"escape \\{e} at index {i} is not supported");
                }

                if (char.IsSurrogate(e))
                {
                    throw new NotSupportedException($"a supplementary-plane literal at index {i} is not supported");
                }

                output.Append('\\').Append(e);
                i += 2;
                return true;
        }
    }

    private static Dictionary<string, string> BuildCategoryNames()
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string shortName, params string[] longNames)
        {
            names[shortName.ToLowerInvariant()] = shortName;
            foreach (string longName in longNames)
            {
                names[longName.Replace("_", string.Empty).ToLowerInvariant()] = shortName;
            }
        }

        Add("L", "Letter");
        Add("Lu", "Uppercase_Letter");
        Add("Ll", "Lowercase_Letter");
        Add("Lt", "Titlecase_Letter");
        Add("Lm", "Modifier_Letter");
        Add("Lo", "Other_Letter");
        Add("M", "Mark", "Combining_Mark");
        Add("Mn", "Nonspacing_Mark");
        Add("Mc", "Spacing_Mark");
        Add("Me", "Enclosing_Mark");
        Add("N", "Number");
        Add("Nd", "Decimal_Number");
        Add("Nl", "Letter_Number");
        Add("No", "Other_Number");
        Add("P", "Punctuation");
        Add("Pc", "Connector_Punctuation");
        Add("Pd", "Dash_Punctuation");
        Add("Ps", "Open_Punctuation");
        Add("Pe", "Close_Punctuation");
        Add("Pi", "Initial_Punctuation");
        Add("Pf", "Final_Punctuation");
        Add("Po", "Other_Punctuation");
        Add("S", "Symbol");
        Add("Sm", "Math_Symbol");
        Add("Sc", "Currency_Symbol");
        Add("Sk", "Modifier_Symbol");
        Add("So", "Other_Symbol");
        Add("Z", "Separator");
        Add("Zs", "Space_Separator");
        Add("Zl", "Line_Separator");
        Add("Zp", "Paragraph_Separator");
        Add("C", "Other");
        Add("Cc", "Control");
        Add("Cf", "Format");
        Add("Cs", "Surrogate");
        Add("Co", "Private_Use");
        Add("Cn", "Unassigned");
        return names;
    }
}
