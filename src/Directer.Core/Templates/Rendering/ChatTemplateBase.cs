using Directer.Core.Emphasis;
using Directer.Core.Chat;

namespace Directer.Core.Templates;

/// <summary>What every renderer shares: validation, inline-marker stripping, content tracking and emphasis location.</summary>
internal abstract class ChatTemplateBase : IChatTemplate
{
    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public abstract bool SupportsTools { get; }

    /// <inheritdoc />
    public RenderedPrompt Render(IReadOnlyList<ChatTurn> turns, IReadOnlyList<ToolDefinition> tools, bool addGenerationPrompt, EmphasisRequest? emphasis = null)
    {
        ToolSchemas.Validate(tools);
        var prepared = PreparedTurn.Prepare(turns, emphasis);
        if (!SupportsTools)
        {
            RejectTools(prepared, tools);
        }

        var output = new PromptBuilder();
        RenderCore(prepared, tools, addGenerationPrompt, output);
        var ranges = emphasis is null ? [] : EmphasisLocator.Locate(emphasis, prepared, output.Segments, Name);
        return new RenderedPrompt(output.ToString(), ranges) { LiteralRanges = output.LiteralRanges };
    }

    /// <summary>Writes the prompt, exactly as the family's jinja template would.</summary>
    protected abstract void RenderCore(IReadOnlyList<PreparedTurn> turns, IReadOnlyList<ToolDefinition> tools, bool addGenerationPrompt, PromptBuilder output);

    /// <inheritdoc />
    public virtual ToolCallParseResult ParseToolCallsDetailed(string generatedText)
    {
        ArgumentNullException.ThrowIfNull(generatedText);
        return new ToolCallParseResult([], generatedText, []);
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

    /// <summary>Hugging Face's templates without a tool format drop tools and tool calls silently; we refuse them.</summary>
    private void RejectTools(IReadOnlyList<PreparedTurn> turns, IReadOnlyList<ToolDefinition> tools)
    {
        if (tools.Count > 0)
        {
            throw new ChatTemplateException(
                $"The {Name} chat template has no tool format: its jinja template would silently drop the {tools.Count} tool definition(s). " +
                $"Use a tool-capable template ({string.Join(", ", ChatTemplates.ToolCapableNames)}) or pass no tools.");
        }

        foreach (var turn in turns)
        {
            if (turn.ToolCalls.Count > 0)
            {
                throw new ChatTemplateException(
                    $"Turn {turn.Index} carries tool calls, but the {Name} chat template has no tool-call format: its jinja template would silently drop them.");
            }
        }
    }

    /// <summary>A refusal that mirrors the jinja template's <c>raise_exception</c>.</summary>
    protected ChatTemplateException TemplateRefuses(string templateMessage, string detail) =>
        new($"The {Name} chat template refuses this conversation: {templateMessage} ({detail})");
}
