using System.Runtime.CompilerServices;
using System.Text.Json;
using Directer.Core.Chat;
using Directer.Core.Steering;
using Directer.Core.Text.Emphasis;
using Directer.Core.Text.Templates;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using AIChatRole = Microsoft.Extensions.AI.ChatRole;
using TemplateRole = Directer.Core.Text.Templates.ChatRole;

namespace Directer.SemanticKernel;

/// <summary>
/// A Microsoft.Extensions.AI chat client over a local <see cref="ChatModel"/>: renders messages and
/// tools with the model's chat template, steers towards emphasised instructions, and returns text,
/// tool calls (<see cref="FunctionCallContent"/>), usage and the steering summary.
/// </summary>
public sealed class DirecterChatClient : IChatClient
{
    /// <summary>Key of the steering summary in <see cref="ChatResponse.AdditionalProperties"/>.</summary>
    public const string SteeringSummaryKey = "directer.steering";

    /// <summary>Key of the emphasised token spans in <see cref="ChatResponse.AdditionalProperties"/>.</summary>
    public const string EmphasisSpansKey = "directer.emphasis_spans";

    private readonly ChatModel model;
    private readonly DirecterRequestDefaults defaults;
    private readonly ILogger logger;
    private readonly ChatClientMetadata metadata;

    /// <summary>Creates the client over a loaded model (not owned).</summary>
    public DirecterChatClient(ChatModel model, DirecterRequestDefaults? defaults = null, ILogger<DirecterChatClient>? logger = null)
    {
        this.model = model;
        this.defaults = defaults ?? new DirecterRequestDefaults();
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
        metadata = new ChatClientMetadata("directer", null, model.ModelId);
    }

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = ToRequest(messages, options);
        var result = await model.CompleteAsync(request, cancellationToken).ConfigureAwait(false);
        // On the message too: Semantic Kernel's adapter carries message properties into
        // ChatMessageContent.Metadata, response properties it drops.
        var message = new ChatMessage(AIChatRole.Assistant, Contents(result)) { AdditionalProperties = Properties(result) };
        return new ChatResponse(message)
        {
            ModelId = model.ModelId,
            FinishReason = Finish(result),
            Usage = Usage(result),
            CreatedAt = DateTimeOffset.UtcNow,
            AdditionalProperties = Properties(result),
        };
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = ToRequest(messages, options);
        string responseId = Guid.NewGuid().ToString("N");
        bool tools = request.Tools.Count > 0;
        await foreach (var update in model.StreamAsync(request, cancellationToken).ConfigureAwait(false))
        {
            if (update.Result is { } result)
            {
                var contents = new List<AIContent>();
                if (tools)
                {
                    // With tools, text is held back until the tool calls are parsed out of it.
                    if (result.Text.Length > 0)
                    {
                        contents.Add(new TextContent(result.Text));
                    }
                }

                contents.AddRange(Calls(result));
                contents.Add(new UsageContent(Usage(result)));
                yield return new ChatResponseUpdate(AIChatRole.Assistant, contents)
                {
                    ResponseId = responseId,
                    ModelId = model.ModelId,
                    FinishReason = Finish(result),
                    AdditionalProperties = Properties(result),
                };
            }
            else if (!tools && update.Text.Length > 0)
            {
                yield return new ChatResponseUpdate(AIChatRole.Assistant, update.Text) { ResponseId = responseId, ModelId = model.ModelId };
            }
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? metadata
        : serviceType.IsInstanceOfType(this) ? this
        : serviceType.IsInstanceOfType(model) ? model
        : null;

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private ChatRequest ToRequest(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var messageList = messages.ToList();
        var settings = DirecterChatOptions.Read(options, defaults, messageList.Any(m => m.Role == AIChatRole.System));
        var tools = options?.ToolMode is NoneChatToolMode ? [] : (options?.Tools ?? []).OfType<AIFunctionDeclaration>()
            .Select(f => new ToolDefinition(f.Name, f.Description, f.JsonSchema.GetRawText())).ToList();
        var turns = new List<ChatTurn>();
        foreach (var message in messageList)
        {
            turns.AddRange(ToTurns(message));
        }

        if (options?.ToolMode is RequiredChatToolMode && tools.Count > 0)
        {
            logger.LogDebug("Tool mode 'required' is advisory for local models: the prompt lists the tools; the model decides.");
        }

        return new ChatRequest
        {
            Turns = turns,
            Tools = tools,
            Emphasis = settings.Emphasis,
            Steering = settings.Steering,
            MaxNewTokens = settings.MaxTokens,
            Temperature = options?.Temperature ?? 0,
            TopP = options?.TopP,
            TopK = options?.TopK,
            Seed = options?.Seed,
            StopStrings = options?.StopSequences?.ToList() ?? [],
        };
    }

    private static IEnumerable<ChatTurn> ToTurns(ChatMessage message)
    {
        string text = string.Concat(message.Contents.OfType<TextContent>().Select(t => t.Text));
        if (message.Role == AIChatRole.System)
        {
            yield return new ChatTurn(TemplateRole.System, text);
        }
        else if (message.Role == AIChatRole.User)
        {
            yield return new ChatTurn(TemplateRole.User, text);
        }
        else if (message.Role == AIChatRole.Assistant)
        {
            var calls = message.Contents.OfType<FunctionCallContent>()
                .Select(c => new ToolCall(c.Name, JsonSerializer.Serialize(c.Arguments ?? new Dictionary<string, object?>()), c.CallId)).ToList();
            yield return new ChatTurn(TemplateRole.Assistant, text) { ToolCalls = calls };
        }
        else if (message.Role == AIChatRole.Tool)
        {
            foreach (var result in message.Contents.OfType<FunctionResultContent>())
            {
                string content = result.Result switch
                {
                    null => string.Empty,
                    string s => s,
                    JsonElement e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText(),
                    var other => JsonSerializer.Serialize(other),
                };
                yield return new ChatTurn(TemplateRole.Tool, content) { ToolCallId = result.CallId };
            }
        }
        else
        {
            throw new ArgumentException($"Chat role '{message.Role}' is not supported: use system, user, assistant or tool.", nameof(message));
        }
    }

    private List<AIContent> Contents(ChatResult result)
    {
        var contents = new List<AIContent>();
        if (result.Text.Length > 0)
        {
            contents.Add(new TextContent(result.Text));
        }

        contents.AddRange(Calls(result));
        return contents;
    }

    private IEnumerable<AIContent> Calls(ChatResult result)
    {
        foreach (var malformed in result.MalformedToolCalls)
        {
            logger.LogWarning("The model wrote a malformed tool call; it is returned as text: {Reason}", malformed);
        }

        foreach (var call in result.ToolCalls)
        {
            Dictionary<string, object?>? arguments;
            try
            {
                arguments = JsonSerializer.Deserialize<Dictionary<string, object?>>(call.ArgumentsJson);
            }
            catch (JsonException e)
            {
                logger.LogWarning(e, "Tool call {Name} has arguments that are not a JSON object: {Arguments}", call.Name, call.ArgumentsJson);
                continue;
            }

            // 9 alphanumeric characters: the strictest id format among the templates (Mistral).
            yield return new FunctionCallContent(call.Id ?? Guid.NewGuid().ToString("N")[..9], call.Name, arguments);
        }
    }

    private static ChatFinishReason Finish(ChatResult result) =>
        result.ToolCalls.Count > 0 ? ChatFinishReason.ToolCalls
        : result.StopReason is Core.Generation.StopReason.MaxTokens or Core.Generation.StopReason.ContextFull ? ChatFinishReason.Length
        : ChatFinishReason.Stop;

    private static UsageDetails Usage(ChatResult result) => new()
    {
        InputTokenCount = result.PromptTokens,
        OutputTokenCount = result.CompletionTokens,
        TotalTokenCount = result.PromptTokens + result.CompletionTokens,
    };

    private static AdditionalPropertiesDictionary Properties(ChatResult result)
    {
        var properties = new AdditionalPropertiesDictionary { [EmphasisSpansKey] = result.EmphasisSpans };
        if (result.Steering is { } steering)
        {
            properties[SteeringSummaryKey] = steering;
        }

        return properties;
    }
}
