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
    public IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default) =>
        inner.GetStreamingChatMessageContentsAsync(chatHistory, DirecterPromptExecutionSettings.FromExecutionSettings(executionSettings), kernel, cancellationToken);
}
