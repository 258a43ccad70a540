namespace Directer.Core.Chat;

/// <summary>A function call made by the model.</summary>
/// <param name="Name">The function name.</param>
/// <param name="ArgumentsJson">The arguments as JSON text (normally an object); templates re-serialise it the way
/// Python's <c>json.dumps</c> does, keeping the key order.</param>
/// <param name="Id">The call id, when the model or the caller assigned one (Mistral's template requires 9 characters).</param>
public sealed record ToolCall(string Name, string ArgumentsJson, string? Id = null);
