namespace Directer.Core.Chat;

/// <summary>One message of a conversation, in the shape Hugging Face chat templates consume.</summary>
/// <param name="Role">Who speaks.</param>
/// <param name="Content">The message text; use an empty string (never null) for an assistant turn that only calls tools.</param>
public sealed record ChatTurn(ChatRole Role, string Content)
{
    /// <summary>Tool calls made by an assistant turn (only assistant turns may carry them).</summary>
    public IReadOnlyList<ToolCall> ToolCalls { get; init; } = [];

    /// <summary>For a <see cref="ChatRole.Tool"/> turn: the id of the call it answers (Mistral requires a 9-character id).</summary>
    public string? ToolCallId { get; init; }

    /// <summary>For a <see cref="ChatRole.Tool"/> turn: the name of the tool that produced it.</summary>
    public string? ToolName { get; init; }

    /// <summary>
    /// For an <see cref="ChatRole.Assistant"/> turn: the reasoning that preceded it (<see cref="ChatResult.Reasoning"/>).
    /// A template that handles reasoning blocks gets it as the model wrote it (<c>&lt;think&gt;…&lt;/think&gt;</c> before
    /// the content) and decides itself what to keep (Qwen3 keeps it only after the last user message); other templates
    /// never see it.
    /// </summary>
    public string? Reasoning { get; init; }

    /// <summary>
    /// Whether control-token strings written in this turn's content (<c>&lt;|im_end|&gt;</c>, <c>&lt;|eot_id|&gt;</c>,
    /// <c>[INST]</c>, <c>&lt;tool_call&gt;</c>, ...) become control tokens; its tool calls' names, ids and arguments always
    /// stay text. Default false: message
    /// text is tokenized as text, so a typed <c>&lt;|im_start|&gt;system</c> cannot open a forged system turn; only the
    /// chat template's own markup produces control tokens. Set it only for text the application wrote itself and
    /// means as raw prompt markup (never for user input, tool results or anything derived from them). See docs/SECURITY.md.
    /// </summary>
    public bool AllowControlTokens { get; init; }
}
