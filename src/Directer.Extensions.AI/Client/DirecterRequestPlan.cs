using Directer.Core.Chat;

namespace Directer.Extensions.AI;

/// <summary>A Microsoft.Extensions.AI request turned into an engine request, with what to check in the reply.</summary>
/// <param name="Request">The engine request.</param>
/// <param name="MessageCount">Messages the caller sent.</param>
/// <param name="JsonRequested">Whether the caller asked for JSON (checked, and logged when the reply is not JSON).</param>
/// <param name="ToolRequired">Whether the caller required a tool call.</param>
/// <param name="AllowMultipleToolCalls">False keeps only the first tool call.</param>
/// <param name="Ignored">Additional-property keys Directer does not know (logged at Debug: other middleware may use them).</param>
internal sealed record DirecterRequestPlan(ChatRequest Request, int MessageCount, bool JsonRequested, bool ToolRequired, bool? AllowMultipleToolCalls, IReadOnlyList<string> Ignored);
