using System.Text.Json.Serialization;
using Directer.Core.Requests;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;

namespace Directer.SemanticKernel;

/// <summary>
/// Settings already read into <see cref="RequestOptions"/>, on their way through Semantic Kernel's chat-client adapter
/// (function choice, service and model id kept): they reach the client as <see cref="ChatOptions.RawRepresentationFactory"/>,
/// so the client does not read them again.
/// </summary>
internal sealed class ParsedExecutionSettings : PromptExecutionSettings
{
    public ParsedExecutionSettings(PromptExecutionSettings? original, RequestOptions options)
    {
        Options = options;
        ServiceId = original?.ServiceId;
        ModelId = original?.ModelId;
        FunctionChoiceBehavior = original?.FunctionChoiceBehavior;
    }

    /// <summary>The validated request options.</summary>
    [JsonIgnore]
    public RequestOptions Options { get; }

    /// <inheritdoc />
    public override PromptExecutionSettings Clone() => new ParsedExecutionSettings(this, Options);

    /// <inheritdoc />
    protected override void PrepareChatOptionsForRequest(ChatOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.RawRepresentationFactory = _ => Options;
    }
}
