using Directer.Core.Emphasis;
using Directer.Core.Chat;

namespace Directer.Core.Templates;

/// <summary>A model family's chat format: renders conversations into prompt text (character-for-character what the
/// model's Hugging Face jinja template renders) and parses the tool calls the model writes back.</summary>
public interface IChatTemplate
{
    /// <summary>The name <see cref="ChatTemplates.ByName"/> accepts for this template.</summary>
    string Name { get; }

    /// <summary>Whether the format can show tools to the model and carry its tool calls.</summary>
    bool SupportsTools { get; }

    /// <summary>Renders a conversation.</summary>
    /// <param name="turns">The conversation; at least one turn.</param>
    /// <param name="tools">Functions the model may call; an empty list means no tools (Hugging Face's <c>tools=None</c>).</param>
    /// <param name="addGenerationPrompt">Append the header that starts the assistant's reply (ignored by formats that
    /// have none, like Llama 2 and Mistral, exactly as their templates ignore it).</param>
    /// <param name="emphasis">Text to locate in the rendered prompt; null for none.</param>
    /// <exception cref="ChatTemplateException">The template refuses the conversation.</exception>
    /// <exception cref="EmphasisNotFoundException">Emphasised text is not in the rendered prompt.</exception>
    /// <exception cref="ArgumentException">A turn, tool or emphasis request is malformed (invalid JSON, unbalanced markers).</exception>
    RenderedPrompt Render(IReadOnlyList<ChatTurn> turns, IReadOnlyList<ToolDefinition> tools, bool addGenerationPrompt, EmphasisRequest? emphasis = null);

    /// <summary>Finds the tool calls in a generated reply (special tokens such as Mistral's <c>[TOOL_CALLS]</c> must
    /// have been kept when decoding). Never throws for malformed calls: they are listed in the result.</summary>
    ToolCallParseResult ParseToolCallsDetailed(string generatedText);

    /// <summary>Finds the tool calls in a generated reply.</summary>
    /// <param name="generatedText">The model's reply.</param>
    /// <param name="remainingText">The reply without the tool calls, trimmed.</param>
    /// <exception cref="ToolCallFormatException">Something in the reply looked like a tool call but could not be parsed.</exception>
    IReadOnlyList<ToolCall> ParseToolCalls(string generatedText, out string remainingText);
}
