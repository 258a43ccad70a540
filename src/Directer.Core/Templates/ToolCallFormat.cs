namespace Directer.Core.Templates;

/// <summary>How a model writes tool calls, as its chat template shows them.</summary>
public enum ToolCallFormat
{
    /// <summary>The template shows no tool-call format.</summary>
    None,

    /// <summary><c>&lt;tool_call&gt;{"name": ..., "arguments": ...}&lt;/tool_call&gt;</c> (Qwen2.5, Qwen3, QwQ, Hermes tool-use templates, Granite 4).</summary>
    Hermes,

    /// <summary>A JSON object <c>{"name": ..., "parameters": ...}</c>, optionally after <c>&lt;|python_tag|&gt;</c> (Llama 3.1–3.3, Llama 4).</summary>
    Llama3Json,

    /// <summary><c>[TOOL_CALLS] [{"name": ..., "arguments": ...}]</c> (Mistral v3: 7B v0.3, Nemo, Large 2407).</summary>
    Mistral,

    /// <summary><c>&lt;|tool_call|&gt;[{"name": ..., "arguments": ...}]</c> (Granite 3.x).</summary>
    Granite,

    /// <summary><c>&lt;tool_call&gt;&lt;function=NAME&gt;&lt;parameter=KEY&gt;VALUE&lt;/parameter&gt;&lt;/function&gt;&lt;/tool_call&gt;</c>
    /// (Qwen3-Coder): parsed, not constrained.</summary>
    QwenXml,
}
