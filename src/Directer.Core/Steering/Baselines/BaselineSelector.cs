using Directer.Core.Generation;
using Directer.Core.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Core.Steering.Baselines;

/// <summary>
/// Runs a single-pass steering method every step: a raw pass (kept in the cache) and one read-only
/// steered pass whose choice is emitted, or, with <c>gated</c>, emitted only when plausible under
/// the raw distribution (DIRECTER's test, one trial) and otherwise replaced by the raw choice.
/// </summary>
internal sealed class BaselineSelector : ISteeringSelector, ISteersAfterRawPass
{
    private readonly ISteeringMethod method;
    private readonly IReadOnlyList<TokenSpan> spans;
    private readonly bool gated;
    private readonly double beta;
    private readonly List<SteeringStep> trace = new();
    private EmphasisPositions? emphasis;
    private PendingStep? pending;

    /// <summary>Creates the selector.</summary>
    public BaselineSelector(ISteeringMethod method, IEnumerable<TokenSpan> spans, bool gated = false, double beta = 0.5)
    {
        if (gated && !(beta > 0 && beta <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(beta), beta, "The plausibility gate's beta must be in (0, 1].");
        }

        this.method = method;
        this.spans = spans.ToList();
        this.gated = gated;
        this.beta = beta;
    }

    /// <summary>Per-step trace of the last generation.</summary>
    public IReadOnlyList<SteeringStep> Trace => trace;

    /// <summary>Statistics of the last generation.</summary>
    public SteeringSummary Summary => SteeringSummary.From(method.Name + (gated ? "+gate" : string.Empty), trace, null);

    /// <inheritdoc />
    public void Begin(IReadOnlyList<int> promptIds)
    {
        emphasis = EmphasisPositions.Create(spans, promptIds.Count);
        trace.Clear();
        pending = null;
    }

    /// <inheritdoc />
    public bool StartsWithRawPass(int index, torch.Device device, bool concurrent) => true;

    /// <summary>
    /// Steps of a method that only scales score columns (static key scaling) declare their steered row after the raw
    /// pass, so that several requests' rows share one pass. PASTA, SpotLight and InstABoost change scores by other
    /// rules (per head, by attention mass, by renormalising) that the kernels' multi-sequence pass does not apply per
    /// row; they run their steered pass per request, inside <see cref="Select"/>.
    /// </summary>
    public bool DeclaresSteeredRows(int index, torch.Device device, bool concurrent) => method.ScalesScoreColumns;

    /// <inheritdoc />
    public SteeredRows? BeginStep(DecodeStep step)
    {
        var positions = emphasis ?? throw new InvalidOperationException("Begin was not called.");
        bool greedy = step.Sampler.IsGreedy;
        double u = greedy ? 0 : step.Sampler.NextUniform();
        var raw = step.RunRawPass();
        var p = greedy ? raw.softmax(-1) : step.Sampler.Distribution(raw);
        float[] probabilities = p.data<float>().ToArray();
        int rawToken = greedy ? TokenSampler.ArgMax(raw) : TokenSampler.DrawWith(p, u);
        if (gated && !PlausibilityGate.SteeringCanChangeOutcome(probabilities, beta))
        {
            pending = new PendingStep(Record(step.Index, true, 0, false, rawToken, rawToken, probabilities), rawToken, probabilities, greedy, u);
            return null;
        }

        pending = new PendingStep(null, rawToken, probabilities, greedy, u);
        return new SteeredRows(method.ForPass(positions, step.Position, step.Position + 1, step.Model.Device), 1);
    }

    /// <inheritdoc />
    public int EndStep(DecodeStep step, torch.Tensor? steered)
    {
        var state = pending ?? throw new InvalidOperationException("EndStep without BeginStep.");
        pending = null;
        if (state.Chosen is { } chosen)
        {
            return chosen;
        }

        var row = steered![0];
        int candidate = state.Greedy ? TokenSampler.ArgMax(row) : TokenSampler.DrawWith(step.Sampler.Distribution(row), state.U);
        if (gated && !PlausibilityGate.IsPlausible(state.Probabilities, candidate, beta, state.Probabilities.Max()))
        {
            return Record(step.Index, false, 1, true, state.RawToken, state.RawToken, state.Probabilities);
        }

        return Record(step.Index, false, 1, false, state.RawToken, candidate, state.Probabilities);
    }

    /// <inheritdoc />
    public int Select(DecodeStep step)
    {
        // The two phases with the request's own steered pass (the generator runs them over several requests at once).
        using var rows = BeginStep(step);
        return EndStep(step, rows is null ? null : step.RunSteeredRows(rows));
    }

    /// <summary>What <see cref="BeginStep"/> learnt from the raw pass, for <see cref="EndStep"/>.</summary>
    private sealed record PendingStep(int? Chosen, int RawToken, float[] Probabilities, bool Greedy, double U);

    private int Record(int index, bool gatedStep, int trials, bool fellBack, int raw, int chosen, float[] p)
    {
        trace.Add(SteeringStep.Of(index, gatedStep, trials, 0, fellBack, raw, chosen, p));
        return chosen;
    }
}
