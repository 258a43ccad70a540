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
internal sealed class BaselineSelector : ISteeringSelector, IRawPassFirst
{
    private readonly ISteeringMethod method;
    private readonly IReadOnlyList<TokenSpan> spans;
    private readonly bool gated;
    private readonly double beta;
    private readonly List<SteeringStep> trace = new();
    private EmphasisPositions? emphasis;

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
    }

    /// <inheritdoc />
    public bool StartsWithRawPass(int index, torch.Device device) => true;

    /// <inheritdoc />
    public int Select(DecodeStep step)
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
            return Record(step.Index, true, 0, false, rawToken, rawToken, probabilities);
        }

        var steering = method.ForPass(positions, step.Position, step.Position + 1, step.Model.Device);
        var steered = step.RunBatch(1, new ForwardRequest { WriteCache = false, Steering = steering })[0];
        (steering as IDisposable)?.Dispose();
        int candidate = greedy ? TokenSampler.ArgMax(steered) : TokenSampler.DrawWith(step.Sampler.Distribution(steered), u);
        if (gated && !PlausibilityGate.IsPlausible(probabilities, candidate, beta, probabilities.Max()))
        {
            return Record(step.Index, false, 1, true, rawToken, rawToken, probabilities);
        }

        return Record(step.Index, false, 1, false, rawToken, candidate, probabilities);
    }

    private int Record(int index, bool gatedStep, int trials, bool fellBack, int raw, int chosen, float[] p)
    {
        trace.Add(SteeringStep.Of(index, gatedStep, trials, 0, fellBack, raw, chosen, p));
        return chosen;
    }
}
