namespace Directer.Core.Steering;

/// <summary>How DIRECTER runs its candidate passes; both give identical tokens.</summary>
public enum SteeringStrategy
{
    /// <summary>On GPU <see cref="Batched"/>; on CPU <see cref="BatchedAfterGate"/> while the gate mostly blocks steering, <see cref="Batched"/> while it mostly lets steps through (see docs/STEERING.md).</summary>
    Auto,

    /// <summary>The paper's loop: one steered pass per trial, only when needed.</summary>
    Sequential,

    /// <summary>The raw pass and every candidate layer set of a step in one batched forward.</summary>
    Batched,

    /// <summary>
    /// The raw pass alone; only when the gate lets steering through, every candidate layer set in
    /// one batched forward. Gated steps cost one plain pass, steered steps two passes.
    /// </summary>
    BatchedAfterGate,
}
