using System.Runtime.CompilerServices;
using Directer.Core.Requests;
using Directer.Extensions.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Services;

#pragma warning disable SKEXP0110 // ReasoningContent is SK's (experimental) type for reasoning; callers find reasoning there.

namespace Directer.SemanticKernel;

/// <summary>
/// Semantic Kernel chat completion over a Directer <see cref="IChatClient"/> (a <see cref="DirecterChatClient"/>,
/// possibly wrapped in telemetry), with SK's own function invocation (auto-invoke, filters,
/// <see cref="FunctionChoiceBehavior"/>) on top. Each request's settings, of any <see cref="PromptExecutionSettings"/>
/// type, are read and validated once (<see cref="ExecutionSettingsReader"/>) and handed to the client as they are;
/// settings Directer cannot honour are logged (Warning). Replies carry the finish reason in
/// <c>Metadata["FinishReason"]</c> and token usage in <c>Metadata["Usage"]</c>; a reasoning model's reasoning comes as a
/// <see cref="ReasoningContent"/> item (<see cref="StreamingReasoningContent"/> when streaming), never as text.
/// </summary>
public sealed class DirecterChatCompletionService : IChatCompletionService
{
    private const string UsageKey = "Usage";
    private readonly IChatCompletionService inner;
    private readonly RequestOptions defaults;
    private readonly ILogger logger;

    /// <summary>Creates the service over <paramref name="client"/>.</summary>
    public DirecterChatCompletionService(IChatClient client, IServiceProvider? serviceProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var pipeline = client.AsBuilder().UseKernelFunctionInvocation(loggerFactory!).Build(serviceProvider);
        inner = pipeline.AsChatCompletionService(serviceProvider!);
        defaults = (client.GetService(typeof(DirecterChatClient)) as DirecterChatClient)?.Defaults ?? new RequestOptions();
        logger = (ILogger?)loggerFactory?.CreateLogger<DirecterChatCompletionService>() ?? NullLogger.Instance;
        var metadata = (ChatClientMetadata?)client.GetService(typeof(ChatClientMetadata));
        Attributes = new Dictionary<string, object?> { [AIServiceExtensions.ModelIdKey] = metadata?.DefaultModelId };
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, object?> Attributes { get; }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ChatMessageContent>> GetChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default)
    {
        var replies = await inner.GetChatMessageContentsAsync(chatHistory, Parse(executionSettings), kernel, cancellationToken).ConfigureAwait(false);
        foreach (var reply in replies)
        {
            // SK 1.82's IChatClient adapter drops TextReasoningContent but keeps the raw representation (our result).
            if (reply.InnerContent is Core.Chat.ChatResult { Reasoning: { Length: > 0 } reasoning })
            {
                reply.Items.Insert(0, new ReasoningContent(reasoning));
            }
        }

        return replies;
    }

    /// <inheritdoc />
    /// <remarks>The last chunk's <c>Metadata["Usage"]</c> is a <see cref="UsageDetails"/>, as in non-streaming replies.</remarks>
    public async IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var settings = Parse(executionSettings);
        await foreach (var chunk in inner.GetStreamingChatMessageContentsAsync(chatHistory, settings, kernel, cancellationToken).ConfigureAwait(false))
        {
            if (chunk.Metadata?.TryGetValue(UsageKey, out var usage) == true && usage is UsageContent content)
            {
                chunk.Metadata = new Dictionary<string, object?>(chunk.Metadata) { [UsageKey] = content.Details };
            }

            if (chunk.InnerContent is Core.Chat.ChatUpdate { IsReasoning: true } reasoning)
            {
                chunk.Items.Add(new StreamingReasoningContent(reasoning.Text));
            }

            yield return chunk;
        }
    }

    /// <summary>The request's settings read once, before the model loads; what cannot be honoured is logged.</summary>
    private ParsedExecutionSettings Parse(PromptExecutionSettings? settings)
    {
        var unmapped = new List<string>();
        var options = ExecutionSettingsReader.Read(settings, defaults, unmapped);
        foreach (string key in unmapped)
        {
            SemanticKernelLog.SettingNotSupported(logger, key, settings!.GetType().Name);
        }

        return new ParsedExecutionSettings(settings, options);
    }
}
