using System.Text.RegularExpressions;

namespace Directer.Core.Templates;

/// <summary>Chooses the renderer for a model: from its jinja chat template (<c>chat_template</c> in
/// tokenizer_config.json), or by name. Never falls back to a different format: a template it does not recognise is an
/// error that says what was found and which names can be passed to <see cref="ByName"/>.</summary>
public static partial class ChatTemplates
{
    private const string QwenDefault = "You are a helpful assistant.";
    private const string SmolLmDefault = "You are a helpful AI assistant named SmolLM, trained by Hugging Face";

    /// <summary>The names <see cref="ByName"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["chatml", "qwen2", "qwen2.5", "smollm2", "llama3", "llama3.0", "llama2", "mistral", "phi3", "phi3.5"];

    /// <summary>The names of the templates that have a tool format.</summary>
    public static IReadOnlyList<string> ToolCapableNames { get; } = ["qwen2.5", "llama3", "mistral"];

    /// <summary>The renderer for a format name (case-insensitive): <c>chatml</c> (plain, no default system prompt),
    /// <c>qwen2</c> and <c>smollm2</c> (ChatML with their default system prompts), <c>qwen2.5</c>, <c>llama3</c> (alias
    /// <c>llama3.1</c>: the Llama 3.1 format with tools and dates), <c>llama3.0</c>, <c>llama2</c>, <c>mistral</c>
    /// (alias <c>mistral-v0.3</c>), <c>phi3</c>, <c>phi3.5</c>.</summary>
    /// <exception cref="ChatTemplateException">The name is unknown.</exception>
    public static IChatTemplate ByName(string name, ChatTemplateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        options ??= new ChatTemplateOptions();
        return name.Trim().ToLowerInvariant() switch
        {
            "chatml" => new ChatMlChatTemplate("chatml", null),
            "qwen2" => new ChatMlChatTemplate("qwen2", QwenDefault),
            "smollm2" => new ChatMlChatTemplate("smollm2", SmolLmDefault),
            "qwen2.5" => new Qwen25ChatTemplate(),
            "llama3" or "llama3.1" => new Llama31ChatTemplate(
                options.BosToken ?? "<|begin_of_text|>", options.DateString ?? "26 Jul 2024", options.ToolsInUserMessage ?? true),
            "llama3.0" => new Llama3ChatTemplate(options.BosToken ?? "<|begin_of_text|>"),
            "llama2" => new Llama2ChatTemplate(options.BosToken ?? "<s>", options.EosToken ?? "</s>"),
            "mistral" or "mistral-v0.3" => new MistralChatTemplate(options.BosToken ?? "<s>", options.EosToken ?? "</s>"),
            "phi3" => new Phi3ChatTemplate("phi3", options.EosToken ?? "<|endoftext|>", skipEmptySystem: false),
            "phi3.5" => new Phi3ChatTemplate("phi3.5", options.EosToken ?? "<|endoftext|>", skipEmptySystem: true),
            _ => throw new ChatTemplateException($"Unknown chat template name '{name}'. Known names: {string.Join(", ", Names)}."),
        };
    }

    /// <summary>Recognises a model's chat format from its jinja template text.</summary>
    /// <param name="chatTemplateJinja">The <c>chat_template</c> string of tokenizer_config.json (or the GGUF metadata).</param>
    /// <param name="modelType">The <c>model_type</c> of config.json, quoted in error messages.</param>
    /// <param name="options">Special tokens and template variables; null for the family defaults.</param>
    /// <exception cref="ChatTemplateException">There is no template, or it is not one of the supported formats.</exception>
    public static IChatTemplate Detect(string? chatTemplateJinja, string? modelType, ChatTemplateOptions? options = null)
    {
        string model = modelType is null ? string.Empty : $" (model_type '{modelType}')";
        if (string.IsNullOrWhiteSpace(chatTemplateJinja))
        {
            throw new ChatTemplateException(
                $"The model{model} has no chat template (no \"chat_template\" in tokenizer_config.json), so Hugging Face would refuse to format a conversation for it. " +
                $"Choose the format explicitly with one of: {string.Join(", ", Names)}.");
        }

        string t = chatTemplateJinja;
        var chatMl = ChatMlShape().Match(t);
        if (chatMl.Success)
        {
            if (!chatMl.Groups["prompt"].Success)
            {
                return ByName("chatml", options);
            }

            string prompt = UnescapeJinja(chatMl.Groups["prompt"].Value);
            return prompt switch
            {
                QwenDefault => ByName("qwen2", options),
                SmolLmDefault => ByName("smollm2", options),
                _ => new ChatMlChatTemplate("chatml", prompt),
            };
        }

        var nearMisses = new List<string>();
        foreach (var rule in Rules)
        {
            if (!t.Contains(rule.Key, StringComparison.Ordinal))
            {
                continue;
            }

            string? missing = rule.Required.FirstOrDefault(marker => !t.Contains(marker, StringComparison.Ordinal));
            var forbidden = rule.Forbidden.FirstOrDefault(f => t.Contains(f.Marker, StringComparison.Ordinal));
            if (missing is null && forbidden.Marker is null)
            {
                return ByName(rule.Name, options);
            }

            nearMisses.Add(forbidden.Marker is not null
                ? $"it contains '{rule.Key}' like the {rule.Family} template ('{rule.Name}') but also '{forbidden.Marker}': {forbidden.Why}"
                : $"it contains '{rule.Key}' like the {rule.Family} template ('{rule.Name}') but lacks its '{Shorten(missing!)}'");
        }

        if (t.Contains("<|im_start|>", StringComparison.Ordinal))
        {
            nearMisses.Add("it uses ChatML tokens (<|im_start|>) but is not the plain ChatML template nor ChatML with a default system prompt");
        }

        string found = nearMisses.Count > 0
            ? string.Join("; ", nearMisses)
            : $"none of the supported formats' markers occur in it (it starts: \"{Shorten(t.Trim())}\")";
        throw new ChatTemplateException(
            $"The model's chat template{model} is not a supported format: {found}. Rendering it with a different format would change the prompt the model " +
            $"was trained on, so nothing is assumed. If you know the format is equivalent, choose it with ChatTemplates.ByName: {string.Join(", ", Names)}.");
    }

    private sealed record Rule(string Name, string Family, string Key, string[] Required, (string Marker, string Why)[] Forbidden);

    // Markers are verbatim fragments of the real templates (see tests/.../Fixtures/templates/SOURCES.md), chosen so
    // that variants which render differently (other literals, other placement) do not match.
    private static readonly Rule[] Rules =
    [
        new("qwen2.5", "Qwen2.5-Instruct", "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.",
            ["<|im_start|>", "# Tools", "<tools>", "<tool_response>", "tool_call.arguments | tojson",
             """<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>""",
             "(message.role == \"assistant\" and not message.tool_calls)"],
            [("<think>", "a reasoning (Qwen3/QwQ) template"), ("reasoning_content", "a reasoning (Qwen3/QwQ) template"),
             ("vision_start", "a vision-language template")]),
        new("llama3", "Llama 3.1-Instruct", "Cutting Knowledge Date: December 2023",
            ["<|start_header_id|>", "\"26 Jul 2024\"", "tools_in_user_message", "first_user_message",
             "This model only supports single tool-calls at once!", "<|start_header_id|>ipython<|end_header_id|>", "<|eot_id|>"],
            [("strftime_now", "a Llama 3.2-style template that writes today's date, not 26 Jul 2024"),
             ("<|image|>", "a vision template")]),
        new("llama3.0", "Meta-Llama-3-Instruct", "<|start_header_id|>",
            ["<|end_header_id|>", "message['content'] | trim + '<|eot_id|>'", "bos_token + content", "if add_generation_prompt"],
            [("Cutting Knowledge", "a Llama 3.x template with a dated system block"), ("tools", "a template with tools")]),
        new("mistral", "Mistral-7B-Instruct-v0.3", "[/INST]",
            ["\"[INST] \" + message[\"content\"] + \"[/INST]\"", "[AVAILABLE_TOOLS] [", "[TOOL_CALLS] [", "[TOOL_RESULTS] {",
             "ns.index", "loop.last and system_message is defined", "Tool call IDs should be alphanumeric strings with length 9!",
             "\" \" + message[\"content\"]|trim + eos_token"],
            [("[SYSTEM_PROMPT]", "a later Mistral template with a system-prompt token")]),
        new("llama2", "Llama-2-chat", "<<SYS>>",
            ["[INST]", "bos_token + '[INST] ' + content.strip() + ' [/INST]'", "' '  + content.strip() + ' ' + eos_token",
             "system_message != false", "Conversation roles must alternate user/assistant/user/assistant/..."],
            [("USE_DEFAULT_PROMPT", "a variant that inserts a default system prompt"),
             ("DEFAULT_SYSTEM_MESSAGE", "a variant that inserts a default system prompt"),
             ("You are a helpful, respectful and honest assistant", "a variant that inserts a default system prompt")]),
        new("phi3.5", "Phi-3.5-mini-instruct", "message['role'] == 'system' and message['content']",
            ["<|system|>", "<|user|>", "<|assistant|>", "<|end|>", "{{ eos_token }}", "if add_generation_prompt"],
            [("bos_token", "a variant that writes the BOS string"), ("tools", "a template with tools")]),
        new("phi3", "Phi-3-mini-instruct", "<|end|>",
            ["<|system|>", "<|user|>", "<|assistant|>", "{{ eos_token }}", "if add_generation_prompt", "message['role'] == 'system' %}"],
            [("bos_token", "an older Phi-3 revision that writes the BOS string"), ("tools", "a template with tools")]),
    ];

    // Plain ChatML, or ChatML whose first turn is preceded by a default system prompt when it is not a system turn
    // (Qwen2, SmolLM2). Only the whitespace jinja removes itself (a newline after a block tag) is tolerated.
    [GeneratedRegex(
        """^(?:\{%-?\s*if\s+not\s+add_generation_prompt\s+is\s+defined\s*-?%\}\n?\{%-?\s*set\s+add_generation_prompt\s*=\s*false\s*-?%\}\n?\{%-?\s*endif\s*-?%\}\n?)?""" +
        """\{%-?\s*for\s+message\s+in\s+messages\s*-?%\}\n?""" +
        """(?:\{%-?\s*if\s+loop\.first\s+and\s+messages\[0\]\[['"]role['"]\]\s*!=\s*['"]system['"]\s*-?%\}\n?\{\{-?\s*'<\|im_start\|>system(?:\\n|\n)(?<prompt>[^'\n]*)<\|im_end\|>(?:\\n|\n)'\s*-?\}\}\{%-?\s*endif\s*-?%\}\n?)?""" +
        """\{\{-?\s*'<\|im_start\|>'\s*\+\s*message\[['"]role['"]\]\s*\+\s*'(?:\\n|\n)'\s*\+\s*message\[['"]content['"]\]\s*\+\s*'<\|im_end\|>'\s*\+\s*'(?:\\n|\n)'\s*-?\}\}""" +
        """\{%-?\s*endfor\s*-?%\}\n?""" +
        """\{%-?\s*if\s+add_generation_prompt\s*-?%\}\n?\{\{-?\s*'<\|im_start\|>assistant(?:\\n|\n)'\s*-?\}\}\{%-?\s*endif\s*-?%\}\n?$""")]
    private static partial Regex ChatMlShape();

    private static string UnescapeJinja(string literal) =>
        literal.Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\t", "\t", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);

    private static string Shorten(string text) => text.Length > 60 ? text[..60] + "…" : text;
}
