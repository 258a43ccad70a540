using Directer.Core.Modeling;

namespace Directer.Core.Chat;

/// <summary>How a <see cref="ChatModel"/> is loaded.</summary>
public sealed record ChatModelOptions
{
    /// <summary>Model runtime options (dtype, device, threads, context).</summary>
    public ModelOptions Model { get; init; } = new();

    /// <summary>How requests are served: KV cache slots kept for prompt-prefix reuse, the queue bound.</summary>
    public Generation.ServingOptions Serving { get; init; } = new();

    /// <summary>Built-in chat template to force (chatml, qwen2.5, llama3, llama2, mistral, phi3, ...); null = the
    /// checkpoint's own template (chat_template.jinja, or tokenizer_config.json's chat_template).</summary>
    public string? ChatTemplate { get; init; }

    /// <summary>Template variables (<c>enable_thinking</c>, <c>date_string</c>, ...) and special-token overrides;
    /// bos/eos default to the tokenizer's.</summary>
    public Templates.ChatTemplateOptions? TemplateOptions { get; init; }
}
