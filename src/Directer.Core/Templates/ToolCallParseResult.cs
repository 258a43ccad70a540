using Directer.Core.Chat;
namespace Directer.Core.Templates;

/// <summary>What a model reply contained: well-formed tool calls, the remaining text, and fragments that looked like
/// tool calls but could not be parsed.</summary>
/// <param name="ToolCalls">The parsed calls, in order.</param>
/// <param name="RemainingText">The reply with the tool-call markup removed, trimmed.</param>
/// <param name="Malformed">Fragments that looked like tool calls but were not valid.</param>
public sealed record ToolCallParseResult(IReadOnlyList<ToolCall> ToolCalls, string RemainingText, IReadOnlyList<MalformedToolCall> Malformed)
{
    /// <summary>Whether some fragment looked like a tool call but could not be parsed.</summary>
    public bool HasMalformed => Malformed.Count > 0;
}
