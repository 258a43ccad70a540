namespace Directer.Core.Steering;

/// <summary>How DIRECTER runs its candidate passes; both give identical tokens.</summary>
public enum SteeringStrategy
{
    /// <summary>Pick by device: <see cref="Sequential"/> on CPU, <see cref="Batched"/> on GPU (see docs/STEERING.md).</summary>
    Auto,

    /// <summary>The paper's loop: one steered pass per trial, only when needed.</summary>
    Sequential,

    /// <summary>The raw pass and every candidate layer set of a step in one batched forward.</summary>
    Batched,
}
