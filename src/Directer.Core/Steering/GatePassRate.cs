namespace Directer.Core.Steering;

/// <summary>
/// The recent share of DIRECTER steps the plausibility gate let through: an exponential average over about the last
/// four steps, starting as if only the step before the generation had passed. <see cref="SteeringStrategy.Auto"/> on the CPU runs a step's candidates
/// with its raw row while that is expected to cost less than running them after the gate (<see cref="FavoursBatchingAt"/>, from the model's
/// measured pass times; see docs/STEERING.md).
/// </summary>
internal struct GatePassRate
{
    /// <summary>Weight of the latest step.</summary>
    public const double Weight = 0.25;

    /// <summary>
    /// The rate from which batching the candidates with the raw row is taken to be cheaper before the pass costs were
    /// measured: on the AVX2 CPU kernels a raw row with T candidates cost c(1 + T) ≈ 1.2 plain passes and the candidates
    /// alone c(T) ≈ 1.15, so it paid off once more than (c(1 + T) − 1) / c(T) ≈ 0.2 of the steps passed the gate.
    /// </summary>
    public const double BatchingThreshold = 0.25;

    private double rate;

    /// <summary>The current rate.</summary>
    public readonly double Value => rate;

    /// <summary>Whether the next step should run its candidates with its raw row, by the fixed threshold.</summary>
    public readonly bool FavoursBatching => rate >= BatchingThreshold;

    /// <summary>
    /// Whether the next step should run its candidates with its raw row, given the measured wall time of a raw pass alone
    /// (<paramref name="raw"/>), of the candidates alone (<paramref name="candidates"/>) and of both in one pass
    /// (<paramref name="both"/>): a step costs <c>both</c> batched and <c>raw + rate · candidates</c> after the gate, so
    /// batch when that is cheaper. Until all three were measured, <see cref="FavoursBatching"/> decides.
    /// </summary>
    public readonly bool FavoursBatchingAt(double? raw, double? candidates, double? both) =>
        raw is { } r && candidates is { } c && both is { } b ? b < r + (rate * c) : FavoursBatching;

    /// <summary>
    /// Starts a generation as if only the step before it had passed the gate (rate = <see cref="Weight"/>): the first
    /// step batches and a gated one stops that, so a generation that gates from the start (the demo model's usual case)
    /// pays no speculative candidates; starting at 1 cost it five batched steps first.
    /// </summary>
    public void Reset() => rate = Weight;

    /// <summary>Counts a step the gate blocked (<paramref name="gated"/>) or let through.</summary>
    public void Record(bool gated) => rate += Weight * ((gated ? 0 : 1) - rate);
}
