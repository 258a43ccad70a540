using Directer.Core.Modeling;

namespace Directer.Core.Chat;

/// <summary>How a <see cref="ChatModel"/> is loaded.</summary>
public sealed record ChatModelOptions
{
    /// <summary>Model runtime options (dtype, device, threads, context).</summary>
    public ModelOptions Model { get; init; } = new();

    /// <summary>Chat template name to force (chatml, qwen2.5, llama3, llama2, mistral, phi3); null = detect from the checkpoint.</summary>
    public string? ChatTemplate { get; init; }
}
