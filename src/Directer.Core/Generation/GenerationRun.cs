using System.Diagnostics;
using Directer.Core.Generation.Rules;
using Directer.Core.Modeling;
using static TorchSharp.torch;

namespace Directer.Core.Generation;

/// <summary>
/// One request in the generator: its cache slot, rules, sampler, selector and cancellation, stepped one token at a
/// time by <see cref="TokenGenerator"/>'s loop (alone, or as one row of a batched raw pass, and for a two-phase step
/// (<see cref="ISteersAfterRawPass"/>) as rows of a batched steered pass). The loop reads prefill, then per step: choose
/// (the selector's passes), accept, stop.
/// </summary>
internal sealed class GenerationRun
{
    private const int Waiting = 0, Running = 1, Abandoned = 2;

    private readonly TaskCompletionSource<GenerationResult> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly LlamaModel model;
    private readonly IReadOnlyList<int> promptIds;
    private readonly GenerationOptions options;
    private readonly ITokenSelector selector;
    private readonly Action<int>? onToken;
    private readonly Action<string>? onText;
    private readonly Stopwatch prefillClock = new();
    private readonly Stopwatch decodeClock = new();
    private CancellationTokenRegistration registration;
    private StopRule? output;
    private ConstraintRule? constraint;
    private TokenRuleChain? rules;
    private DecodeStep? step;
    private int state;
    private int input;
    private int decoded;
    private StopReason? reason;

    public GenerationRun(LlamaModel model, IReadOnlyList<int> promptIds, GenerationOptions options, ITokenSelector selector, Action<int>? onToken, Action<string>? onText, CancellationToken cancellationToken)
    {
        this.model = model;
        this.promptIds = promptIds;
        this.options = options;
        this.selector = selector;
        this.onToken = onToken;
        this.onText = onText;
        CancellationToken = cancellationToken;
    }

    public Task<GenerationResult> Task => completion.Task;

    public CancellationToken CancellationToken { get; }

    public IReadOnlyList<int> PromptIds => promptIds;

    public int MaxNewTokens => options.MaxNewTokens;

    /// <summary>The slot while running.</summary>
    public CacheSlot? Slot { get; private set; }

    /// <summary>Prompt tokens served from the slot.</summary>
    public int Reused { get; private set; }

    /// <summary>
    /// Whether the next step's raw pass may be one row of a pass over several sequences (the selector runs it first,
    /// alone); <paramref name="concurrent"/>: see <see cref="IRawPassFirst.StartsWithRawPass"/>.
    /// </summary>
    public bool Batchable(bool concurrent) => selector is IRawPassFirst first && first.StartsWithRawPass(decoded, model.Device, concurrent);

    /// <summary>Whether the next step declares its steered rows after its raw pass (<see cref="BeginSteered"/>, <see cref="EndSteered"/>).</summary>
    public bool SteersAfterRawPass(bool concurrent) => selector is ISteersAfterRawPass two && two.DeclaresSteeredRows(decoded, model.Device, concurrent);

    /// <summary>Whether the next step names its pass before it runs (<see cref="DeclareWithRawPass"/>, <see cref="StepDeclared"/>).</summary>
    public bool RowsWithRawPass(bool concurrent) => selector is IRunsRowsWithRawPass rows && rows.DeclaresRowsWithRawPass(decoded, model.Device, concurrent);

    /// <summary>The step in progress (between <see cref="BeginSteered"/> and <see cref="EndSteered"/>).</summary>
    public DecodeStep CurrentStep => step!;

    /// <summary>The token the next step reads.</summary>
    public int Input => input;

    /// <summary>The most requests decoded in one round with this one.</summary>
    public int PeakRows { get; set; } = 1;

    /// <summary>The most requests whose steered rows ran in one pass with this one's (0 when its steered rows never shared a pass).</summary>
    public int PeakSteeredRows { get; set; }

    /// <summary>Whether the next step has room in the cache.</summary>
    public bool HasRoom => Slot!.Cache.Length < Slot.Cache.Capacity;

    /// <summary>Completes the task as cancelled if it is still waiting when <see cref="CancellationToken"/> fires (a queue timeout).</summary>
    public void WatchWhileWaiting(Action left) =>
        registration = CancellationToken.Register(() =>
        {
            if (Interlocked.CompareExchange(ref state, Abandoned, Waiting) == Waiting)
            {
                completion.TrySetCanceled(CancellationToken);
                left();
            }
        });

    /// <summary>Takes the run out of the queue; false when it was abandoned meanwhile.</summary>
    public bool TryStart()
    {
        registration.Dispose();
        return Interlocked.CompareExchange(ref state, Running, Waiting) == Waiting;
    }

    /// <summary>Prefills the prompt after the <paramref name="reused"/> positions the slot already holds.</summary>
    public void Begin(CacheSlot slot, int reused)
    {
        Slot = slot;
        Reused = reused;
        output = new StopRule(options, onToken, onText);
        constraint = options.Constraint is { } c ? new ConstraintRule(c, selector.GetType().Name) : null;
        rules = TokenRuleChain.For(options, new HashSet<int>(options.EosTokenIds ?? model.Config.EosTokenIds), model.VocabSize, constraint, output);
        step = new DecodeStep(model, slot.Cache, new TokenSampler(options), promptIds, rules);
        prefillClock.Start();
        Prefill();
        prefillClock.Stop();
        selector.Begin(promptIds);
        rules.Begin(promptIds);
        input = promptIds[^1];

        // Wall time from the first step to the last: with other requests in the rounds, their rows' time counts too
        // (what this caller waited), so decode throughput is per request, not per round.
        decodeClock.Start();
    }

    /// <summary>Records the input at the position the next raw pass caches (before a batched pass writes it).</summary>
    public void RecordInput() => Slot!.Tokens[Slot.Cache.Length] = input;

    /// <summary>
    /// One decode step; <paramref name="rawLogits"/> is this run's row of a batched raw pass already run (the cache
    /// already holds the input), or null for the selector to run its own passes. Returns true when the run is done.
    /// </summary>
    public bool Step(Tensor? rawLogits)
    {
        if (rawLogits is null)
        {
            if (!HasRoom)
            {
                reason = StopReason.ContextFull;
                return true;
            }

            RecordInput();
        }

        int token = Choose(rawLogits);
        reason = rules!.Accept(token);
        input = token;
        return reason is not null;
    }

    /// <summary>Completes the task with the result (the run is done).</summary>
    public void Complete()
    {
        decodeClock.Stop();
        output!.Finish();
        completion.TrySetResult(new GenerationResult
        {
            Ids = output.Ids,
            Text = output.Text,
            StopReason = reason!.Value,
            PromptTokens = promptIds.Count,
            CachedPromptTokens = Reused,
            PeakConcurrentRequests = PeakRows,
            PeakSteeredBatchRequests = PeakSteeredRows,
            DecodedTokens = decoded,
            PrefillTime = prefillClock.Elapsed,
            DecodeTime = decodeClock.Elapsed,
            ConstrainedSteps = constraint?.ConstrainedSteps ?? 0,
            ConstraintOverrides = constraint?.Overrides ?? 0,
        });
    }

    public void Fail(Exception error)
    {
        if (error is OperationCanceledException)
        {
            completion.TrySetCanceled(CancellationToken.IsCancellationRequested ? CancellationToken : new CancellationToken(true));
        }
        else
        {
            completion.TrySetException(error);
        }
    }

    /// <summary>
    /// Phase 1 of a two-phase step (<see cref="ISteersAfterRawPass"/>): <paramref name="rawLogits"/> as in <see cref="Step"/>
    /// (the step must have room). Returns the steered rows the step needs, for the round to run, or null; either way
    /// <see cref="EndSteered"/> follows. Tensors live until the round's scope ends.
    /// </summary>
    public SteeredRows? BeginSteered(Tensor? rawLogits)
    {
        if (rawLogits is null)
        {
            RecordInput();
        }

        var s = Prepare(rawLogits);
        var rows = ((ISteersAfterRawPass)selector).BeginStep(s);
        try
        {
            CheckRawPass(s);
        }
        catch
        {
            rows?.Dispose();
            throw;
        }

        return rows;
    }

    /// <summary>Phase 2: the declared rows' logits (the token rules applied) or null; returns true when the run is done.</summary>
    public bool EndSteered(Tensor? steered)
    {
        var s = step!;
        int token = ((ISteersAfterRawPass)selector).EndStep(s, steered);
        s.Rules.EndStep();
        CheckToken(token);
        reason = rules!.Accept(token);
        input = token;
        return reason is not null;
    }

    /// <summary>
    /// Begins a step whose pass the selector names before it runs (<see cref="IRunsRowsWithRawPass"/>; the input is
    /// recorded and the step has room): the rules prepare, the selector declares its rows. <see cref="StepDeclared"/> follows
    /// with their logits from the round's shared raw pass. Tensors live until the round's scope ends.
    /// </summary>
    public RowsWithRawPass DeclareWithRawPass()
    {
        var s = Prepare(rawLogits: null);
        return ((IRunsRowsWithRawPass)selector).DeclareRowsWithRawPass(s);
    }

    /// <summary>The step begun by <see cref="DeclareWithRawPass"/>, with its rows' logits (the cache holds its input); true when the run is done.</summary>
    public bool StepDeclared(RowsWithRawPass rows, Tensor logits)
    {
        var s = step!;
        s.PrecomputedBatch = (rows, logits);
        int token = selector.Select(s);
        s.Rules.EndStep();
        if (s.PrecomputedBatch is not null)
        {
            s.PrecomputedBatch = null;
            throw new InvalidOperationException($"{selector.GetType().Name} did not run the pass it declared.");
        }

        CheckRawPass(s);
        CheckToken(token);
        reason = rules!.Accept(token);
        input = token;
        return reason is not null;
    }

    /// <summary>One decode step: the rules prepare, the selector runs the passes (processed by the rules) and chooses.</summary>
    private int Choose(Tensor? rawLogits)
    {
        int token;
        using (var scope = NewDisposeScope())
        {
            var s = Prepare(rawLogits);
            token = selector.Select(s);
            s.Rules.EndStep();
            CheckRawPass(s);
        }

        CheckToken(token);
        return token;
    }

    private DecodeStep Prepare(Tensor? rawLogits)
    {
        var s = step!;
        s.Index = decoded++;
        s.InputToken = input;
        s.Position = s.Cache.Length - (rawLogits is null ? 0 : 1);
        s.PrecomputedRawLogits = rawLogits;
        s.Rules.Prepare(s);
        return s;
    }

    private void CheckRawPass(DecodeStep s)
    {
        if (s.PrecomputedRawLogits is not null)
        {
            s.PrecomputedRawLogits = null;
            throw new InvalidOperationException($"{selector.GetType().Name} did not take the step's raw pass.");
        }

        if (s.Cache.Length != s.Position + 1)
        {
            throw new InvalidOperationException($"{selector.GetType().Name} must append exactly one position to the cache per step (raw pass); the cache went from {s.Position} to {s.Cache.Length}.");
        }
    }

    private void CheckToken(int token)
    {
        if (token < 0 || token >= model.VocabSize)
        {
            throw new InvalidOperationException($"{selector.GetType().Name} chose token {token}, outside the vocabulary [0, {model.VocabSize}).");
        }
    }

    /// <summary>
    /// Runs the prompt tokens after the reused ones, but the last, into the cache (the last is the first decode step's input).
    /// </summary>
    private void Prefill()
    {
        var slot = Slot!;
        int count = promptIds.Count - 1 - Reused;
        if (count > 0)
        {
            using var scope = NewDisposeScope();
            var ids = new long[count];
            for (int i = 0; i < count; i++)
            {
                ids[i] = promptIds[Reused + i];
                slot.Tokens[Reused + i] = promptIds[Reused + i];
            }

            var rest = tensor(ids, TorchSharp.torch.ScalarType.Int64).unsqueeze(0);
            model.Forward(rest, slot.Cache, ForwardRequest.Raw);
        }
    }
}
