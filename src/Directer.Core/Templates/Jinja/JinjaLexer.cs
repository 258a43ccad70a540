using System.Globalization;
using System.Text;
using Directer.Core.PythonCompat;

namespace Directer.Core.Templates.Jinja;

/// <summary>Splits a template into tokens the way jinja2's lexer does with transformers' settings
/// (<c>trim_blocks</c>, <c>lstrip_blocks</c>, no <c>keep_trailing_newline</c>): <c>-</c> strips all white space on
/// its side, <c>+</c> keeps it, a block or comment tag eats the newline after it, and white space between a line's
/// start and a block or comment tag is dropped.</summary>
internal sealed class JinjaLexer
{
    private readonly string source;
    private readonly List<JinjaToken> tokens = [];
    private int pos;
    private int line = 1;
    private bool lineStarting = true;

    private JinjaLexer(string source)
    {
        // jinja2 reads "\r\n", "\r" and "\n" alike as a newline before it lexes (tags, trim_blocks, line numbers
        // and string literals all see "\n"), and drops one trailing newline (keep_trailing_newline=False).
        source = source.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        this.source = source.EndsWith('\n') ? source[..^1] : source;
    }

    /// <summary>Tokenizes a template.</summary>
    public static List<JinjaToken> Tokenize(string source)
    {
        var lexer = new JinjaLexer(source);
        lexer.Run();
        return lexer.tokens;
    }

    private void Run()
    {
        while (pos < source.Length)
        {
            int start = FindTagStart(pos);
            if (start < 0)
            {
                AddData(source[pos..]);
                pos = source.Length;
                break;
            }

            char kind = source[start + 1];
            char sign = start + 2 < source.Length ? source[start + 2] : '\0';
            string text = source[pos..start];
            if (sign == '-')
            {
                text = text.TrimEnd(PythonWhiteSpace);
            }
            else if (sign != '+' && kind != '{')
            {
                int lineStart = text.LastIndexOf('\n') + 1;
                if ((lineStart > 0 || lineStarting) && lineStart < text.Length && AllWhiteSpace(text, lineStart))
                {
                    text = text[..lineStart];
                }
            }

            AddData(text);
            int tagLine = line + CountNewlines(pos, start);
            line = tagLine;
            pos = start + 2 + (sign is '-' or '+' ? 1 : 0);
            if (kind == '#')
            {
                LexComment(tagLine);
            }
            else if (kind == '%' && TryLexRaw(tagLine))
            {
                // raw block consumed
            }
            else
            {
                LexTag(kind == '{', tagLine);
            }
        }

        tokens.Add(new JinjaToken(JinjaTokenKind.End, string.Empty, line));
    }

    private static readonly char[] PythonWhiteSpace = BuildWhiteSpace();

    private static char[] BuildWhiteSpace()
    {
        var list = new List<char>();
        for (int c = 0; c <= 0xFFFF; c++)
        {
            if (PythonText.IsWhiteSpace((char)c))
            {
                list.Add((char)c);
            }
        }

        return list.ToArray();
    }

    private static bool AllWhiteSpace(string text, int from)
    {
        for (int i = from; i < text.Length; i++)
        {
            if (!PythonText.IsWhiteSpace(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    private int CountNewlines(int from, int to)
    {
        int n = 0;
        for (int i = from; i < to; i++)
        {
            if (source[i] == '\n')
            {
                n++;
            }
        }

        return n;
    }

    private int FindTagStart(int from)
    {
        for (int i = from; i < source.Length - 1; i++)
        {
            if (source[i] == '{' && source[i + 1] is '{' or '%' or '#')
            {
                return i;
            }
        }

        return -1;
    }

    private void AddData(string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        tokens.Add(new JinjaToken(JinjaTokenKind.Data, text, line));
    }

    /// <summary>After a closing tag: <c>-</c> strips all white space; otherwise a block or comment tag eats one newline.</summary>
    private void AfterTagEnd(bool strip, bool trimNewline)
    {
        if (strip)
        {
            while (pos < source.Length && PythonText.IsWhiteSpace(source[pos]))
            {
                if (source[pos] == '\n')
                {
                    line++;
                }

                pos++;
            }
        }
        else if (trimNewline && pos < source.Length && source[pos] == '\n')
        {
            pos++;
            line++;
            lineStarting = true;
            return;
        }

        lineStarting = false;
        if (pos > 0 && source[pos - 1] == '\n')
        {
            lineStarting = true;
        }
    }

    private void LexComment(int tagLine)
    {
        int end = source.IndexOf("#}", pos, StringComparison.Ordinal);
        if (end < 0)
        {
            throw JinjaErrors.Syntax(tagLine, "unclosed comment ({# without #}).");
        }

        bool strip = end > pos && source[end - 1] == '-';
        bool keep = end > pos && source[end - 1] == '+';
        line += CountNewlines(pos, end);
        pos = end + 2;
        AfterTagEnd(strip, trimNewline: !keep);
    }

    private bool TryLexRaw(int tagLine)
    {
        int tagStart = pos;
        int i = pos;
        while (i < source.Length && PythonText.IsWhiteSpace(source[i]))
        {
            i++;
        }

        if (string.CompareOrdinal(source, i, "raw", 0, 3) != 0)
        {
            return false;
        }

        i += 3;
        while (i < source.Length && PythonText.IsWhiteSpace(source[i]))
        {
            i++;
        }

        bool stripAfterOpen = false;
        if (i < source.Length && source[i] == '-')
        {
            stripAfterOpen = true;
            i++;
        }

        if (string.CompareOrdinal(source, i, "%}", 0, 2) != 0)
        {
            return false;
        }

        pos = i + 2;
        if (stripAfterOpen)
        {
            while (pos < source.Length && PythonText.IsWhiteSpace(source[pos]))
            {
                pos++;
            }
        }

        // The tag's own newlines ({%\nraw\n-%}) count, as the stripped ones after it do.
        line += CountNewlines(tagStart, pos);

        // trim_blocks does not apply to {% raw %}: jinja2 keeps the newline after it.

        // Find {% endraw %} with optional - and + signs.
        int search = pos;
        while (true)
        {
            int open = source.IndexOf("{%", search, StringComparison.Ordinal);
            if (open < 0)
            {
                throw JinjaErrors.Syntax(tagLine, "unclosed {% raw %} block (no {% endraw %}).");
            }

            int j = open + 2;
            char sign = j < source.Length ? source[j] : '\0';
            if (sign is '-' or '+')
            {
                j++;
            }

            while (j < source.Length && PythonText.IsWhiteSpace(source[j]))
            {
                j++;
            }

            if (string.CompareOrdinal(source, j, "endraw", 0, 6) == 0)
            {
                int k = j + 6;
                while (k < source.Length && PythonText.IsWhiteSpace(source[k]))
                {
                    k++;
                }

                char endSign = k < source.Length && source[k] is '-' or '+' ? source[k] : '\0';
                if (endSign != '\0')
                {
                    k++;
                }

                if (string.CompareOrdinal(source, k, "%}", 0, 2) == 0)
                {
                    string body = source[pos..open];
                    if (sign == '-')
                    {
                        body = body.TrimEnd(PythonWhiteSpace);
                    }
                    else if (sign != '+')
                    {
                        // lstrip_blocks: the white space that starts {% endraw %}'s line goes, as before any block tag.
                        int lineStart = body.LastIndexOf('\n') + 1;
                        if (lineStart > 0 && AllWhiteSpace(body, lineStart))
                        {
                            body = body[..lineStart];
                        }
                    }

                    AddData(body);
                    line += CountNewlines(pos, k + 2);
                    pos = k + 2;
                    AfterTagEnd(strip: endSign == '-', trimNewline: endSign != '+');
                    return true;
                }
            }

            search = open + 2;
        }
    }

    private void LexTag(bool variable, int tagLine)
    {
        tokens.Add(new JinjaToken(variable ? JinjaTokenKind.VariableBegin : JinjaTokenKind.BlockBegin, variable ? "{{" : "{%", tagLine));
        char close = variable ? '}' : '%';
        int depth = 0; // brackets open inside the tag: "}}" closes a dict literal there, not the tag
        while (true)
        {
            if (pos >= source.Length)
            {
                throw JinjaErrors.Syntax(tagLine, variable ? "unclosed {{ (no }})." : "unclosed {% (no %}).");
            }

            char c = source[pos];
            if (c == '\n')
            {
                line++;
                pos++;
                continue;
            }

            if (PythonText.IsWhiteSpace(c))
            {
                pos++;
                continue;
            }

            // End of the tag, with optional - control, and + (keep the newline) on block tags only: jinja2 reads
            // "+}}" as a plus sign.
            if (depth == 0 && (c == '-' || (c == '+' && !variable)) && Matches(pos + 1, close, '}'))
            {
                pos += 3;
                tokens.Add(new JinjaToken(variable ? JinjaTokenKind.VariableEnd : JinjaTokenKind.BlockEnd, string.Empty, line));
                AfterTagEnd(strip: c == '-', trimNewline: !variable && c != '+');
                return;
            }

            if (depth == 0 && Matches(pos, close, '}'))
            {
                pos += 2;
                tokens.Add(new JinjaToken(variable ? JinjaTokenKind.VariableEnd : JinjaTokenKind.BlockEnd, string.Empty, line));
                AfterTagEnd(strip: false, trimNewline: !variable);
                return;
            }

            if (char.IsAsciiLetter(c) || c == '_')
            {
                int s = pos;
                while (pos < source.Length && (char.IsAsciiLetterOrDigit(source[pos]) || source[pos] == '_'))
                {
                    pos++;
                }

                tokens.Add(new JinjaToken(JinjaTokenKind.Name, source[s..pos], line));
                continue;
            }

            if (char.IsAsciiDigit(c))
            {
                LexNumber();
                continue;
            }

            if (c is '\'' or '"')
            {
                LexString(c);
                continue;
            }

            string op = ReadOperator();
            if (op.Length == 0)
            {
                throw JinjaErrors.Syntax(line, $"unexpected character '{c}'.");
            }

            depth += op is "(" or "[" or "{" ? 1 : op is ")" or "]" or "}" ? -1 : 0;
            depth = Math.Max(depth, 0);
            tokens.Add(new JinjaToken(JinjaTokenKind.Operator, op, line));
        }
    }

    private bool Matches(int at, char first, char second) =>
        at + 1 < source.Length && source[at] == first && source[at + 1] == second;

    private static readonly string[] Operators =
        ["//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "=", ".", ",", ":", "|", "(", ")", "[", "]", "{", "}"];

    private string ReadOperator()
    {
        foreach (string op in Operators)
        {
            if (string.CompareOrdinal(source, pos, op, 0, op.Length) == 0)
            {
                pos += op.Length;
                return op;
            }
        }

        return string.Empty;
    }

    private void LexNumber()
    {
        int s = pos;
        while (pos < source.Length && (char.IsAsciiDigit(source[pos]) || source[pos] == '_'))
        {
            pos++;
        }

        bool isFloat = false;
        if (pos + 1 < source.Length && source[pos] == '.' && char.IsAsciiDigit(source[pos + 1]))
        {
            isFloat = true;
            pos++;
            while (pos < source.Length && (char.IsAsciiDigit(source[pos]) || source[pos] == '_'))
            {
                pos++;
            }
        }

        if (pos < source.Length && source[pos] is 'e' or 'E')
        {
            int save = pos;
            pos++;
            if (pos < source.Length && source[pos] is '+' or '-')
            {
                pos++;
            }

            if (pos < source.Length && char.IsAsciiDigit(source[pos]))
            {
                isFloat = true;
                while (pos < source.Length && char.IsAsciiDigit(source[pos]))
                {
                    pos++;
                }
            }
            else
            {
                pos = save;
            }
        }

        string text = source[s..pos].Replace("_", string.Empty, StringComparison.Ordinal);
        tokens.Add(new JinjaToken(isFloat ? JinjaTokenKind.Float : JinjaTokenKind.Integer, text, line));
    }

    /// <summary>A string literal, unescaped as jinja2 does (Python's unicode-escape codec; unknown escapes kept).</summary>
    private void LexString(char quote)
    {
        int startLine = line;
        pos++;
        var value = new StringBuilder();
        while (true)
        {
            if (pos >= source.Length)
            {
                throw JinjaErrors.Syntax(startLine, "unterminated string literal.");
            }

            char c = source[pos];
            if (c == quote)
            {
                pos++;
                break;
            }

            if (c == '\n')
            {
                line++;
            }

            if (c != '\\' || pos + 1 >= source.Length)
            {
                value.Append(c);
                pos++;
                continue;
            }

            char e = source[pos + 1];
            pos += 2;
            switch (e)
            {
                case 'n': value.Append('\n'); break;
                case 't': value.Append('\t'); break;
                case 'r': value.Append('\r'); break;
                case '\\': value.Append('\\'); break;
                case '\'': value.Append('\''); break;
                case '"': value.Append('"'); break;
                case 'b': value.Append('\b'); break;
                case 'f': value.Append('\f'); break;
                case 'v': value.Append('\v'); break;
                case 'a': value.Append('\a'); break;
                case '\n': line++; break; // line continuation
                case 'x': AppendHex(value, 2, startLine); break;
                case 'u': AppendHex(value, 4, startLine); break;
                case 'U': AppendHex(value, 8, startLine); break;
                case 'N': throw JinjaErrors.Unsupported(startLine, "the escape \\N{...} (a character by its Unicode name) in a string literal");
                case >= '0' and <= '7':
                    int code = e - '0';
                    for (int k = 0; k < 2 && pos < source.Length && source[pos] is >= '0' and <= '7'; k++)
                    {
                        code = (code * 8) + (source[pos++] - '0');
                    }

                    value.Append((char)code);
                    break;
                default:
                    value.Append('\\').Append(e);
                    break;
            }
        }

        // Adjacent literals are concatenated by the parser, as in jinja2.
        tokens.Add(new JinjaToken(JinjaTokenKind.String, value.ToString(), startLine));
    }

    private void AppendHex(StringBuilder value, int digits, int startLine)
    {
        if (pos + digits > source.Length || !int.TryParse(source.AsSpan(pos, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code))
        {
            throw JinjaErrors.Syntax(startLine, "malformed \\x, \\u or \\U escape in a string literal.");
        }

        pos += digits;
        if (code is < 0 or > 0x10FFFF)
        {
            throw JinjaErrors.Syntax(startLine, $"the escape \\U{code:x8} in a string literal is not a Unicode code point (at most 10ffff).");
        }

        // Python keeps a lone surrogate (\ud800) as one UTF-16 unit; ConvertFromUtf32 would throw on it.
        if (code <= 0xFFFF)
        {
            value.Append((char)code);
        }
        else
        {
            value.Append(char.ConvertFromUtf32(code));
        }
    }
}
