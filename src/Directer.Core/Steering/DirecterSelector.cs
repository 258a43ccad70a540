using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Requests;
using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Core.Steering;

/// <summary>
/// DIRECTER decoding (docs/STEERING.md): a raw pass per token, the top-2 gate, steered passes over
/// halving sets of the most sensitive layers until a plausible choice, else the raw choice. The
/// ranking is computed once, at the first step. One instance serves one generation at a time.
/// </summary>
public sealed class DirecterSelector : ISteeringSelector, ISteersAfterRawPass, IRunsRowsWithRawPass
{
    private readonly IReadOnlyList<TokenSpan> spans;
    private readonly List<SteeringStep> trace = new();
    private EmphasisPositions? emphasis;
    private GatePassRate passRate;
    private LlamaModel? model;
    private int batchDecidedFor = -1;
    private bool batchDecision;
    private PendingStep? pending;
    private DeclaredPass? declared;

    /// <summary>Creates the selector for the emphasised <paramref name="spans"/> of the prompt.</summary>
    public DirecterSelector(IEnumerable<TokenSpan> spans, SteeringSettings? options = null)
    {
        this.spans = spans.ToList();
        Options = options ?? new SteeringSettings();
        RequestSettings.ThrowIfInvalid(Options);
    }

    /// <summary>The settings.</summary>
    public SteeringSettings Options { get; }

    /// <summary>The ranking of the last generation (null before its first step).</summary>
    public LayerRanking? Ranking { get; private set; }

    /// <summary>Per-step trace of the last generation (empty when <see cref="SteeringSettings.RecordTrace"/> is off).</summary>
    public IReadOnlyList<SteeringStep> Trace => Options.RecordTrace ? trace : [];

    /// <summary>Statistics of the last generation.</summary>
    public SteeringSummary Summary => SteeringSummary.From("directer", trace, Ranking);

    /// <summary>The strategy <see cref="SteeringStrategy.Auto"/> resolves to on <paramref name="device"/>.</summary>
    public static SteeringStrategy Resolve(SteeringStrategy strategy, Device device) => strategy != SteeringStrategy.Auto
        ? strategy
        : device.type == DeviceType.CPU ? SteeringStrategy.BatchedAfterGate : SteeringStrategy.Batched;

    /// <inheritdoc />
    public void Begin(IReadOnlyList<int> promptIds)
    {
        emphasis = EmphasisPositions.Create(spans, promptIds.Count);
        trace.Clear();
        Ranking = null;
        passRate.Reset();
        batchDecidedFor = -1;
        pending = null;
        declared?.Dispose();
        declared = null;
    }

    /// <summary>Every step after the first (the ranking's) begins with the raw pass alone, unless it runs the raw row with the candidates.</summary>
    bool IRawPassFirst.StartsWithRawPass(int index, Device device, bool concurrent) => index > 0 && StepStrategy(index, device, concurrent) != SteeringStrategy.Batched;

    /// <summary>
    /// Steps after the first that run <see cref="SteeringStrategy.BatchedAfterGate"/> declare their candidates after the
    /// raw pass, so that the candidates of several requests share one pass. The ranking step and the other strategies
    /// run their passes inside <see cref="Select"/>: the ranking's rows capture attention (and come once per request),
    /// <see cref="SteeringStrategy.Batched"/> writes the cache in the same pass as its candidates, and
    /// <see cref="SteeringStrategy.Sequential"/> stops at the first plausible candidate.
    /// </summary>
    bool ISteersAfterRawPass.DeclaresSteeredRows(int index, Device device, bool concurrent) =>
        index > 0 && StepStrategy(index, device, concurrent) == SteeringStrategy.BatchedAfterGate;

    /// <summary>
    /// The first step (the ranking: raw row + one probe per layer, unless <see cref="SteeringStrategy.Sequential"/>) and
    /// <see cref="SteeringStrategy.Batched"/> steps (raw row + candidates) name their pass before it runs, so that it joins
    /// the round's shared raw pass.
    /// </summary>
    bool IRunsRowsWithRawPass.DeclaresRowsWithRawPass(int index, Device device, bool concurrent) => index == 0
        ? Resolve(Options.Strategy, device) != SteeringStrategy.Sequential
        : StepStrategy(index, device, concurrent) == SteeringStrategy.Batched;

    /// <inheritdoc />
    RowsWithRawPass IRunsRowsWithRawPass.DeclareRowsWithRawPass(DecodeStep step)
    {
        var positions = emphasis ?? throw new InvalidOperationException("Begin was not called.");
        model = step.Model;
        declared?.Dispose();
        int layers = step.Model.LayerCount;
        var rows = step.Index == 0 ? RankingRows(layers) : WithRawRow(CandidateSets(layers, Ranking!));
        declared = new DeclaredPass(
            new KeyScaleSteering(positions, Options.Alpha, rows, step.Position, step.Position + 1, step.Model.Device),
            step.Index == 0 ? new AttentionCapture(layers) : null);
        return new RowsWithRawPass(declared.Steering, rows.Count, declared.Capture);
    }

    /// <inheritdoc />
    SteeredRows? ISteersAfterRawPass.BeginStep(DecodeStep step)
    {
        var positions = emphasis ?? throw new InvalidOperationException("Begin was not called.");
        model = step.Model;
        var candidates = CandidateSets(step.Model.LayerCount, Ranking!);
        var rawLogits = step.RunRawPass();
        bool greedy = step.Sampler.IsGreedy;
        double u = greedy ? 0 : step.Sampler.NextUniform();
        var p = greedy ? rawLogits.softmax(-1) : step.Sampler.Distribution(rawLogits);
        float[] probabilities = p.data<float>().ToArray();
        int rawToken = greedy ? TokenSampler.ArgMax(rawLogits) : TokenSampler.DrawWith(p, u);
        if (!PlausibilityGate.SteeringCanChangeOutcome(probabilities, Options.Beta))
        {
            pending = new PendingStep(Record(step.Index, gated: true, trials: 0, layersUsed: 0, fellBack: false, rawToken, rawToken, probabilities), rawToken, probabilities, greedy, u, candidates);
            return null;
        }

        pending = new PendingStep(null, rawToken, probabilities, greedy, u, candidates);
        return candidates.Count == 0
            ? null
            : new SteeredRows(new KeyScaleSteering(positions, Options.Alpha, candidates, step.Position, step.Position + 1, step.Model.Device), candidates.Count);
    }

    /// <inheritdoc />
    int ISteersAfterRawPass.EndStep(DecodeStep step, Tensor? steered)
    {
        var state = pending ?? throw new InvalidOperationException("EndStep without BeginStep.");
        pending = null;
        if (state.Chosen is { } chosen)
        {
            return chosen;
        }

        float maxP = state.Probabilities.Max();
        for (int trial = 0; trial < state.Candidates.Count; trial++)
        {
            var row = steered![trial];
            int candidate = state.Greedy ? TokenSampler.ArgMax(row) : TokenSampler.DrawWith(step.Sampler.Distribution(row), state.U);
            if (PlausibilityGate.IsPlausible(state.Probabilities, candidate, Options.Beta, maxP))
            {
                return Record(step.Index, gated: false, trials: trial + 1, layersUsed: state.Candidates[trial].Count, fellBack: false, state.RawToken, candidate, state.Probabilities);
            }
        }

        return Record(step.Index, gated: false, trials: state.Candidates.Count, layersUsed: 0, fellBack: true, state.RawToken, state.RawToken, state.Probabilities);
    }

    /// <inheritdoc />
    public int Select(DecodeStep step)
    {
        // A pass declared before the step (IRunsRowsWithRawPass) is this step's; it is disposed with the step.
        var pass = declared;
        declared = null;
        try
        {
            return SelectStep(step, pass);
        }
        finally
        {
            pass?.Dispose();
        }
    }

    private int SelectStep(DecodeStep step, DeclaredPass? pass)
    {
        var positions = emphasis ?? throw new InvalidOperationException("Begin was not called.");
        model = step.Model;
        var strategy = StepStrategy(step.Index, step.Model.Device, concurrent: false);
        if (step.Index > 0 && strategy == SteeringStrategy.BatchedAfterGate)
        {
            // The same two phases the generator runs for several requests at once, here with the request's own pass.
            var twoPhase = (ISteersAfterRawPass)this;
            using var rows = twoPhase.BeginStep(step);
            return twoPhase.EndStep(step, rows is null ? null : step.RunSteeredRows(rows));
        }

        int layers = step.Model.LayerCount;
        Tensor rawLogits;
        bool gateApplies = step.Index > 0;
        Tensor? batchedCandidates = null;
        IReadOnlyList<IReadOnlySet<int>> candidates;
        if (step.Index == 0)
        {
            rawLogits = RankLayers(step, positions, strategy, pass);
            candidates = CandidateSets(layers, Ranking!);
        }
        else
        {
            candidates = CandidateSets(layers, Ranking!);
            if (strategy == SteeringStrategy.Batched)
            {
                var rows = WithRawRow(candidates);
                using var own = pass is null ? new KeyScaleSteering(positions, Options.Alpha, rows, step.Position, step.Position + 1, step.Model.Device) : null;
                var all = step.RunBatch(rows.Count, new ForwardRequest { WriteCache = true, Steering = pass?.Steering ?? own });
                rawLogits = all[0];
                batchedCandidates = all.narrow(0, 1, candidates.Count);
            }
            else
            {
                rawLogits = step.RunRawPass();
            }
        }

        bool greedy = step.Sampler.IsGreedy;
        double u = greedy ? 0 : step.Sampler.NextUniform();
        var p = greedy ? rawLogits.softmax(-1) : step.Sampler.Distribution(rawLogits);
        float[] probabilities = p.data<float>().ToArray();
        int rawToken = greedy ? TokenSampler.ArgMax(rawLogits) : TokenSampler.DrawWith(p, u);
        float maxP = probabilities.Max();

        if (gateApplies && !PlausibilityGate.SteeringCanChangeOutcome(probabilities, Options.Beta))
        {
            return Record(step.Index, gated: true, trials: 0, layersUsed: 0, fellBack: false, rawToken, rawToken, probabilities);
        }

        bool batchNow = strategy == SteeringStrategy.BatchedAfterGate || (strategy == SteeringStrategy.Batched && step.Index == 0);
        if (batchNow && batchedCandidates is null && candidates.Count > 0)
        {
            using var steering = new KeyScaleSteering(positions, Options.Alpha, candidates, step.Position, step.Position + 1, step.Model.Device);
            batchedCandidates = step.RunBatch(candidates.Count, new ForwardRequest { WriteCache = false, Steering = steering });
        }

        for (int trial = 0; trial < candidates.Count; trial++)
        {
            Tensor steered;
            if (batchedCandidates is not null)
            {
                steered = batchedCandidates[trial];
            }
            else
            {
                using var steering = new KeyScaleSteering(positions, Options.Alpha, new[] { candidates[trial] }, step.Position, step.Position + 1, step.Model.Device);
                steered = step.RunBatch(1, new ForwardRequest { WriteCache = false, Steering = steering })[0];
            }

            int candidate = greedy ? TokenSampler.ArgMax(steered) : TokenSampler.DrawWith(step.Sampler.Distribution(steered), u);
            if (PlausibilityGate.IsPlausible(probabilities, candidate, Options.Beta, maxP))
            {
                return Record(step.Index, gated: false, trials: trial + 1, layersUsed: candidates[trial].Count, fellBack: false, rawToken, candidate, probabilities);
            }
        }

        return Record(step.Index, gated: false, trials: candidates.Count, layersUsed: 0, fellBack: true, rawToken, rawToken, probabilities);
    }

    /// <summary>The strategy of step <paramref name="index"/> on <paramref name="device"/>; <paramref name="concurrent"/>: see <see cref="IRawPassFirst.StartsWithRawPass"/>.</summary>
    private SteeringStrategy StepStrategy(int index, Device device, bool concurrent)
    {
        var strategy = Resolve(Options.Strategy, device);
        if (Options.Strategy == SteeringStrategy.Auto && strategy == SteeringStrategy.BatchedAfterGate && !concurrent && BatchesStep(index))
        {
            // While running the candidates with the raw row (one pass of 1 + T rows) is expected to cost less than the
            // raw pass plus, on the share of steps the gate lets through, a pass of the T candidates (measured pass
            // times of this model on this CPU; a fixed threshold on the recent pass rate until they are known). What
            // an extra row costs differs by CPU and model: on AVX2 a few extra rows cost ~0.2 of a pass, on AVX-512
            // with a 1-row pass reading its weights as one stream, and on weights that stay in cache, far more. Deciding
            // on the last step alone paid two passes after every gated step of a model that passes 70% of its steps at
            // random (bench-llama-125m). Same tokens either way. With other requests in the round, after the gate: the
            // raw row joins theirs and the candidates join theirs (two passes for all the requests, not one more per request).
            strategy = SteeringStrategy.Batched;
        }

        return strategy;
    }

    /// <summary>
    /// Whether step <paramref name="index"/> would batch its candidates with its raw row, decided once per step (the
    /// generator asks several times before and during a step, and a pass in between updates the measured costs).
    /// </summary>
    private bool BatchesStep(int index)
    {
        if (batchDecidedFor != index)
        {
            int trials = Ranking is null || model is null ? 0 : CandidateSets(model.LayerCount, Ranking).Count;
            var costs = model?.DecodePassCosts;
            batchDecision = trials == 0 || costs is null
                ? passRate.FavoursBatching
                : passRate.FavoursBatchingAt(costs.Of(1), costs.Of(trials), costs.Of(1 + trials));
            batchDecidedFor = index;
        }

        return batchDecision;
    }

    /// <summary>
    /// The layer sets DIRECTER tries, in order: all L layers, then the first ⌊L/2^t⌋ of the ranking,
    /// while a set has more than one layer and at most <see cref="SteeringSettings.MaxTrials"/> sets.
    /// </summary>
    public IReadOnlyList<IReadOnlySet<int>> CandidateSets(int layers, LayerRanking ranking)
    {
        var sets = new List<IReadOnlySet<int>>();
        int size = layers;
        for (int trial = 1; trial <= Options.MaxTrials && size > 1; trial++)
        {
            sets.Add(trial == 1 ? Enumerable.Range(0, layers).ToHashSet() : ranking.Top(size));
            size = Math.Max(1, layers >> trial);
        }

        return sets;
    }

    /// <summary>The ranking pass's rows: the raw row, then one probe per layer.</summary>
    private static List<IReadOnlySet<int>> RankingRows(int layers) =>
        WithRawRow(Enumerable.Range(0, layers).Select(l => (IReadOnlySet<int>)new HashSet<int> { l }).ToList());

    private static List<IReadOnlySet<int>> WithRawRow(IReadOnlyList<IReadOnlySet<int>> sets)
    {
        var rows = new List<IReadOnlySet<int>> { new HashSet<int>() };
        rows.AddRange(sets);
        return rows;
    }

    private Tensor RankLayers(DecodeStep step, EmphasisPositions positions, SteeringStrategy strategy, DeclaredPass? pass)
    {
        int layers = step.Model.LayerCount;
        var probeSets = Enumerable.Range(0, layers).Select(l => (IReadOnlySet<int>)new HashSet<int> { l }).ToList();
        Tensor rawLogits;
        if (strategy != SteeringStrategy.Sequential)
        {
            var rows = RankingRows(layers);
            using var ownCapture = pass is null ? new AttentionCapture(layers) : null;
            using var ownSteering = pass is null ? new KeyScaleSteering(positions, Options.Alpha, rows, step.Position, step.Position + 1, step.Model.Device) : null;
            var capture = pass?.Capture ?? ownCapture!;
            rawLogits = step.RunBatch(rows.Count, new ForwardRequest { WriteCache = true, Steering = pass?.Steering ?? ownSteering, Capture = capture, FirstRowLogitsOnly = pass is null })[0];
            var (rawIn, rawOut) = LayerRanking.Row(capture, 0);
            Ranking = LayerRanking.Compute(rawIn, rawOut, p => LayerRanking.Row(capture, p + 1), Options.Ranking);
        }
        else
        {
            float[][] rawIn, rawOut;
            using (var capture = new AttentionCapture(layers))
            {
                rawLogits = step.RunBatch(1, new ForwardRequest { WriteCache = true, Capture = capture })[0];
                (rawIn, rawOut) = LayerRanking.Row(capture, 0);
            }

            Ranking = LayerRanking.Compute(rawIn, rawOut, p =>
            {
                using var scope = NewDisposeScope();
                using var capture = new AttentionCapture(layers);
                using var steering = new KeyScaleSteering(positions, Options.Alpha, new[] { probeSets[p] }, step.Position, step.Position + 1, step.Model.Device);
                step.RunBatch(1, new ForwardRequest { WriteCache = false, Steering = steering, Capture = capture });
                return LayerRanking.Row(capture, 0);
            }, Options.Ranking);
        }

        return rawLogits;
    }

    /// <summary>The steering (and, for the ranking, the capture) of a pass declared before its step.</summary>
    private sealed record DeclaredPass(KeyScaleSteering Steering, AttentionCapture? Capture) : IDisposable
    {
        public void Dispose()
        {
            Steering.Dispose();
            Capture?.Dispose();
        }
    }

    /// <summary>What <see cref="ISteersAfterRawPass.BeginStep"/> learnt from the raw pass, for <see cref="ISteersAfterRawPass.EndStep"/>.</summary>
    private sealed record PendingStep(int? Chosen, int RawToken, float[] Probabilities, bool Greedy, double U, IReadOnlyList<IReadOnlySet<int>> Candidates);

    private int Record(int index, bool gated, int trials, int layersUsed, bool fellBack, int rawToken, int chosen, float[] probabilities)
    {
        passRate.Record(gated);
        trace.Add(SteeringStep.Of(index, gated, trials, layersUsed, fellBack, rawToken, chosen, probabilities));
        return chosen;
    }
}
