using Directer.Core.Steering;
using Directer.Core.Text.Emphasis;
using Directer.Core.Text.Templates;

namespace Directer.Core.Chat;

/// <summary>One chat completion request to a <see cref="ChatModel"/>.</summary>
public sealed record ChatRequest
{
    /// <summary>The conversation so far.</summary>
    public required IReadOnlyList<ChatTurn> Turns { get; init; }

    /// <summary>Tools the model may call (rendered in the model family's format).</summary>
    public IReadOnlyList<ToolDefinition> Tools { get; init; } = [];

    /// <summary>What to emphasise; null = nothing.</summary>
    public EmphasisRequest? Emphasis { get; init; }

    /// <summary>How to steer towards the emphasised text; null or <see cref="SteeringMethod.None"/> = no steering.</summary>
    public SteeringSettings? Steering { get; init; }

    /// <summary>Most tokens to generate (default 512).</summary>
    public int MaxNewTokens { get; init; } = 512;

    /// <summary>0 = greedy (default).</summary>
    public float Temperature { get; init; }

    /// <summary>Nucleus sampling mass.</summary>
    public float? TopP { get; init; }

    /// <summary>Top-k sampling.</summary>
    public int? TopK { get; init; }

    /// <summary>Sampling seed.</summary>
    public long? Seed { get; init; }

    /// <summary>Strings that end the reply (matched on text, cut from it).</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];
}
