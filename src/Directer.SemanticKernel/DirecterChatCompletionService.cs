using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Services;

namespace Directer.SemanticKernel;

/// <summary>
/// Semantic Kernel chat completion over a Directer <see cref="IChatClient"/> (a <see cref="DirecterChatClient"/>,
/// possibly wrapped in telemetry), with SK's own function invocation (auto-invoke, filters,
/// <see cref="FunctionChoiceBehavior"/>) on top. Settings are read and validated by
/// <see cref="DirecterPromptExecutionSettings.FromExecutionSettings"/>.
/// </summary>
public sealed class DirecterChatCompletionService : IChatCompletionService
{
    private const string UsageKey = "Usage";
    private readonly IChatCompletionService inner;

    /// <summary>Creates the service over <paramref name="client"/>.</summary>
    public DirecterChatCompletionService(IChatClient client, IServiceProvider? serviceProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var pipeline = client.AsBuilder().UseKernelFunctionInvocation(loggerFactory!).Build(serviceProvider);
        inner = pipeline.AsChatCompletionService(serviceProvider!);
        var metadata = (ChatClientMetadata?)client.GetService(typeof(ChatClientMetadata));
        Attributes = new Dictionary<string, object?> { [AIServiceExtensions.ModelIdKey] = metadata?.DefaultModelId };
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, object?> Attributes { get; }

    /// <inheritdoc />
    public Task<IReadOnlyList<ChatMessageContent>> GetChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default) =>
        inner.GetChatMessageContentsAsync(chatHistory, DirecterPromptExecutionSettings.FromExecutionSettings(executionSettings), kernel, cancellationToken);

    /// <inheritdoc />
    /// <remarks>The last chunk's <c>Metadata["Usage"]</c> is a <see cref="UsageDetails"/>, as in non-streaming replies.</remarks>
    public async IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var settings = DirecterPromptExecutionSettings.FromExecutionSettings(executionSettings);
        await foreach (var chunk in inner.GetStreamingChatMessageContentsAsync(chatHistory, settings, kernel, cancellationToken).ConfigureAwait(false))
        {
            if (chunk.Metadata?.TryGetValue(UsageKey, out var usage) == true && usage is UsageContent content)
            {
                chunk.Metadata = new Dictionary<string, object?>(chunk.Metadata) { [UsageKey] = content.Details };
            }

            yield return chunk;
        }
    }
}
