using System.Text.RegularExpressions;

namespace Directer.Core.Templates;

/// <summary>Chooses the renderer for a model: its own jinja chat template (<c>chat_template</c> of
/// tokenizer_config.json or chat_template.jinja), rendered by Directer's jinja engine exactly as transformers renders
/// it; or, by name, one of the built-in real templates of common families.</summary>
public static partial class ChatTemplates
{
    /// <summary>The name given to a model's template that is none of the named families.</summary>
    public const string CustomName = "custom";

    /// <summary>The names <see cref="ByName"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["chatml", "qwen2", "qwen2.5", "smollm2", "llama3", "llama3.0", "llama2", "mistral", "phi3", "phi3.5"];

    /// <summary>The names of the templates that have a tool format.</summary>
    public static IReadOnlyList<string> ToolCapableNames { get; } = ["qwen2.5", "llama3", "mistral"];

    /// <summary>The built-in template for a format name (case-insensitive): <c>chatml</c> (plain, no default system
    /// prompt), <c>qwen2</c> and <c>smollm2</c> (ChatML with their default system prompts), <c>qwen2.5</c>, <c>llama3</c>
    /// (alias <c>llama3.1</c>: the Llama 3.1 format with tools and dates), <c>llama3.0</c>, <c>llama2</c>,
    /// <c>mistral</c> (alias <c>mistral-v0.3</c>), <c>phi3</c>, <c>phi3.5</c>. Each is the family's real Hugging Face
    /// template text, rendered by the jinja engine.</summary>
    /// <exception cref="ChatTemplateException">The name is unknown.</exception>
    public static IChatTemplate ByName(string name, ChatTemplateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        options ??= new ChatTemplateOptions();
        var (canonical, file, bos, eos) = name.Trim().ToLowerInvariant() switch
        {
            "chatml" => ("chatml", "chatml", null, null),
            "qwen2" => ("qwen2", "qwen2", null, "<|im_end|>"),
            "smollm2" => ("smollm2", "smollm2", "<|im_start|>", "<|im_end|>"),
            "qwen2.5" => ("qwen2.5", "qwen2.5", null, "<|im_end|>"),
            "llama3" or "llama3.1" => ("llama3", "llama3.1", "<|begin_of_text|>", "<|eot_id|>"),
            "llama3.0" => ("llama3.0", "llama3", "<|begin_of_text|>", "<|eot_id|>"),
            "llama2" => ("llama2", "llama2", "<s>", "</s>"),
            "mistral" or "mistral-v0.3" => ("mistral", "mistral-v0.3", "<s>", "</s>"),
            "phi3" => ("phi3", "phi3", "<s>", "<|endoftext|>"),
            "phi3.5" => ("phi3.5", "phi3.5", "<s>", "<|endoftext|>"),
            _ => throw new ChatTemplateException($"Unknown chat template name '{name}'. Known names: {string.Join(", ", Names)}."),
        };
        string? b = bos;
        string? e = eos;
        var effective = options with { BosToken = options.BosToken ?? b, EosToken = options.EosToken ?? e };
        return JinjaChatTemplate.Create(canonical, Builtin(file), effective);
    }

    /// <summary>The text of a built-in template.</summary>
    internal static string Builtin(string file)
    {
        using var stream = typeof(ChatTemplates).Assembly.GetManifestResourceStream($"Directer.Templates.{file}.jinja")
            ?? throw new InvalidOperationException($"The built-in chat template '{file}' is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The renderer for a model's own jinja chat template.</summary>
    /// <param name="chatTemplateJinja">The <c>chat_template</c> string of tokenizer_config.json, or chat_template.jinja.</param>
    /// <param name="modelType">The <c>model_type</c> of config.json, quoted in error messages.</param>
    /// <param name="options">Special tokens (the tokenizer's bos/eos strings) and template variables.</param>
    /// <exception cref="ChatTemplateException">There is no template, or it has a syntax error or a construct the
    /// engine does not support (the message names the template line).</exception>
    public static IChatTemplate Detect(string? chatTemplateJinja, string? modelType, ChatTemplateOptions? options = null)
    {
        string model = modelType is null ? string.Empty : $" (model_type '{modelType}')";
        if (string.IsNullOrWhiteSpace(chatTemplateJinja))
        {
            throw new ChatTemplateException(
                $"The model{model} has no chat template (no \"chat_template\" in tokenizer_config.json and no chat_template.jinja), so Hugging Face would refuse to format a conversation for it. " +
                $"Choose a built-in format explicitly with one of: {string.Join(", ", Names)}.");
        }

        try
        {
            return JinjaChatTemplate.Create(Identify(chatTemplateJinja) ?? CustomName, chatTemplateJinja, options);
        }
        catch (ChatTemplateException error)
        {
            throw new ChatTemplateException($"The model's chat template{model} cannot be used: {error.Message}", error);
        }
    }

    /// <summary>The family name of a template that is exactly one of the named formats (up to the white space jinja
    /// removes itself), or null. Only names the template: rendering always uses the model's own text.</summary>
    public static string? Identify(string chatTemplateJinja)
    {
        ArgumentNullException.ThrowIfNull(chatTemplateJinja);
        string t = chatTemplateJinja;
        var chatMl = ChatMlShape().Match(t);
        if (chatMl.Success)
        {
            if (!chatMl.Groups["prompt"].Success)
            {
                return "chatml";
            }

            return UnescapeJinja(chatMl.Groups["prompt"].Value) switch
            {
                "You are a helpful assistant." => "qwen2",
                "You are a helpful AI assistant named SmolLM, trained by Hugging Face" => "smollm2",
                _ => null,
            };
        }

        foreach (var rule in Rules)
        {
            if (t.Contains(rule.Key, StringComparison.Ordinal)
                && rule.Required.All(marker => t.Contains(marker, StringComparison.Ordinal))
                && !rule.Forbidden.Any(f => t.Contains(f.Marker, StringComparison.Ordinal)))
            {
                return rule.Name;
            }
        }

        return null;
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

    }
