using Microsoft.Extensions.Logging;

namespace Directer.Extensions.AI;

/// <summary>The chat client's log messages (source-generated, allocation-free when disabled).</summary>
internal static partial class DirecterLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Directer request {RequestId} started ({Mode}): {MessageCount} messages, {ToolCount} tools, steering {Steering}, {SpanCount} emphasised spans, up to {MaxTokens} tokens, temperature {Temperature}, tool calls constrained {ToolCallsConstrained}")]
    public static partial void RequestStarted(ILogger logger, string requestId, string mode, int messageCount, int toolCount, string steering, int spanCount, int maxTokens, float temperature, bool toolCallsConstrained);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Directer request {RequestId} finished ({FinishReason}): {InputTokens} prompt ({CachedInputTokens} from the kept KV cache) + {OutputTokens} completion tokens, {ToolCallCount} tool calls, steering {SteeringSummary}, requests decoded together: up to {ConcurrentRequests}, steered passes shared by up to {SteeredBatchRequests} requests, {ElapsedMs} ms")]
    public static partial void RequestFinished(ILogger logger, string requestId, string finishReason, int inputTokens, int cachedInputTokens, int outputTokens, int toolCallCount, string steeringSummary, int concurrentRequests, int steeredBatchRequests, long elapsedMs);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Directer request {RequestId}: the model wrote a malformed tool call ({Reason}); the whole reply is returned as text and no tool is called. Fragment: {Fragment}")]
    public static partial void MalformedToolCall(ILogger logger, string requestId, string reason, string fragment);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Directer request {RequestId}: tool call {ToolName} has arguments that are not a JSON object ({Arguments}); it is dropped")]
    public static partial void BadToolArguments(ILogger logger, string requestId, string toolName, string arguments, Exception exception);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Directer request {RequestId}: JSON was requested (ResponseFormat) but the reply is not valid JSON ({Reason}); local models are asked for JSON in the prompt, not constrained to it")]
    public static partial void ReplyNotJson(ILogger logger, string requestId, string reason);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Directer request {RequestId}: a tool call was required (ToolMode) but the model made none")]
    public static partial void RequiredToolNotCalled(ILogger logger, string requestId);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "Directer request {RequestId}: {Setting} is not supported by local generation and is ignored")]
    public static partial void SettingIgnored(ILogger logger, string requestId, string setting);

    [LoggerMessage(EventId = 8, Level = LogLevel.Debug, Message = "Directer request {RequestId}: {Count} tool calls made, only the first is kept (AllowMultipleToolCalls is false)")]
    public static partial void ExtraToolCallsDropped(ILogger logger, string requestId, int count);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Directer request {RequestId} failed after {ElapsedMs} ms")]
    public static partial void RequestFailed(ILogger logger, string requestId, long elapsedMs, Exception exception);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Directer request {RequestId}: the model's chat template did not render the system message into this prompt (Mistral 7B v0.3's shows it only before the last user message, so not after a tool result); the default system-message emphasis steered nothing for it. Reported per reply as " + DirecterChatClient.SystemMessageNotRenderedKey + "; logged once per client. Set emphasize_system_message to true to make this an error, or to false to turn it off")]
    public static partial void SystemMessageNotRendered(ILogger logger, string requestId);
}
