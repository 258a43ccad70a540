namespace Directer.Core.Templates;

/// <summary>Overrides for the values Hugging Face passes to a chat template besides the conversation. Every property
/// left null takes the model family's default.</summary>
public sealed record ChatTemplateOptions
{
    /// <summary>The tokenizer's BOS token string (default per family: <c>&lt;|begin_of_text|&gt;</c> for Llama 3,
    /// <c>&lt;s&gt;</c> for Llama 2 and Mistral; unused by ChatML, Qwen and Phi-3 templates).</summary>
    public string? BosToken { get; init; }

    /// <summary>The tokenizer's EOS token string (default: <c>&lt;/s&gt;</c> for Llama 2 and Mistral,
    /// <c>&lt;|endoftext|&gt;</c> for Phi-3).</summary>
    public string? EosToken { get; init; }

    /// <summary>Llama 3.1's <c>date_string</c> template variable (default "26 Jul 2024", as the template sets it).</summary>
    public string? DateString { get; init; }

    /// <summary>Llama 3.1's <c>tools_in_user_message</c> template variable (default true: tool schemas go into the first
    /// user turn; false puts them into the system block).</summary>
    public bool? ToolsInUserMessage { get; init; }

    /// <summary>The <c>enable_thinking</c> template variable (Qwen3, SmolLM3); null leaves it undefined, as
    /// transformers does unless it is passed.</summary>
    public bool? EnableThinking { get; init; }

    /// <summary>What the templates' <c>strftime_now(format)</c> returns; null for the current local time, as
    /// transformers does. Set it to make prompts reproducible.</summary>
    public Func<string, string>? StrftimeNow { get; init; }
}
