using Directer.Evaluation.HeldOut;

namespace Directer.Training.Data;

/// <summary>What a generated conversation teaches.</summary>
internal enum ConversationKind
{
    /// <summary>A question about a topic, answered under the system prompt's constraints (no tools).</summary>
    Chat,

    /// <summary>Tools are listed but the question needs none: a plain constrained answer.</summary>
    ChatWithTools,

    /// <summary>Tool call, tool response, final answer that uses the response.</summary>
    ToolUse,
}

/// <summary>A generated conversation with what a checker needs to grade a model on it.</summary>
/// <param name="Kind">What it teaches.</param>
/// <param name="Messages">The full conversation (system first).</param>
/// <param name="Tools">Tools listed in the system prompt (may be empty).</param>
/// <param name="Constraints">Constraints on the assistant's (final) text answer.</param>
/// <param name="Call">The expected tool call (ToolUse only).</param>
/// <param name="MustContain">Values from the tool response the final answer must repeat (ToolUse only).</param>
internal sealed record GeneratedConversation(
    ConversationKind Kind,
    IReadOnlyList<ChatMessage> Messages,
    IReadOnlyList<ToolDefinition> Tools,
    IReadOnlyList<Constraint> Constraints,
    ToolCall? Call,
    IReadOnlyList<string> MustContain);
