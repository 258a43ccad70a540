namespace Directer.Core.Generation.Constraints;

/// <summary>Where a tool call stands: <c>OPENER {"name": N, "arguments": {K: V, ...}} CLOSE</c> (see <see cref="CallSyntax"/>).</summary>
internal enum CallPhase : byte
{
    /// <summary>Outside a call: any text, watching for the opening tag.</summary>
    Free,

    /// <summary>The reply must open with a call: only the rest of the opening tag may follow.</summary>
    MustOpen,

    /// <summary>Before the <c>[</c> of a list of calls (Mistral).</summary>
    ListOpen,

    /// <summary>After a call in a list: <c>,</c> and another call, or <c>]</c> (Mistral).</summary>
    ListNext,

    /// <summary>Before the call object's <c>{</c>.</summary>
    OpenBrace,

    /// <summary>In (or before) the literal <c>"name"</c>.</summary>
    NameKey,

    /// <summary>Before the colon after <c>"name"</c>.</summary>
    NameColon,

    /// <summary>In (or before) one of the quoted tool names.</summary>
    NameValue,

    /// <summary>Before the comma after the name.</summary>
    NameComma,

    /// <summary>In (or before) the literal <c>"arguments"</c> (<c>"parameters"</c> in Llama 3's format).</summary>
    ArgumentsKey,

    /// <summary>Before the colon after <c>"arguments"</c>.</summary>
    ArgumentsColon,

    /// <summary>Before the arguments object's <c>{</c>.</summary>
    ArgumentsOpen,

    /// <summary>Just inside the arguments object: a first argument name, or <c>}</c>.</summary>
    FirstKey,

    /// <summary>After a comma: the next argument name.</summary>
    NextKey,

    /// <summary>Inside an argument name.</summary>
    Key,

    /// <summary>Before the colon after an argument name.</summary>
    KeyColon,

    /// <summary>Before an argument value.</summary>
    ValueStart,

    /// <summary>Inside an argument value (a JSON value; see <see cref="ValuePhase"/>).</summary>
    Value,

    /// <summary>Inside an argument value restricted to literals (enum, boolean).</summary>
    LiteralValue,

    /// <summary>After an argument value: a comma or the arguments' <c>}</c>.</summary>
    AfterValue,

    /// <summary>Before the call object's closing <c>}</c>.</summary>
    CloseBrace,

    /// <summary>In (or before) the closing tag.</summary>
    CloseTag,
}
