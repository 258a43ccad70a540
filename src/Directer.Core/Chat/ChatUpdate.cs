namespace Directer.Core.Chat;

/// <summary>A piece of streamed reply text; the last update has empty text and the <see cref="Result"/>.</summary>
public sealed record ChatUpdate(string Text, ChatResult? Result);
