using Directer.Core.Steering;

namespace AgentDemo;

/// <summary>One function call the agent made and what came back.</summary>
/// <param name="Name">plugin.function as the model named it.</param>
/// <param name="Arguments">Arguments as SK parsed them.</param>
/// <param name="Result">What the function returned (or SK's error text).</param>
/// <param name="Ran">True when the call named a function of a registered plugin, so SK ran it.</param>
public sealed record DemoToolCall(string Name, string Arguments, string Result, bool Ran);

/// <summary>One reply of the scripted conversation under one steering method.</summary>
/// <param name="Method">none or the steering method.</param>
/// <param name="Question">The user's message.</param>
/// <param name="Answer">The agent's final text.</param>
/// <param name="Truncated">True when the reply stopped at the token limit (or the context's end).</param>
/// <param name="InstructionKept">Whether the answer follows the system prompt's checkable instruction.</param>
/// <param name="Tokens">Tokens generated during the turn (tool calls and the final reply).</param>
/// <param name="Seconds">Wall time of the turn, tool calls included.</param>
/// <param name="Steering">DIRECTER's statistics for the final reply (null unsteered).</param>
/// <param name="ToolCalls">Calls made during the turn.</param>
/// <param name="Failure">Why the turn has no answer (the conversation outgrew the model's context), else null.</param>
/// <param name="DecodeSeconds">Time of the turn's decode steps, summed over its model requests (0 when not reported).</param>
public sealed record DemoReply(
    string Method,
    string Question,
    string Answer,
    bool Truncated,
    bool InstructionKept,
    int Tokens,
    double Seconds,
    SteeringSummary? Steering,
    IReadOnlyList<DemoToolCall> ToolCalls,
    string? Failure = null,
    double DecodeSeconds = 0);

/// <summary>Everything the scripted demo did, for the closing summary and for tests.</summary>
/// <param name="WarmupSeconds">Time of the untimed first pass (loading, first allocations).</param>
/// <param name="Replies">Every reply, in the order printed.</param>
/// <param name="Summary">The closing summary line.</param>
public sealed record DemoTranscript(double WarmupSeconds, IReadOnlyList<DemoReply> Replies, string Summary);
