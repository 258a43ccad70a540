using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Directer.Core.Chat;
using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Requests;
using Directer.Core.Steering;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using AIChatRole = Microsoft.Extensions.AI.ChatRole;

namespace Directer.Extensions.AI;

/// <summary>
/// A Microsoft.Extensions.AI chat client over a local <see cref="ChatModel"/>: renders messages and
/// tools with the model's chat template, steers towards emphasised instructions, and returns text,
/// tool calls (<see cref="FunctionCallContent"/>), usage and the steering summary. Logs each request
/// (start at Debug, end at Information with token counts and steering) and malformed tool output (Warning).
/// </summary>
public sealed class DirecterChatClient : IChatClient
{
    /// <summary>Key of the steering summary in <see cref="ChatResponse.AdditionalProperties"/>.</summary>
    public const string SteeringSummaryKey = "directer.steering";

    /// <summary>Key of the emphasised token spans in <see cref="ChatResponse.AdditionalProperties"/>.</summary>
    public const string EmphasisSpansKey = "directer.emphasis_spans";

    /// <summary>Key of the finish reason (stop, length, tool_calls) in the message's and response's additional properties.</summary>
    public const string FinishReasonKey = "FinishReason";

    /// <summary>
    /// Key of the reply's <see cref="StopReason"/> in <see cref="ChatResponse.AdditionalProperties"/>. Semantic Kernel
    /// keeps additional properties in a message's metadata but drops the finish reason, so this is how an SK caller
    /// tells a reply cut at the token limit (<see cref="StopReason.MaxTokens"/>) from a finished one.
    /// </summary>
    public const string StopReasonKey = "directer.stop_reason";

    /// <summary>
    /// Key set to true in <see cref="ChatResponse.AdditionalProperties"/> when the system message was to be emphasised
    /// by default but the model's own template left it out of this prompt, so nothing of it was steered
    /// (<see cref="ChatResult.SystemMessageNotRendered"/>); absent otherwise.
    /// </summary>
    public const string SystemMessageNotRenderedKey = "directer.system_message_not_rendered";

    /// <summary>
    /// Key of the seconds the reply's decode steps took (a <see cref="double"/>; prefill excluded, DIRECTER's ranking and
    /// steered passes included) in <see cref="ChatResponse.AdditionalProperties"/>: with the usage's output tokens, the
    /// decode speed, which a reused prompt prefix does not flatter the way wall time does.
    /// </summary>
    public const string DecodeSecondsKey = "directer.decode_seconds";

    private readonly Func<CancellationToken, Task<ChatModel>> source;
    private readonly ILogger logger;
    private readonly ChatClientMetadata metadata;
    private readonly string? telemetrySourceName;
    private readonly int? maxSequenceLength;
    private int systemMessageWarned;
    private ChatModel? loaded;

    /// <summary>Creates the client over a loaded model (not owned).</summary>
    /// <exception cref="ArgumentException">The defaults are invalid (each problem named).</exception>
    public DirecterChatClient(ChatModel model, RequestOptions? defaults = null, ILogger<DirecterChatClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        defaults ??= new RequestOptions();
        if (defaults.GetValidationErrors() is { Count: > 0 } errors)
        {
            throw new ArgumentException($"Request defaults are invalid: {string.Join(" ", errors)}", nameof(defaults));
        }

        loaded = model;
        source = _ => Task.FromResult(model);
        Defaults = defaults;
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
        ModelId = model.ModelId;
        metadata = new ChatClientMetadata(DirecterTelemetry.ProviderName, null, ModelId);
    }

    /// <summary>
    /// Creates the client over the model <paramref name="options"/> name, taken from <paramref name="registry"/>
    /// (downloaded and loaded on the first request, or by <see cref="LoadAsync"/>; shared with every client of the same source).
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public DirecterChatClient(DirecterModelRegistry registry, DirecterConnectorOptions options, ILogger<DirecterChatClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        source = cancellationToken => registry.GetValidatedAsync(options, cancellationToken); // validated above, once
        Defaults = options.Defaults;
        maxSequenceLength = options.MaxSequenceLength;
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
        ModelId = options.DisplayModelId;
        telemetrySourceName = options.EnableTelemetry ? options.TelemetrySourceName ?? DirecterTelemetry.DefaultSourceName : null;
        metadata = new ChatClientMetadata(DirecterTelemetry.ProviderName, null, ModelId);
    }

    /// <summary>What a request gets when its settings say nothing (validated).</summary>
    public RequestOptions Defaults { get; }

    /// <summary>The model id in responses and metadata (the hub id, or the checkpoint folder's name).</summary>
    public string ModelId { get; }

    /// <summary>Downloads and loads the model now (it is otherwise loaded by the first request).</summary>
    public async Task<ChatModel> LoadAsync(CancellationToken cancellationToken = default)
    {
        var model = await source(cancellationToken).ConfigureAwait(false);
        loaded = model;
        return model;
    }

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var plan = DirecterRequestMapper.Map(messages, options, Defaults, this);
        var model = await LoadAsync(cancellationToken).ConfigureAwait(false);
        string requestId = NewRequestId();
        Started(plan, requestId, "complete");
        var clock = Stopwatch.StartNew();
        ChatResult result;
        try
        {
            result = await model.CompleteAsync(plan.Request, cancellationToken).ConfigureAwait(false);
        }
        catch (ContextLengthExceededException e)
        {
            DirecterLog.RequestFailed(logger, requestId, clock.ElapsedMilliseconds, e);
            throw Overflow(e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            DirecterLog.RequestFailed(logger, requestId, clock.ElapsedMilliseconds, e);
            throw;
        }

        var calls = Calls(result, plan, requestId);
        string text = Text(result, plan);
        var contents = new List<AIContent>();
        if (result.Reasoning is { Length: > 0 } reasoning)
        {
            contents.Add(new TextReasoningContent(reasoning));
        }

        if (text.Length > 0)
        {
            contents.Add(new TextContent(text));
        }

        contents.AddRange(calls);

        // On the message too: Semantic Kernel's adapter carries message properties into
        // ChatMessageContent.Metadata, response properties it drops.
        var finish = Finish(calls.Count, result);
        var message = new ChatMessage(AIChatRole.Assistant, contents) { AdditionalProperties = Properties(result, finish), RawRepresentation = result };
        var response = new ChatResponse(message)
        {
            ResponseId = requestId,
            ModelId = ModelId,
            FinishReason = finish,
            Usage = Usage(result),
            CreatedAt = DateTimeOffset.UtcNow,
            AdditionalProperties = Properties(result, finish),
        };
        Finished(plan, requestId, result, calls.Count, response.FinishReason!.Value, clock);
        return response;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var plan = DirecterRequestMapper.Map(messages, options, Defaults, this);
        var model = await LoadAsync(cancellationToken).ConfigureAwait(false);
        string requestId = NewRequestId();
        Started(plan, requestId, "stream");
        var clock = Stopwatch.StartNew();
        bool tools = plan.Request.Tools.Count > 0;
        await using var updates = model.StreamAsync(plan.Request, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await updates.MoveNextAsync().ConfigureAwait(false))
                {
                    break;
                }
            }
            catch (ContextLengthExceededException e)
            {
                DirecterLog.RequestFailed(logger, requestId, clock.ElapsedMilliseconds, e);
                throw Overflow(e);
            }

            var update = updates.Current;
            if (update.Result is { } result)
            {
                var calls = Calls(result, plan, requestId);
                var contents = new List<AIContent>();

                // With tools, text is held back until the tool calls are parsed out of it.
                if (tools && Text(result, plan) is { Length: > 0 } text)
                {
                    contents.Add(new TextContent(text));
                }

                contents.AddRange(calls);
                contents.Add(new UsageContent(Usage(result)));
                var finish = Finish(calls.Count, result);
                Finished(plan, requestId, result, calls.Count, finish, clock);
                yield return new ChatResponseUpdate(AIChatRole.Assistant, contents)
                {
                    ResponseId = requestId,
                    MessageId = requestId,
                    ModelId = ModelId,
                    FinishReason = finish,
                    CreatedAt = DateTimeOffset.UtcNow,
                    AdditionalProperties = Properties(result, finish),
                };
            }
            else if (update.IsReasoning && update.Text.Length > 0)
            {
                // Reasoning never holds tool calls, so it streams with or without tools.
                yield return new ChatResponseUpdate(AIChatRole.Assistant, [new TextReasoningContent(update.Text)]) { ResponseId = requestId, MessageId = requestId, ModelId = ModelId, RawRepresentation = update };
            }
            else if (!tools && update.Text.Length > 0)
            {
                yield return new ChatResponseUpdate(AIChatRole.Assistant, update.Text) { ResponseId = requestId, MessageId = requestId, ModelId = ModelId };
            }
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? metadata
            : serviceType.IsInstanceOfType(this) ? this
            : loaded is not null && serviceType.IsInstanceOfType(loaded) ? loaded
            : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private static string NewRequestId() => Guid.NewGuid().ToString("N");

    private void Started(DirecterRequestPlan plan, string requestId, string mode)
    {
        foreach (string setting in plan.Ignored)
        {
            DirecterLog.SettingIgnored(logger, requestId, setting);
        }

        if (logger.IsEnabled(LogLevel.Debug))
        {
            var request = plan.Request;
            string steering = request.Steering?.Method.ToString().ToLowerInvariant() ?? "none";
            int spans = (request.Emphasis?.Texts.Count ?? 0) + (request.Emphasis is { SystemMessage: true } or { SystemMessageIfRendered: true } ? 1 : 0);
            DirecterLog.RequestStarted(logger, requestId, mode, plan.MessageCount, request.Tools.Count, steering, spans, request.MaxNewTokens, request.Temperature, request.ToolCallsConstrained);
        }
    }

    private void Finished(DirecterRequestPlan plan, string requestId, ChatResult result, int callCount, ChatFinishReason finish, Stopwatch clock)
    {
        if (plan.JsonRequested && callCount == 0 && !IsJson(result.Text, out string? reason))
        {
            DirecterLog.ReplyNotJson(logger, requestId, reason!);
        }

        if (result.SystemMessageNotRendered && Interlocked.Exchange(ref systemMessageWarned, 1) == 0)
        {
            DirecterLog.SystemMessageNotRendered(logger, requestId);
        }

        if (plan.ToolRequired && callCount == 0)
        {
            DirecterLog.RequiredToolNotCalled(logger, requestId);
        }

        DirecterLog.RequestFinished(logger, requestId, finish.Value, result.PromptTokens, result.CachedPromptTokens, result.CompletionTokens, callCount, Describe(result.Steering), result.PeakConcurrentRequests, result.PeakSteeredBatchRequests, clock.ElapsedMilliseconds);
        if (telemetrySourceName is not null && Activity.Current is { } activity && activity.Source.Name == telemetrySourceName)
        {
            activity.SetTag(DirecterTelemetry.SteeringMethodTag, result.Steering?.Method ?? "none");
            activity.SetTag(DirecterTelemetry.EmphasisSpansTag, result.EmphasisSpans.Count);
            activity.SetTag(DirecterTelemetry.CachedInputTokensTag, result.CachedPromptTokens);
            activity.SetTag(DirecterTelemetry.ConcurrentRequestsTag, result.PeakConcurrentRequests);
            activity.SetTag(DirecterTelemetry.SteeredBatchRequestsTag, result.PeakSteeredBatchRequests);
            if (result.Steering is { } steering)
            {
                activity.SetTag(DirecterTelemetry.SteeredShareTag, steering.SteeredShare);
            }
        }
    }

    private static string Describe(SteeringSummary? steering) =>
        steering is null ? "none"
        : string.Create(CultureInfo.InvariantCulture, $"{steering.Method}: {steering.SteeredShare:P0} of {steering.Steps} steps steered, {steering.ChangedShare:P0} changed, {steering.MeanTrials:0.##} trials per step");

    private static bool IsJson(string text, out string? reason)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            reason = null;
            return true;
        }
        catch (JsonException e)
        {
            reason = e.Message;
            return false;
        }
    }

    /// <summary>The reply text: without tool-call blocks when tools were offered, else everything the model wrote (as streamed).</summary>
    private static string Text(ChatResult result, DirecterRequestPlan plan) =>
        plan.Request.Tools.Count > 0 ? result.Text : result.AnswerText;

    private List<AIContent> Calls(ChatResult result, DirecterRequestPlan plan, string requestId)
    {
        if (plan.Request.Tools.Count == 0)
        {
            return []; // no tools were offered: tool-call-like text is just text
        }

        foreach (var malformed in result.MalformedToolCalls)
        {
            DirecterLog.MalformedToolCall(logger, requestId, malformed.Reason, malformed.Fragment);
        }

        var calls = new List<AIContent>();
        foreach (var call in result.ToolCalls)
        {
            Dictionary<string, object?>? arguments;
            try
            {
                arguments = JsonSerializer.Deserialize<Dictionary<string, object?>>(call.ArgumentsJson);
            }
            catch (JsonException e)
            {
                DirecterLog.BadToolArguments(logger, requestId, call.Name, call.ArgumentsJson, e);
                continue;
            }

            // 9 alphanumeric characters: the strictest id format among the templates (Mistral).
            calls.Add(new FunctionCallContent(call.Id ?? Guid.NewGuid().ToString("N")[..9], call.Name, arguments));
        }

        if (plan.AllowMultipleToolCalls == false && calls.Count > 1)
        {
            DirecterLog.ExtraToolCallsDropped(logger, requestId, calls.Count);
            calls.RemoveRange(1, calls.Count - 1);
        }

        return calls;
    }

    private static ChatFinishReason Finish(int callCount, ChatResult result) =>
        callCount > 0 ? ChatFinishReason.ToolCalls
        : result.StopReason is StopReason.MaxTokens or StopReason.ContextFull ? ChatFinishReason.Length
        : ChatFinishReason.Stop;

    private static UsageDetails Usage(ChatResult result) => new()
    {
        InputTokenCount = result.PromptTokens,
        CachedInputTokenCount = result.CachedPromptTokens,
        OutputTokenCount = result.CompletionTokens,
        TotalTokenCount = result.PromptTokens + result.CompletionTokens,
    };

    /// <summary>The overflow, naming what a connector user can change.</summary>
    private ContextLengthExceededException Overflow(ContextLengthExceededException e) => e.WithRemedy(
        "send a shorter conversation (fewer or shorter messages, fewer tools), or raise the connector option MaxSequenceLength "
        + $"(DirecterConnectorOptions.MaxSequenceLength, configuration key 'MaxSequenceLength'; now {(maxSequenceLength is int n ? n.ToString(CultureInfo.InvariantCulture) : "unset, the model's default")}), "
        + "up to the checkpoint's max_position_embeddings.");

    private static AdditionalPropertiesDictionary Properties(ChatResult result, ChatFinishReason finish)
    {
        var properties = new AdditionalPropertiesDictionary
        {
            [EmphasisSpansKey] = result.EmphasisSpans,
            [FinishReasonKey] = finish.Value,
            [StopReasonKey] = result.StopReason,
            [DecodeSecondsKey] = result.Generation.DecodeTime.TotalSeconds,
        };
        if (result.SystemMessageNotRendered)
        {
            properties[SystemMessageNotRenderedKey] = true;
        }

        if (result.Steering is { } steering)
        {
            properties[SteeringSummaryKey] = steering;
        }

        return properties;
    }
}
