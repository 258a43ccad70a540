using System.Text;

namespace Directer.Core.Generation.Constraints;

/// <summary>
/// The bytes of a reply in which every tool call is a valid call of a listed tool, in one format's markup
/// (<see cref="CallSyntax"/>): Hermes <c>&lt;tool_call&gt; {"name": "T", "arguments": {"k": v, ...}} &lt;/tool_call&gt;</c>,
/// Llama 3 <c>{"name": "T", "parameters": {...}}</c>, Mistral <c>[TOOL_CALLS] [{"name": "T", "arguments": {...}}, ...]</c>,
/// Granite <c>&lt;|tool_call|&gt;[...]</c> as Mistral's list;
/// with T one of the tools, the argument names T's schema declares (each at most once, the required ones all present),
/// and values of their declared simple type (string, integer, number, boolean, enum; anything else is
/// any JSON value). Whitespace may separate JSON tokens, at most <see cref="MaxWhitespace"/> bytes in a
/// row. Text outside calls is free. The order is name, then arguments, as every one of these formats writes it.
/// </summary>
internal sealed class ToolCallGrammar
{
    /// <summary>The tag that opens a Hermes call.</summary>
    public const string OpenTag = "<tool_call>";

    /// <summary>The tag that closes a Hermes call.</summary>
    public const string CloseTagText = "</tool_call>";

    /// <summary>Most whitespace bytes in a row between JSON tokens.</summary>
    public const int MaxWhitespace = 16;

    private const byte NumberSign = 1, NumberZero = 2, NumberInt = 3, NumberDot = 4, NumberFraction = 5, NumberExp = 6, NumberExpSign = 7, NumberExpDigits = 8;

    private static readonly LiteralTrie NameKeyText = Single("\"name\"");
    private static readonly LiteralTrie CloseTagTrie = Single(CloseTagText);
    private static readonly LiteralTrie JsonWords = LiteralTrie.Build(["true"u8.ToArray(), "false"u8.ToArray(), "null"u8.ToArray()]);

    private readonly LiteralTrie names;
    private readonly byte[][] quotedNames;

    /// <summary>Creates the grammar of Hermes calls of <paramref name="tools"/>.</summary>
    public ToolCallGrammar(IReadOnlyList<ToolGrammar> tools)
        : this(tools, CallSyntax.Hermes)
    {
    }

    /// <summary>Creates the grammar of calls of <paramref name="tools"/> written in <paramref name="syntax"/>.</summary>
    public ToolCallGrammar(IReadOnlyList<ToolGrammar> tools, CallSyntax syntax)
    {
        Syntax = syntax;
        if (tools.Count == 0)
        {
            throw new ArgumentException("A tool-call grammar needs at least one tool.", nameof(tools));
        }

        var duplicate = tools.GroupBy(t => t.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Tool name '{duplicate.Key}' is listed more than once.", nameof(tools));
        }

        Tools = tools;
        quotedNames = tools.Select(t => ToolGrammar.JsonQuoted(t.Name)).ToArray();
        names = LiteralTrie.Build(quotedNames);
    }

    /// <summary>The markup around calls.</summary>
    public CallSyntax Syntax { get; }

    /// <summary>The opener's bytes. It has no proper prefix that is also a suffix, which the matching relies on.</summary>
    public ReadOnlySpan<byte> Opener => Syntax.Opener;

    /// <summary>The state just after the opener was written (as a special token or as text), keeping a whole-name
    /// choice made before (a required tool).</summary>
    public CallState Opened(in CallState s) => CallState.Outside with { Phase = Syntax.AfterOpener, NameChoices = s.NameChoices };

    /// <summary>The tools, in listed order.</summary>
    public IReadOnlyList<ToolGrammar> Tools { get; }

    /// <summary>
    /// While the tool name is being written and more than one listed tool still fits: each such tool with the
    /// bytes that would complete its name from here (a space first when nothing follows the colon yet, as every
    /// format writes it: <c>json.dumps</c>'s <c>": "</c>). Empty otherwise.
    /// </summary>
    public IReadOnlyList<(int Tool, byte[] Remaining)> NameAlternatives(in CallState s)
    {
        if (s.Phase != CallPhase.NameValue || s.NameChoices != 0)
        {
            return [];
        }

        ulong fits = (s.Node ?? names).Below;
        if ((fits & (fits - 1)) == 0)
        {
            return [];
        }

        var alternatives = new List<(int, byte[])>();
        for (int tool = 0; tool < Tools.Count; tool++)
        {
            if ((fits & (1UL << tool)) != 0)
            {
                byte[] rest = quotedNames[tool][s.NameBytes..];
                alternatives.Add((tool, s.NameBytes == 0 && s.Whitespace == 0 ? [(byte)' ', .. rest] : rest));
            }
        }

        return alternatives;
    }

    /// <summary>Restricts the name being written to <paramref name="tool"/>.</summary>
    public static void ChooseName(ref CallState s, int tool) => s.NameChoices = 1UL << tool;

    /// <summary>Whether <paramref name="s"/> is inside a JSON string with no escape pending (plain bytes then leave it unchanged).</summary>
    public static bool InPlainString(in CallState s) =>
        s.Phase == CallPhase.Value && (s.Value is ValuePhase.String or ValuePhase.KeyString) && s.Text == 0;

    /// <summary>Feeds every byte of <paramref name="bytes"/>; false (state undefined) when one is refused.</summary>
    public bool FeedAll(ref CallState state, ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            if (!Feed(ref state, b))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Advances <paramref name="s"/> by one byte; false (state undefined) when the byte is not allowed.</summary>
    public bool Feed(ref CallState s, byte b)
    {
        bool accepted = Step(ref s, b);
        if (accepted && !IsWhitespace(b))
        {
            s.Whitespace = 0;
        }

        return accepted;
    }

    /// <summary>
    /// One byte, handed to the phase that reads it. A phase may hand the same byte on to the next phase
    /// (<see cref="ByteStep.ReadAgain"/>): a value's first byte picks how the value is read, and a literal or number
    /// ends at the delimiter after it.
    /// </summary>
    private bool Step(ref CallState s, byte b)
    {
        while (true)
        {
            var step = s.Phase switch
            {
                CallPhase.Free => Taken(FreeByte(ref s, b)),
                CallPhase.MustOpen => Taken(MustOpenByte(ref s, b)),
                CallPhase.ListOpen => Taken(Expect(ref s, b, '[', CallPhase.OpenBrace)),
                CallPhase.ListNext => Taken(ListNextByte(ref s, b)),
                CallPhase.OpenBrace => Taken(Expect(ref s, b, '{', CallPhase.NameKey)),
                CallPhase.NameKey => Taken(Literal(ref s, b, NameKeyText, 0, out _, CallPhase.NameColon)),
                CallPhase.NameColon => Taken(Expect(ref s, b, ':', CallPhase.NameValue)),
                CallPhase.NameValue => Taken(NameByte(ref s, b)),
                CallPhase.NameComma => Taken(Expect(ref s, b, ',', CallPhase.ArgumentsKey)),
                CallPhase.ArgumentsKey => Taken(Literal(ref s, b, Syntax.ArgumentsKey, 0, out _, CallPhase.ArgumentsColon)),
                CallPhase.ArgumentsColon => Taken(Expect(ref s, b, ':', CallPhase.ArgumentsOpen)),
                CallPhase.ArgumentsOpen => Taken(ArgumentsOpenByte(ref s, b)),
                CallPhase.FirstKey or CallPhase.NextKey => Taken(KeyStartByte(ref s, b)),
                CallPhase.Key => Taken(KeyByte(ref s, b)),
                CallPhase.KeyColon => Taken(Expect(ref s, b, ':', CallPhase.ValueStart)),
                CallPhase.ValueStart => ValueStartByte(ref s, b),
                CallPhase.LiteralValue => LiteralValueByte(ref s, b),
                CallPhase.Value => StepValue(ref s, b),
                CallPhase.AfterValue => Taken(AfterValueByte(ref s, b)),
                CallPhase.CloseBrace => Taken(CloseBraceByte(ref s, b)),
                CallPhase.CloseTag => Taken(CloseTagByte(ref s, b)),
                _ => throw new InvalidOperationException($"Unknown call phase {s.Phase}."),
            };
            if (step != ByteStep.ReadAgain)
            {
                return step == ByteStep.Taken;
            }
        }
    }

    private static ByteStep Taken(bool accepted) => accepted ? ByteStep.Taken : ByteStep.Refused;

    /// <summary>Outside a call: any byte, watching for the opener.</summary>
    private bool FreeByte(ref CallState s, byte b)
    {
        // Opener has no border, so a mismatch restarts the match at this byte.
        var opener = Opener;
        s.OpenerMatched = b == opener[s.OpenerMatched] ? (byte)(s.OpenerMatched + 1) : b == opener[0] ? (byte)1 : (byte)0;
        if (s.OpenerMatched == opener.Length)
        {
            s = Opened(CallState.Outside);
        }

        return true;
    }

    /// <summary>A reply that must open with a call: only the next byte of the opener.</summary>
    private bool MustOpenByte(ref CallState s, byte b)
    {
        var opener = Opener;
        if (b != opener[s.OpenerMatched])
        {
            return false;
        }

        s.OpenerMatched++;
        if (s.OpenerMatched == opener.Length)
        {
            s = Opened(s);
        }

        return true;
    }

    /// <summary>The call object's <c>}</c>; then what the format puts after a call.</summary>
    private bool CloseBraceByte(ref CallState s, byte b)
    {
        if (TakeWhitespace(ref s, b))
        {
            return true;
        }

        if (b != '}')
        {
            return false;
        }

        if (Syntax.AfterObject == CallPhase.Free)
        {
            s = CallState.Outside;
        }
        else
        {
            s.Phase = Syntax.AfterObject;
            s.Node = null;
        }

        return true;
    }

    /// <summary>After a call in a list: <c>,</c> and the next call object, or <c>]</c>, which ends the calls.</summary>
    private static bool ListNextByte(ref CallState s, byte b)
    {
        if (TakeWhitespace(ref s, b))
        {
            return true;
        }

        if (b == ',')
        {
            // The next call chooses its tool afresh.
            s = CallState.Outside with { Phase = CallPhase.OpenBrace, Whitespace = s.Whitespace };
            return true;
        }

        if (b == ']')
        {
            s = CallState.Outside;
            return true;
        }

        return false;
    }

    /// <summary>A byte of a quoted tool name (only the chosen one, once a whole-name choice was made).</summary>
    private bool NameByte(ref CallState s, byte b)
    {
        if (!Literal(ref s, b, names, s.NameChoices == 0 ? 0 : ~s.NameChoices, out int chosen, CallPhase.NameComma))
        {
            return false;
        }

        if (s.Node is not null || chosen >= 0)
        {
            s.NameBytes++;
        }

        if (chosen >= 0)
        {
            s.Tool = chosen;
        }

        return true;
    }

    /// <summary>The arguments object's <c>{</c>: declared arguments are read by name, otherwise any JSON object.</summary>
    private bool ArgumentsOpenByte(ref CallState s, byte b)
    {
        if (TakeWhitespace(ref s, b))
        {
            return true;
        }

        if (b != '{')
        {
            return false;
        }

        s.Used = 0;
        if (Tools[s.Tool].Keys is null)
        {
            // No declared arguments: any JSON object, read as a general value one level deep.
            s.Phase = CallPhase.Value;
            s.Value = ValuePhase.ObjectFirst;
            s.Depth = 1;
            s.Containers = 0;
        }
        else
        {
            s.Phase = CallPhase.FirstKey;
        }

        return true;
    }

    /// <summary>The first byte of an argument name not used yet, or <c>}</c> of an object with nothing required.</summary>
    private bool KeyStartByte(ref CallState s, byte b)
    {
        var tool = Tools[s.Tool];
        if (TakeWhitespace(ref s, b))
        {
            return true;
        }

        if (b == '}' && s.Phase == CallPhase.FirstKey && tool.Required == 0)
        {
            s.Phase = CallPhase.CloseBrace;
            return true;
        }

        var next = tool.Keys!.Next(b, s.Used);
        if (next is null)
        {
            return false;
        }

        s.Phase = CallPhase.Key;
        s.Node = next;
        return true;
    }

    /// <summary>A later byte of an argument name; its closing quote marks the argument used.</summary>
    private static bool KeyByte(ref CallState s, byte b)
    {
        var next = s.Node!.Next(b, s.Used);
        if (next is null)
        {
            return false;
        }

        s.Node = next;
        if (next.Terminal >= 0 && !next.HasChildren)
        {
            s.Argument = next.Terminal;
            s.Used |= 1UL << next.Terminal;
            s.Node = null;
            s.Phase = CallPhase.KeyColon;
        }

        return true;
    }

    /// <summary>A value's first byte, which the argument's declared kind must allow.</summary>
    private ByteStep ValueStartByte(ref CallState s, byte b)
    {
        if (TakeWhitespace(ref s, b))
        {
            return ByteStep.Taken;
        }

        var tool = Tools[s.Tool];
        switch (tool.Kinds[s.Argument])
        {
            case ArgumentKind.String:
                if (b != '"')
                {
                    return ByteStep.Refused;
                }

                s.Phase = CallPhase.Value;
                s.Value = ValuePhase.String;
                s.Text = 0;
                return ByteStep.Taken;
            case ArgumentKind.Integer or ArgumentKind.Number:
                if (!StartsNumber(b))
                {
                    return ByteStep.Refused;
                }

                s.Phase = CallPhase.Value;
                s.Value = ValuePhase.Number;
                s.IntegerOnly = tool.Kinds[s.Argument] == ArgumentKind.Integer;
                s.Number = b == '-' ? NumberSign : b == '0' ? NumberZero : NumberInt;
                return ByteStep.Taken;
            case ArgumentKind.Literals:
                s.Phase = CallPhase.LiteralValue;
                s.Node = null;
                return ByteStep.ReadAgain;
            default:
                s.Phase = CallPhase.Value;
                s.Value = ValuePhase.Start;
                s.Depth = 0;
                return ByteStep.ReadAgain;
        }
    }

    /// <summary>A byte of an enum or boolean literal.</summary>
    private ByteStep LiteralValueByte(ref CallState s, byte b)
    {
        var next = (s.Node ?? Tools[s.Tool].Literals[s.Argument]!).Next(b, 0);
        if (next is not null)
        {
            s.Node = next;
            if (next.Terminal >= 0 && !next.HasChildren)
            {
                ValueDone(ref s);
            }

            return ByteStep.Taken;
        }

        if (s.Node is { Terminal: >= 0 })
        {
            // A literal that a longer one extends (1 and 12) ends at the next delimiter, read again after it.
            ValueDone(ref s);
            return ByteStep.ReadAgain;
        }

        return ByteStep.Refused;
    }

    /// <summary>After a value: a comma while arguments remain, or <c>}</c> once every required one is there.</summary>
    private bool AfterValueByte(ref CallState s, byte b)
    {
        if (TakeWhitespace(ref s, b))
        {
            return true;
        }

        var tool = Tools[s.Tool];
        if (b == ',' && (tool.All & ~s.Used) != 0)
        {
            s.Phase = CallPhase.NextKey;
            return true;
        }

        if (b == '}' && (tool.Required & ~s.Used) == 0)
        {
            s.Phase = CallPhase.CloseBrace;
            return true;
        }

        return false;
    }

    /// <summary>A byte of the closing tag; the call ends with its last byte.</summary>
    private static bool CloseTagByte(ref CallState s, byte b)
    {
        if (!Literal(ref s, b, CloseTagTrie, 0, out int closed, CallPhase.CloseTag))
        {
            return false;
        }

        if (closed >= 0)
        {
            s = CallState.Outside;
        }

        return true;
    }

    /// <summary>What a phase did with a byte.</summary>
    private enum ByteStep
    {
        Refused,
        Taken,
        ReadAgain,
    }

    private ByteStep StepValue(ref CallState s, byte b)
    {
        switch (s.Value)
        {
            case ValuePhase.Start:
                if (TakeWhitespace(ref s, b))
                {
                    return ByteStep.Taken;
                }

                switch (b)
                {
                    case (byte)'"':
                        s.Value = ValuePhase.String;
                        s.Text = 0;
                        return ByteStep.Taken;
                    case (byte)'{' or (byte)'[':
                        if (s.Depth >= 64)
                        {
                            return ByteStep.Refused;
                        }

                        s.Containers = b == '[' ? s.Containers | (1UL << s.Depth) : s.Containers & ~(1UL << s.Depth);
                        s.Depth++;
                        s.Value = b == '[' ? ValuePhase.ArrayFirst : ValuePhase.ObjectFirst;
                        return ByteStep.Taken;
                    case (byte)'t' or (byte)'f' or (byte)'n':
                        s.Value = ValuePhase.Literal;
                        s.Node = JsonWords.Next(b, 0);
                        return ByteStep.Taken;
                    default:
                        if (!StartsNumber(b))
                        {
                            return ByteStep.Refused;
                        }

                        s.Value = ValuePhase.Number;
                        s.IntegerOnly = false;
                        s.Number = b == '-' ? NumberSign : b == '0' ? NumberZero : NumberInt;
                        return ByteStep.Taken;
                }

            case ValuePhase.String or ValuePhase.KeyString:
                switch (StringByte(ref s, b))
                {
                    case null:
                        return ByteStep.Refused;
                    case true:
                        if (s.Value == ValuePhase.KeyString)
                        {
                            s.Value = ValuePhase.Colon;
                        }
                        else
                        {
                            ValueDone(ref s);
                        }

                        return ByteStep.Taken;
                    default:
                        return ByteStep.Taken;
                }

            case ValuePhase.Number:
                if (NumberByte(ref s, b))
                {
                    return ByteStep.Taken;
                }

                if (s.Number is NumberZero or NumberInt or NumberFraction or NumberExpDigits)
                {
                    ValueDone(ref s);
                    return ByteStep.ReadAgain;
                }

                return ByteStep.Refused;
            case ValuePhase.Literal:
            {
                var next = s.Node!.Next(b, 0);
                if (next is null)
                {
                    return ByteStep.Refused;
                }

                s.Node = next;
                if (next.Terminal >= 0)
                {
                    s.Node = null;
                    ValueDone(ref s);
                }

                return ByteStep.Taken;
            }

            case ValuePhase.ArrayFirst:
                if (TakeWhitespace(ref s, b))
                {
                    return ByteStep.Taken;
                }

                if (b == ']')
                {
                    s.Depth--;
                    ValueDone(ref s);
                    return ByteStep.Taken;
                }

                s.Value = ValuePhase.Start;
                return ByteStep.ReadAgain;
            case ValuePhase.ObjectFirst or ValuePhase.ObjectKey:
                if (TakeWhitespace(ref s, b))
                {
                    return ByteStep.Taken;
                }

                if (b == '}' && s.Value == ValuePhase.ObjectFirst)
                {
                    s.Depth--;
                    ValueDone(ref s);
                    return ByteStep.Taken;
                }

                if (b != '"')
                {
                    return ByteStep.Refused;
                }

                s.Value = ValuePhase.KeyString;
                s.Text = 0;
                return ByteStep.Taken;
            case ValuePhase.Colon:
                if (TakeWhitespace(ref s, b))
                {
                    return ByteStep.Taken;
                }

                if (b != ':')
                {
                    return ByteStep.Refused;
                }

                s.Value = ValuePhase.Start;
                return ByteStep.Taken;
            case ValuePhase.AfterItem:
            {
                if (TakeWhitespace(ref s, b))
                {
                    return ByteStep.Taken;
                }

                bool inArray = (s.Containers & (1UL << (s.Depth - 1))) != 0;
                if (b == ',')
                {
                    s.Value = inArray ? ValuePhase.Start : ValuePhase.ObjectKey;
                    return ByteStep.Taken;
                }

                if (b == (inArray ? ']' : '}'))
                {
                    s.Depth--;
                    ValueDone(ref s);
                    return ByteStep.Taken;
                }

                return ByteStep.Refused;
            }

            default:
                throw new InvalidOperationException($"Unknown value phase {s.Value}.");
        }
    }

    /// <summary>A value just ended: back in its container, or at the argument level: after the argument, or
    /// (for a tool without declared arguments, whose whole arguments object is a general value) before the call's <c>}</c>.</summary>
    private void ValueDone(ref CallState s)
    {
        s.Node = null;
        if (s.Depth > 0)
        {
            s.Phase = CallPhase.Value;
            s.Value = ValuePhase.AfterItem;
        }
        else
        {
            s.Phase = Tools[s.Tool].Keys is null ? CallPhase.CloseBrace : CallPhase.AfterValue;
        }
    }

    /// <summary>One byte of a JSON string after its opening quote: null refused, true closed, false inside.</summary>
    private static bool? StringByte(ref CallState s, byte b)
    {
        switch (s.Text)
        {
            case 0:
                if (b == '"')
                {
                    return true;
                }

                if (b == '\\')
                {
                    s.Text = 1;
                    return false;
                }

                return b < 0x20 ? null : false;
            case 1:
                if (b == 'u')
                {
                    s.Text = 14;
                    return false;
                }

                if (b is (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t')
                {
                    s.Text = 0;
                    return false;
                }

                return null;
            default:
                if (!char.IsAsciiHexDigit((char)b))
                {
                    return null;
                }

                s.Text = (byte)(s.Text == 11 ? 0 : s.Text - 1);
                return false;
        }
    }

    /// <summary>One more byte of a number, if it can continue it.</summary>
    private static bool NumberByte(ref CallState s, byte b)
    {
        bool digit = b is >= (byte)'0' and <= (byte)'9';
        bool dot = b == '.' && !s.IntegerOnly;
        bool exp = b is (byte)'e' or (byte)'E' && !s.IntegerOnly;
        byte next = s.Number switch
        {
            NumberSign => b == '0' ? NumberZero : digit ? NumberInt : (byte)0,
            NumberZero => dot ? NumberDot : exp ? NumberExp : (byte)0,
            NumberInt => digit ? NumberInt : dot ? NumberDot : exp ? NumberExp : (byte)0,
            NumberDot => digit ? NumberFraction : (byte)0,
            NumberFraction => digit ? NumberFraction : exp ? NumberExp : (byte)0,
            NumberExp => b is (byte)'+' or (byte)'-' ? NumberExpSign : digit ? NumberExpDigits : (byte)0,
            NumberExpSign or NumberExpDigits => digit ? NumberExpDigits : (byte)0,
            _ => 0,
        };
        if (next == 0)
        {
            return false;
        }

        s.Number = next;
        return true;
    }

    private static bool StartsNumber(byte b) => b == '-' || b is >= (byte)'0' and <= (byte)'9';

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\n' or (byte)'\t' or (byte)'\r';

    private static bool TakeWhitespace(ref CallState s, byte b)
    {
        if (!IsWhitespace(b) || s.Whitespace >= MaxWhitespace)
        {
            return false;
        }

        s.Whitespace++;
        return true;
    }

    private static bool Expect(ref CallState s, byte b, char expected, CallPhase next)
    {
        if (TakeWhitespace(ref s, b))
        {
            return true;
        }

        if (b != expected)
        {
            return false;
        }

        s.Phase = next;
        s.Node = null;
        return true;
    }

    /// <summary>A byte of a literal from <paramref name="root"/> (whitespace may precede its first byte);
    /// <paramref name="done"/> is the literal's index when it just ended, else -1.</summary>
    private static bool Literal(ref CallState s, byte b, LiteralTrie root, ulong used, out int done, CallPhase next)
    {
        done = -1;
        if (s.Node is null && TakeWhitespace(ref s, b))
        {
            return true;
        }

        var node = (s.Node ?? root).Next(b, used);
        if (node is null)
        {
            return false;
        }

        s.Node = node;
        if (node.Terminal >= 0 && !node.HasChildren)
        {
            done = node.Terminal;
            s.Node = null;
            s.Phase = next;
        }

        return true;
    }

    private static LiteralTrie Single(string text) => LiteralTrie.Build([Encoding.UTF8.GetBytes(text)]);
}
