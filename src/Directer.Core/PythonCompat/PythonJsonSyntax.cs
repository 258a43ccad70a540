namespace Directer.Core.PythonCompat;

/// <summary>
/// Whether a string is accepted by Python's <c>json.loads</c> (CPython's C scanner, default <c>strict=True</c>).
/// Beyond RFC 8259 that accepts the literals <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c>, any value at top level
/// (scalars included), duplicate object keys, and escaped lone surrogates; it rejects raw control characters inside
/// strings, a leading BOM, trailing commas, comments, single quotes and extra data after the value. Whitespace is
/// only space, tab, newline and carriage return. Nesting deeper than <see cref="MaxDepth"/> is treated as invalid
/// (Python would raise <c>RecursionError</c> near 1000 levels, which the official checker does not catch).
/// </summary>
internal static class PythonJsonSyntax
{
    /// <summary>The deepest nesting accepted: the most arrays and objects around one another.</summary>
    public const int MaxDepth = 1000;

    /// <summary>True when <c>json.loads(text)</c> would succeed.</summary>
    public static bool IsValid(string text)
    {
        int pos = 0;
        SkipSpace(text, ref pos);
        if (!Value(text, ref pos, 0)) return false;
        SkipSpace(text, ref pos);
        return pos == text.Length;
    }

    private static void SkipSpace(string s, ref int pos)
    {
        while (pos < s.Length && s[pos] is ' ' or '\t' or '\n' or '\r') pos++;
    }

    private static bool Value(string s, ref int pos, int depth)
    {
        if (pos >= s.Length) return false;
        switch (s[pos])
        {
            // depth counts the containers around this value; the one it opens is one more
            case '{': return depth < MaxDepth && Object(s, ref pos, depth + 1);
            case '[': return depth < MaxDepth && Array(s, ref pos, depth + 1);
            case '"': return String(s, ref pos);
            case 'n': return Literal(s, ref pos, "null");
            case 't': return Literal(s, ref pos, "true");
            case 'f': return Literal(s, ref pos, "false");
            case 'N': return Literal(s, ref pos, "NaN");
            case 'I': return Literal(s, ref pos, "Infinity");
            case '-' when pos + 1 < s.Length && s[pos + 1] == 'I': return Literal(s, ref pos, "-Infinity");
            default: return Number(s, ref pos);
        }
    }

    private static bool Literal(string s, ref int pos, string literal)
    {
        if (string.CompareOrdinal(s, pos, literal, 0, literal.Length) != 0) return false;
        pos += literal.Length;
        return true;
    }

    private static bool Object(string s, ref int pos, int depth)
    {
        pos++; // '{'
        SkipSpace(s, ref pos);
        if (pos < s.Length && s[pos] == '}')
        {
            pos++;
            return true;
        }
        while (true)
        {
            if (pos >= s.Length || s[pos] != '"' || !String(s, ref pos)) return false;
            SkipSpace(s, ref pos);
            if (pos >= s.Length || s[pos] != ':') return false;
            pos++;
            SkipSpace(s, ref pos);
            if (!Value(s, ref pos, depth)) return false;
            SkipSpace(s, ref pos);
            if (pos >= s.Length) return false;
            if (s[pos] == '}')
            {
                pos++;
                return true;
            }
            if (s[pos] != ',') return false;
            pos++;
            SkipSpace(s, ref pos);
        }
    }

    private static bool Array(string s, ref int pos, int depth)
    {
        pos++; // '['
        SkipSpace(s, ref pos);
        if (pos < s.Length && s[pos] == ']')
        {
            pos++;
            return true;
        }
        while (true)
        {
            if (!Value(s, ref pos, depth)) return false;
            SkipSpace(s, ref pos);
            if (pos >= s.Length) return false;
            if (s[pos] == ']')
            {
                pos++;
                return true;
            }
            if (s[pos] != ',') return false;
            pos++;
            SkipSpace(s, ref pos);
        }
    }

    private static bool String(string s, ref int pos)
    {
        pos++; // opening quote
        while (pos < s.Length)
        {
            char c = s[pos];
            if (c == '"')
            {
                pos++;
                return true;
            }
            if (c < 0x20) return false; // strict mode: no raw control characters
            if (c == '\\')
            {
                if (pos + 1 >= s.Length) return false;
                char e = s[pos + 1];
                if (e is '"' or '\\' or '/' or 'b' or 'f' or 'n' or 'r' or 't')
                {
                    pos += 2;
                    continue;
                }
                if (e != 'u' || pos + 6 > s.Length) return false;
                for (int i = pos + 2; i < pos + 6; i++)
                {
                    if (!char.IsAsciiHexDigit(s[i])) return false;
                }
                pos += 6;
                continue;
            }
            pos++;
        }
        return false;
    }

    private static bool Number(string s, ref int pos)
    {
        // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)? with ASCII digits, as CPython's scanner matches it.
        int p = pos;
        if (p < s.Length && s[p] == '-') p++;
        if (p >= s.Length || !char.IsAsciiDigit(s[p])) return false;
        if (s[p] == '0') p++;
        else while (p < s.Length && char.IsAsciiDigit(s[p])) p++;
        if (p + 1 < s.Length && s[p] == '.' && char.IsAsciiDigit(s[p + 1]))
        {
            p += 2;
            while (p < s.Length && char.IsAsciiDigit(s[p])) p++;
        }
        if (p < s.Length && s[p] is 'e' or 'E')
        {
            int q = p + 1;
            if (q < s.Length && s[q] is '+' or '-') q++;
            if (q < s.Length && char.IsAsciiDigit(s[q]))
            {
                while (q < s.Length && char.IsAsciiDigit(s[q])) q++;
                p = q;
            }
        }
        pos = p;
        return true;
    }
}
