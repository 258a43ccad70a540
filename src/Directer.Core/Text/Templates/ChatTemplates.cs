namespace Directer.Core.Text.Templates;

/// <summary>
/// The chat templates Directer renders natively, chosen from a checkpoint's own jinja
/// <c>chat_template</c> or by name. A template that is not recognised is an error, never a silent
/// fallback to another format.
/// </summary>
public static class ChatTemplates
{
    private static readonly Dictionary<string, Func<IChatTemplate>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["qwen2.5"] = () => new Qwen25Template(),
        ["qwen2"] = () => new ChatMLTemplate("qwen2", "You are a helpful assistant."),
        ["smollm2"] = () => new ChatMLTemplate("smollm2", "You are a helpful AI assistant named SmolLM, trained by Hugging Face"),
        ["chatml"] = () => new ChatMLTemplate("chatml", null),
        ["llama3"] = () => new Llama3Template(version31: true),
        ["llama3.1"] = () => new Llama3Template(version31: true),
        ["llama3.0"] = () => new Llama3Template(version31: false),
        ["llama2"] = () => new Llama2Template(),
        ["mistral"] = () => new MistralTemplate(),
        ["phi3"] = () => new Phi3Template(version35: false),
        ["phi3.5"] = () => new Phi3Template(version35: true),
    };

    /// <summary>Names accepted by <see cref="ByName"/>.</summary>
    public static IReadOnlyCollection<string> Names => Factories.Keys;

    /// <summary>Names of templates that render tools.</summary>
    public static IReadOnlyList<string> ToolCapableNames { get; } = ["qwen2.5", "llama3", "mistral"];

    /// <summary>The template called <paramref name="name"/>.</summary>
    /// <exception cref="ChatTemplateException">No template has that name.</exception>
    public static IChatTemplate ByName(string name) =>
        Factories.TryGetValue(name, out var factory)
            ? factory()
            : throw new ChatTemplateException($"Unknown chat template '{name}'. Supported: {string.Join(", ", Names)}.");

    /// <summary>
    /// Recognises the family of a checkpoint's jinja chat template by its distinctive text.
    /// </summary>
    /// <exception cref="ChatTemplateException">No template, or one Directer cannot honour; the message says how to override.</exception>
    public static IChatTemplate Detect(string? chatTemplateJinja, string? modelType = null)
    {
        string overrideHint = $"Pass a template name to override ({string.Join(", ", Names)}) if you know the model's format.";
        if (string.IsNullOrWhiteSpace(chatTemplateJinja))
        {
            throw new ChatTemplateException($"The checkpoint has no chat_template (tokenizer_config.json){(modelType is null ? string.Empty : $" for model type '{modelType}'")}. {overrideHint}");
        }

        string t = chatTemplateJinja;
        if (t.Contains("<|im_start|>", StringComparison.Ordinal))
        {
            if (t.Contains("<tool_call>", StringComparison.Ordinal) && t.Contains("<tools>", StringComparison.Ordinal))
            {
                return ByName("qwen2.5");
            }

            if (t.Contains("tools", StringComparison.Ordinal))
            {
                throw new ChatTemplateException($"The checkpoint's ChatML template has a tool format Directer does not recognise. {overrideHint}");
            }

            if (t.Contains("You are a helpful AI assistant named SmolLM, trained by Hugging Face", StringComparison.Ordinal))
            {
                return ByName("smollm2");
            }

            if (t.Contains("You are a helpful assistant.", StringComparison.Ordinal))
            {
                return ByName("qwen2");
            }

            if (!t.Contains("system", StringComparison.Ordinal) || t.Replace(" ", string.Empty).Contains("{%formessageinmessages%}{{'<|im_start|>'+message['role']", StringComparison.Ordinal))
            {
                return ByName("chatml");
            }
        }

        if (t.Contains("<|start_header_id|>", StringComparison.Ordinal))
        {
            if (t.Contains("Cutting Knowledge Date", StringComparison.Ordinal) && t.Contains("tools_in_user_message", StringComparison.Ordinal))
            {
                return ByName("llama3");
            }

            if (!t.Contains("tools", StringComparison.Ordinal) && !t.Contains("Cutting Knowledge Date", StringComparison.Ordinal))
            {
                return ByName("llama3.0");
            }

            throw new ChatTemplateException($"The checkpoint's Llama 3 chat template is a variant Directer does not recognise. {overrideHint}");
        }

        if (t.Contains("<|user|>", StringComparison.Ordinal) && t.Contains("<|end|>", StringComparison.Ordinal) && !t.Contains("tools", StringComparison.Ordinal))
        {
            return ByName(t.Contains("message['content'] %}", StringComparison.Ordinal) ? "phi3.5" : "phi3");
        }

        if (t.Contains("<<SYS>>", StringComparison.Ordinal) && t.Contains("[INST]", StringComparison.Ordinal) && !t.Contains("tools", StringComparison.Ordinal))
        {
            return ByName("llama2");
        }

        if (t.Contains("[AVAILABLE_TOOLS]", StringComparison.Ordinal) && t.Contains("[TOOL_CALLS]", StringComparison.Ordinal))
        {
            return ByName("mistral");
        }

        string family = t.Contains("[INST]", StringComparison.Ordinal) ? "Llama 2 / Mistral"
            : t.Contains("<|user|>", StringComparison.Ordinal) ? "Phi-3"
            : "unknown";
        throw new ChatTemplateException($"The checkpoint's chat template ({family} family) is not one Directer renders yet. {overrideHint}");
    }
}
