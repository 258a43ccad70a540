using Directer.Core.Steering;

namespace Directer.SemanticKernel;

/// <summary>What a request gets when its settings say nothing (instruction-strict by default).</summary>
public sealed record DirecterRequestDefaults
{
    /// <summary>Steering used when a request names none (default DIRECTER with the paper's settings).</summary>
    public SteeringSettings Steering { get; init; } = new();

    /// <summary>Emphasise the system message when the conversation has one (default true).</summary>
    public bool EmphasizeSystemMessage { get; init; } = true;

    /// <summary>Token budget when a request names none (default 512).</summary>
    public int MaxTokens { get; init; } = 512;
}
