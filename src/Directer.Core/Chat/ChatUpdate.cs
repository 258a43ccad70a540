namespace Directer.Core.Chat;

/// <summary>A piece of streamed reply text; the last update has empty text and the <see cref="Result"/>.</summary>
/// <param name="Text">The piece of text.</param>
/// <param name="Result">The whole result, on the last update only.</param>
public sealed record ChatUpdate(string Text, ChatResult? Result)
{
    /// <summary>Whether <see cref="Text"/> is a piece of the model's reasoning (<see cref="ChatResult.Reasoning"/>) rather than of the reply.</summary>
    public bool IsReasoning { get; init; }
}
