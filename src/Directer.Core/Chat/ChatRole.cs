namespace Directer.Core.Chat;

/// <summary>Who speaks a turn of a conversation.</summary>
public enum ChatRole
{
    /// <summary>Instructions for the model (rendered as the template's system block).</summary>
    System,

    /// <summary>The person (or program) talking to the model.</summary>
    User,

    /// <summary>The model's own earlier replies, including its tool calls.</summary>
    Assistant,

    /// <summary>The result of a tool call, fed back to the model (Llama 3.1 renders it as the <c>ipython</c> role).</summary>
    Tool,
}
