namespace Directer.Core.Templates;

/// <summary>A fragment of a model reply that looked like a tool call but could not be parsed.</summary>
/// <param name="Fragment">The offending text.</param>
/// <param name="Reason">Why it was rejected.</param>
public sealed record MalformedToolCall(string Fragment, string Reason);
