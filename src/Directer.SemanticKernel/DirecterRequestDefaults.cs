using Directer.Core.Steering;

namespace Directer.SemanticKernel;

/// <summary>What a request gets when its settings say nothing (instruction-strict by default).</summary>
public sealed record DirecterRequestDefaults
{
    /// <summary>Steering used when a request names none (default DIRECTER with the paper's settings).</summary>
    public SteeringSettings Steering { get; init; } = new();

    /// <summary>Emphasise the system message when the conversation has one (default true).</summary>
    public bool EmphasizeSystemMessage { get; init; } = true;

    /// <summary>
    /// Constrain tool calls to the listed tools' grammar when a request does not say (default false; see
    /// <see cref="DirecterSettingKeys.ConstrainToolCalls"/>).
    /// </summary>
    public bool ConstrainToolCalls { get; init; }

    /// <summary>Token budget when a request names none (default 512).</summary>
    public int MaxTokens { get; init; } = 512;
}
