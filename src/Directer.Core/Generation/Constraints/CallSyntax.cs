using System.Text;
using Directer.Core.Templates;

namespace Directer.Core.Generation.Constraints;

/// <summary>
/// The markup around a tool call in one format: what opens a call, the key of its arguments, and what follows the call
/// object. The JSON inside (<c>{"name": T, KEY: {...}}</c>) is the same in every format and read by
/// <see cref="ToolCallGrammar"/>.
/// </summary>
internal sealed class CallSyntax
{
    private CallSyntax(ToolCallFormat format, string opener, CallPhase afterOpener, string argumentsKey, CallPhase afterObject)
    {
        Format = format;
        OpenerText = opener;
        Opener = Encoding.UTF8.GetBytes(opener);
        AfterOpener = afterOpener;
        ArgumentsKey = LiteralTrie.Build([Encoding.UTF8.GetBytes("\"" + argumentsKey + "\"")]);
        ArgumentsKeyText = argumentsKey;
        AfterObject = afterObject;
        if (HasBorder(Opener))
        {
            throw new InvalidOperationException($"The opener '{opener}' has a border; outside-call matching needs one without.");
        }
    }

    /// <summary><c>&lt;tool_call&gt; {"name": T, "arguments": {...}} &lt;/tool_call&gt;</c> (Qwen2.5, Qwen3, Hermes, Granite 4).</summary>
    public static CallSyntax Hermes { get; } = new(ToolCallFormat.Hermes, "<tool_call>", CallPhase.OpenBrace, "arguments", CallPhase.CloseTag);

    /// <summary><c>{"name": T, "parameters": {...}}</c> (Llama 3.1–3.3). The object's own start <c>{"name"</c> opens the
    /// call, at the start of the reply or after text (a <c>&lt;|python_tag|&gt;</c> before it is a special token and
    /// passes freely); the call ends with its <c>}</c>.</summary>
    public static CallSyntax Llama3Json { get; } = new(ToolCallFormat.Llama3Json, "{\"name\"", CallPhase.NameColon, "parameters", CallPhase.Free);

    /// <summary><c>[TOOL_CALLS] [{"name": T, "arguments": {...}}, ...]</c> (Mistral v3 and later, Mistral Nemo). The
    /// marker is usually one special token; the list holds one or more calls and ends the call with its <c>]</c>.</summary>
    public static CallSyntax Mistral { get; } = new(ToolCallFormat.Mistral, "[TOOL_CALLS]", CallPhase.ListOpen, "arguments", CallPhase.ListNext);

    /// <summary><c>&lt;|tool_call|&gt;[{"name": T, "arguments": {...}}, ...]</c> (Granite 3.x): Mistral's list after Granite's marker.</summary>
    public static CallSyntax Granite { get; } = new(ToolCallFormat.Granite, "<|tool_call|>", CallPhase.ListOpen, "arguments", CallPhase.ListNext);

    /// <summary>The format.</summary>
    public ToolCallFormat Format { get; }

    /// <summary>The text that opens a call (a special token's content when the tokenizer has it as one).</summary>
    public string OpenerText { get; }

    /// <summary>The opener's UTF-8 bytes. No proper prefix is also a suffix (checked), which the outside matching relies on.</summary>
    public byte[] Opener { get; }

    /// <summary>The phase just after the opener.</summary>
    public CallPhase AfterOpener { get; }

    /// <summary>The quoted key of the arguments object.</summary>
    public LiteralTrie ArgumentsKey { get; }

    /// <summary>The key of the arguments object, unquoted.</summary>
    public string ArgumentsKeyText { get; }

    /// <summary>What follows a call object's <c>}</c>: the closing tag, the list's <c>,</c> or <c>]</c>, or free text.</summary>
    public CallPhase AfterObject { get; }

    /// <summary>The syntax of <paramref name="format"/>, or null when the format has none.</summary>
    public static CallSyntax? For(ToolCallFormat format) => format switch
    {
        ToolCallFormat.Hermes => Hermes,
        ToolCallFormat.Llama3Json => Llama3Json,
        ToolCallFormat.Mistral => Mistral,
        ToolCallFormat.Granite => Granite,
        _ => null,
    };

    /// <summary>Whether some proper prefix of <paramref name="text"/> is also its suffix.</summary>
    private static bool HasBorder(byte[] text)
    {
        for (int length = 1; length < text.Length; length++)
        {
            if (text.AsSpan(0, length).SequenceEqual(text.AsSpan(text.Length - length)))
            {
                return true;
            }
        }

        return false;
    }
}
