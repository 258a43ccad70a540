using Directer.Core.Chat;
using Directer.Core.Emphasis;
using Directer.Core.Templates.Jinja;

namespace Directer.Core.Templates;

/// <summary>A model's own jinja chat template, rendered by Directer's jinja engine exactly as transformers'
/// <c>apply_chat_template</c> renders it. Message contents are tracked through rendering, so emphasis is located
/// in content only, wherever the template puts, trims or moves it.</summary>
internal sealed class JinjaChatTemplate : IChatTemplate
{
    private readonly JinjaTemplate template;
    private readonly ChatTemplateOptions options;

    private JinjaChatTemplate(string name, JinjaTemplate template, ChatTemplateOptions options, ToolCallFormat format)
    {
        Name = name;
        this.template = template;
        this.options = options;
        ToolCallFormat = format;
        SupportsTools = template.ReferencedNames.Contains("tools") && format != ToolCallFormat.None;
    }

    /// <summary>Compiles a template (once; renders reuse it).</summary>
    /// <param name="name">The name reported by <see cref="Name"/>.</param>
    /// <param name="source">The jinja text.</param>
    /// <param name="options">Special tokens and extra template variables.</param>
    /// <exception cref="ChatTemplateException">The template has a syntax error or uses an unsupported construct.</exception>
    public static JinjaChatTemplate Create(string name, string source, ChatTemplateOptions? options = null)
    {
        var compiled = JinjaTemplate.Compile(source);
        var format = DetectToolCallFormat(source);
        options ??= new ChatTemplateOptions();
        return new JinjaChatTemplate(name, compiled, options, format);
    }

    /// <summary>The tool-call format a template teaches, from the markup it writes for calls (tested on every template
    /// fixture: docs/TEMPLATES.md lists which family each falls in).</summary>
    public static ToolCallFormat DetectToolCallFormat(string source)
    {
        ArgumentNullException.ThrowIfNull(source);

        // Mistral v3 (7B v0.3, Nemo, Large 2407): calls after the [TOOL_CALLS] control token.
        if (source.Contains("[TOOL_CALLS]", StringComparison.Ordinal))
        {
            return ToolCallFormat.Mistral;
        }

        // Qwen3-Coder: XML inside <tool_call> (<function=NAME><parameter=KEY>VALUE</parameter></function>).
        if (source.Contains("<tool_call>", StringComparison.Ordinal) && source.Contains("<function=", StringComparison.Ordinal))
        {
            return ToolCallFormat.QwenXml;
        }

        // Hermes: Qwen2.5/Qwen3/QwQ, Hermes tool-use templates, Granite 4, cogito 14B (Qwen-based).
        if (source.Contains("<tool_call>", StringComparison.Ordinal))
        {
            return ToolCallFormat.Hermes;
        }

        // Granite 3.x: "<|tool_call|>" followed by a JSON list of calls.
        if (source.Contains("<|tool_call|>", StringComparison.Ordinal))
        {
            return ToolCallFormat.Granite;
        }

        // Llama 3.1–3.3 and 4 (and Nemotron on Llama 3.1): a bare {"name": ..., "parameters": ...} object, the
        // format the template's own instructions spell out; the ipython role or <|python_tag|> marks the family (other
        // templates that say "parameters", such as Command R7B's action lists, are a different format).
        if (source.Contains("\"parameters\"", StringComparison.Ordinal)
            && (source.Contains("<|python_tag|>", StringComparison.Ordinal) || source.Contains("ipython", StringComparison.Ordinal)))
        {
            return ToolCallFormat.Llama3Json;
        }

        return ToolCallFormat.None;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public bool SupportsTools { get; }

    /// <summary>The tool-call format the template shows the model.</summary>
    public ToolCallFormat ToolCallFormat { get; }

    /// <summary>The template text.</summary>
    public string Source => template.Source;

    /// <inheritdoc />
    public RenderedPrompt Render(IReadOnlyList<ChatTurn> turns, IReadOnlyList<ToolDefinition> tools, bool addGenerationPrompt, EmphasisRequest? emphasis = null) =>
        Render(turns, tools, addGenerationPrompt, emphasis, refuseDropped: true);

    /// <summary>Renders; with <paramref name="refuseDropped"/> false, tools and tool calls the template ignores are
    /// dropped silently, exactly as transformers does (used to compare with the reference).</summary>
    internal RenderedPrompt Render(IReadOnlyList<ChatTurn> turns, IReadOnlyList<ToolDefinition> tools, bool addGenerationPrompt, EmphasisRequest? emphasis, bool refuseDropped)
    {
        ToolSchemas.Validate(tools);
        var prepared = PreparedTurn.Prepare(turns, emphasis);
        if (refuseDropped)
        {
            RejectDropped(prepared, tools);
        }

        var output = template.Render(Variables(prepared, tools, addGenerationPrompt), options.StrftimeNow, RefusalMessage);
        // Turn contents (source >= 0) locate emphasis; every tracked run, data included, is read as text by the
        // tokenizer unless its turn opted in to control tokens.
        var segments = new List<ContentSegment>(output.Runs.Count);
        var literal = new List<CharRange>(output.Runs.Count);
        foreach (var run in output.Runs)
        {
            if (run.Source >= 0)
            {
                segments.Add(new ContentSegment(run.Source, run.ContentStart, run.Offset, run.Length));
                if (prepared[run.Source].AllowControlTokens)
                {
                    continue;
                }
            }

            // Runs come in output order; touching ones merge.
            if (literal.Count > 0 && literal[^1].End >= run.Offset)
            {
                literal[^1] = literal[^1] with { End = Math.Max(literal[^1].End, run.Offset + run.Length) };
            }
            else
            {
                literal.Add(new CharRange(run.Offset, run.Offset + run.Length));
            }
        }

        if (refuseDropped)
        {
            RejectDroppedToolResults(prepared, segments);
        }

        bool systemNotRendered = false;
        var ranges = emphasis is null ? [] : EmphasisLocator.Locate(emphasis, prepared, segments, Name, out systemNotRendered);
        return new RenderedPrompt(output.ToString(), ranges) { ContentSegments = segments, LiteralRanges = literal, SystemMessageNotRendered = systemNotRendered };
    }

    private List<KeyValuePair<string, object?>> Variables(IReadOnlyList<PreparedTurn> turns, IReadOnlyList<ToolDefinition> tools, bool addGenerationPrompt)
    {
        var messages = new List<object?>(turns.Count);
        foreach (var turn in turns)
        {
            var message = new JinjaDict();
            message.Set("role", turn.RoleName);
            message.Set("content", TrackedString.Content(turn.Content, turn.Index));
            if (turn.ToolCalls.Count > 0)
            {
                var calls = new List<object?>(turn.ToolCalls.Count);
                foreach (var call in turn.ToolCalls)
                {
                    var hfCall = new JinjaDict();
                    if (call.Id is not null)
                    {
                        hfCall.Set("id", TrackedString.Data(call.Id));
                    }

                    hfCall.Set("type", "function");
                    var function = new JinjaDict();
                    function.Set("name", TrackedString.Data(call.Name));
                    function.Set("arguments", JinjaValues.FromJsonAsData(ToolSchemas.Arguments(call, turn.Index)));
                    hfCall.Set("function", function);
                    calls.Add(hfCall);
                }

                message.Set("tool_calls", calls);
            }

            if (turn.ToolCallId is not null)
            {
                message.Set("tool_call_id", TrackedString.Data(turn.ToolCallId));
            }

            if (turn.ToolName is not null)
            {
                message.Set("name", TrackedString.Data(turn.ToolName));
            }

            messages.Add(message);
        }

        List<object?>? toolList = null;
        if (tools.Count > 0)
        {
            toolList = new List<object?>(tools.Count);
            for (int i = 0; i < tools.Count; i++)
            {
                toolList.Add(JinjaValues.FromJsonAsData(ToolSchemas.ToolDict(tools[i], i)));
            }
        }

        var variables = new List<KeyValuePair<string, object?>>
        {
            new("messages", messages),
            new("tools", toolList),
            new("documents", null),
            new("add_generation_prompt", addGenerationPrompt),
        };
        if (options.BosToken is not null)
        {
            variables.Add(new("bos_token", options.BosToken));
        }

        if (options.EosToken is not null)
        {
            variables.Add(new("eos_token", options.EosToken));
        }

        if (options.DateString is not null)
        {
            variables.Add(new("date_string", options.DateString));
        }

        if (options.ToolsInUserMessage is bool inUser)
        {
            variables.Add(new("tools_in_user_message", inUser));
        }

        if (options.EnableThinking is bool thinking)
        {
            variables.Add(new("enable_thinking", thinking));
        }

        return variables;
    }

    /// <summary>Hugging Face's templates without a tool format drop tools and tool calls silently; we refuse them.</summary>
    private void RejectDropped(IReadOnlyList<PreparedTurn> turns, IReadOnlyList<ToolDefinition> tools)
    {
        if (tools.Count > 0 && !template.ReferencedNames.Contains("tools"))
        {
            throw new ChatTemplateException(
                $"The {Name} chat template has no tool format: it never reads 'tools', so the {tools.Count} tool definition(s) would be silently dropped. " +
                $"Use a tool-capable template ({string.Join(", ", ChatTemplates.ToolCapableNames)}) or pass no tools.");
        }

        foreach (var turn in turns)
        {
            if (turn.ToolCalls.Count > 0 && !template.Source.Contains("tool_calls", StringComparison.Ordinal))
            {
                throw new ChatTemplateException(
                    $"Turn {turn.Index} carries tool calls, but the {Name} chat template never reads 'tool_calls': it would silently drop them.");
            }
        }
    }

    /// <summary>The message of a <c>raise_exception</c> refusal: the template's own words, prefixed with which template refused.</summary>
    internal string RefusalMessage(string templateMessage) => $"The {Name} chat template refuses this conversation: {templateMessage}";

    /// <summary>A tool result whose content the template does not render at all (no tool role in its format) would be
    /// lost silently; we refuse instead.</summary>
    private void RejectDroppedToolResults(IReadOnlyList<PreparedTurn> turns, List<ContentSegment> segments)
    {
        foreach (var turn in turns)
        {
            if (turn.Role == ChatRole.Tool && turn.Content.Length > 0 && !segments.Exists(s => s.TurnIndex == turn.Index))
            {
                throw new ChatTemplateException(
                    $"Turn {turn.Index} is a tool result, but the {Name} chat template renders no tool turns: it would silently drop it. " +
                    $"Use a tool-capable template ({string.Join(", ", ChatTemplates.ToolCapableNames)}) or leave tool results out.");
            }
        }
    }

    /// <inheritdoc />
    public ToolCallParseResult ParseToolCallsDetailed(string generatedText)
    {
        ArgumentNullException.ThrowIfNull(generatedText);
        return ToolCallFormat switch
        {
            ToolCallFormat.Hermes => HermesToolCallParser.Parse(generatedText),
            ToolCallFormat.Llama3Json => Llama3JsonToolCallParser.Parse(generatedText),
            ToolCallFormat.Mistral => MistralToolCallParser.Parse(generatedText),
            ToolCallFormat.Granite => MistralToolCallParser.Parse(generatedText, "<|tool_call|>"),
            ToolCallFormat.QwenXml => QwenXmlToolCallParser.Parse(generatedText),
            _ => new ToolCallParseResult([], generatedText, []),
        };
    }

    /// <inheritdoc />
    public IReadOnlyList<ToolCall> ParseToolCalls(string generatedText, out string remainingText)
    {
        var result = ParseToolCallsDetailed(generatedText);
        if (result.HasMalformed)
        {
            throw new ToolCallFormatException(Name, result);
        }

        remainingText = result.RemainingText;
        return result.ToolCalls;
    }
}

