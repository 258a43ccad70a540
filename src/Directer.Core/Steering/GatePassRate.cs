namespace Directer.Core.Steering;

/// <summary>
/// The recent share of DIRECTER steps the plausibility gate let through: an exponential average over about the last
/// four steps, 1 at the start of a generation. <see cref="SteeringStrategy.Auto"/> on the CPU runs a step's candidates
/// with its raw row while <see cref="FavoursBatching"/> (see docs/STEERING.md for the costs behind the threshold).
/// </summary>
internal struct GatePassRate
{
    /// <summary>Weight of the latest step.</summary>
    public const double Weight = 0.25;

    /// <summary>
    /// The rate from which batching the candidates with the raw row is cheaper: on the CPU kernels a raw row with T
    /// candidates costs c(1 + T) ≈ 1.2 plain passes and the candidates alone c(T) ≈ 1.15, so it pays off once more than
    /// (c(1 + T) − 1) / c(T) ≈ 0.2 of the steps pass the gate.
    /// </summary>
    public const double BatchingThreshold = 0.25;

    private double rate;

    /// <summary>The current rate.</summary>
    public readonly double Value => rate;

    /// <summary>Whether the next step should run its candidates with its raw row.</summary>
    public readonly bool FavoursBatching => rate >= BatchingThreshold;

    /// <summary>Starts a generation (as if every step so far had passed).</summary>
    public void Reset() => rate = 1;

    /// <summary>Counts a step the gate blocked (<paramref name="gated"/>) or let through.</summary>
    public void Record(bool gated) => rate += Weight * ((gated ? 0 : 1) - rate);
}
