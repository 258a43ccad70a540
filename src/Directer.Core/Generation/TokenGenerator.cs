using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Directer.Core.Modeling;
using static TorchSharp.torch;

namespace Directer.Core.Generation;

/// <summary>
/// Prefill + decode over one <see cref="LlamaModel"/>. One loop serves the requests: up to
/// <see cref="ServingOptions.MaxConcurrentRows"/> run together, each decoding one token per round (the raw passes in one
/// pass over several sequences where the step begins with one, then the steered rows the steps declare after their raw
/// pass in a second such pass, other steered passes per request), and up to <see cref="ServingOptions.MaxQueuedRequests"/>
/// wait. The KV caches of recent sequences are kept (<see cref="ServingOptions.CacheSlots"/>) and a request starts
/// after the longest cached prefix of its prompt.
/// </summary>
public sealed class TokenGenerator : IDisposable
{
    private readonly PrefixCache caches;
    private readonly Lock sync = new();
    private readonly Queue<GenerationRun> queue = new();
    private readonly List<GenerationRun> active = new();
    private readonly List<GenerationRun> batch = new();
    private readonly List<SequenceRow> batchRows = new();
    private readonly List<int> batchOffsets = new();
    private readonly List<RowsWithRawPass?> batchDeclared = new();
    private readonly List<(GenerationRun Run, SteeredRows Rows)> steered = new();
    private readonly List<SequenceRow> steeredRows = new();

    // The steered requests of a round that finished or failed, settled only after every row of the round is disposed.
    private readonly List<(GenerationRun Run, Exception? Error)> steeredEnds = new();

    // Runs the loop took from the queue and has not yet completed or failed (running or leaving): what it must never drop.
    private readonly HashSet<GenerationRun> owned = new();
    private bool looping;
    private bool disposed;
    private int pending;

    /// <summary>Creates a generator over <paramref name="model"/> (not owned).</summary>
    /// <exception cref="ArgumentException"><paramref name="serving"/> is invalid.</exception>
    public TokenGenerator(LlamaModel model, ServingOptions? serving = null)
    {
        Model = model;
        Serving = serving ?? new ServingOptions();
        Serving.Validate();
        caches = new PrefixCache(model, Serving);
    }

    /// <summary>The model.</summary>
    public LlamaModel Model { get; }

    /// <summary>How requests are served (cache slots, concurrent rows, queue bound).</summary>
    public ServingOptions Serving { get; }

    /// <summary>KV cache slots allocated so far (at most <see cref="ServingOptions.CacheSlots"/>).</summary>
    public int CacheSlotsInUse => caches.Count;

    /// <summary>Bytes held by the kept KV caches.</summary>
    public long CacheBytes => caches.AllocatedBytes;

    /// <summary>Requests running or waiting now.</summary>
    public int PendingRequests => Volatile.Read(ref pending);

    /// <summary>The largest number of rows decoded in one round so far (continuous batching; 1 when requests never overlapped).</summary>
    public int PeakRows { get; private set; }

    /// <summary>Raw passes that served several requests' rows at once (continuous batching at work).</summary>
    public int BatchedPasses { get; private set; }

    /// <summary>Tests: runs as a leaving run's slot is given back (a failure there must still end the run).</summary>
    internal Action? OnSlotRelease { get; set; }

    /// <summary>Tests: runs before every round, outside any one run's step (a failure there stops the loop).</summary>
    internal Action? OnRound { get; set; }

    /// <summary>
    /// Steps whose raw row ran with the steered rows they named before the pass (DIRECTER's layer ranking, its
    /// <c>Batched</c> steps) inside a raw pass shared with other requests.
    /// </summary>
    public int SharedStepsWithDeclaredRows { get; private set; }

    /// <summary>Steered passes that served several requests' steered rows at once (DIRECTER after the gate, static key scaling).</summary>
    public int BatchedSteeredPasses { get; private set; }

    /// <summary>The most requests whose steered rows shared one pass so far (0 when none ever did).</summary>
    public int PeakSteeredRequests { get; private set; }

    /// <summary>
    /// Generates from <paramref name="promptIds"/>. <paramref name="onToken"/> receives each id as
    /// soon as it is final (ids that might begin a stop sequence are held back until decided).
    /// </summary>
    public Task<GenerationResult> GenerateAsync(
        IReadOnlyList<int> promptIds,
        GenerationOptions? options = null,
        ITokenSelector? selector = null,
        Action<int>? onToken = null,
        CancellationToken cancellationToken = default) =>
        GenerateAsync(promptIds, options, selector, onToken, onText: null, cancellationToken);

    /// <summary>
    /// As <see cref="GenerateAsync(IReadOnlyList{int}, GenerationOptions?, ITokenSelector?, Action{int}?, CancellationToken)"/>;
    /// with <see cref="GenerationOptions.Tokenizer"/> set, <paramref name="onText"/> receives the text as it becomes
    /// final (never a split character, never text at or after a stop string). Callbacks run on the generator's loop:
    /// a slow one delays every running request.
    /// </summary>
    /// <exception cref="RequestQueueFullException">The bound of waiting requests is reached.</exception>
    public Task<GenerationResult> GenerateAsync(
        IReadOnlyList<int> promptIds,
        GenerationOptions? options,
        ITokenSelector? selector,
        Action<int>? onToken,
        Action<string>? onText,
        CancellationToken cancellationToken = default)
    {
        try
        {
            return Enqueue(promptIds, options ?? new GenerationOptions(), selector, onToken, onText, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<GenerationResult>(cancellationToken);
        }
        catch (Exception e)
        {
            // As an async method would: argument and queue errors arrive through the task.
            return Task.FromException<GenerationResult>(e);
        }
    }

    private Task<GenerationResult> Enqueue(IReadOnlyList<int> promptIds, GenerationOptions options, ITokenSelector? selector, Action<int>? onToken, Action<string>? onText, CancellationToken cancellationToken)
    {
        options.Validate();
        CheckPrompt(promptIds);
        cancellationToken.ThrowIfCancellationRequested();
        var run = new GenerationRun(Model, promptIds, options, selector ?? SamplingSelector.Instance, onToken, onText, cancellationToken);
        lock (sync)
        {
            ObjectDisposedException.ThrowIf(disposed, this);

            // MaxConcurrentRows run, MaxQueuedRequests may wait; the next is refused at once (backpressure, not an unbounded queue).
            if (pending >= Serving.MaxConcurrentRows + Serving.MaxQueuedRequests)
            {
                throw new RequestQueueFullException(Serving.MaxQueuedRequests);
            }

            if (!looping)
            {
                // Started first: a loop that cannot start leaves nothing queued behind (it waits for this lock).
                _ = Task.Factory.StartNew(Loop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                looping = true;
            }

            pending++;
            run.WatchWhileWaiting(Left);
            queue.Enqueue(run);
        }

        return run.Task;
    }

    /// <summary>Streams generated ids as they are produced; cancelling stops decoding and frees the model.</summary>
    public async IAsyncEnumerable<int> StreamAsync(
        IReadOnlyList<int> promptIds,
        GenerationOptions? options = null,
        ITokenSelector? selector = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = GenerateAsync(promptIds, options, selector, id => channel.Writer.TryWrite(id), linked.Token)
            .ContinueWith(t => channel.Writer.TryComplete(t.Exception?.InnerException), TaskScheduler.Default);
        try
        {
            await foreach (int id in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                // ReadAllAsync only observes the token while waiting; ids already queued must not outrun a cancel.
                cancellationToken.ThrowIfCancellationRequested();
                yield return id;
            }
        }
        finally
        {
            // The consumer stopped early or was cancelled: stop the decoder too.
            await linked.CancelAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The serving loop: admit waiting requests while rows are free (each prefills its prompt's rest), then one round:
    /// one token for every running request; finished, failed or cancelled ones leave, the others go on.
    /// </summary>
    private void Loop()
    {
        try
        {
            while (true)
            {
                bool stop = false, disposeCaches = false;
                lock (sync)
                {
                    if (active.Count == 0 && queue.Count == 0)
                    {
                        if (owned.Count > 0)
                        {
                            throw new InvalidOperationException($"The serving loop was about to stop with {owned.Count} request(s) neither completed nor failed.");
                        }

                        looping = false;
                        stop = true;
                        disposeCaches = disposed;
                    }
                }

                if (stop)
                {
                    if (disposeCaches)
                    {
                        caches.Dispose();
                    }

                    return;
                }

                Admit();
                if (active.Count > 0)
                {
                    OnRound?.Invoke();
                    Round();
                }
            }
        }
        catch (Exception e)
        {
            // Not expected (each run's errors are its own); never leave a caller waiting on a loop that stopped.
            FailStranded(e);
        }
    }

    /// <summary>
    /// The loop stopped on <paramref name="error"/>: every run it held and every waiting one fail with it, whatever
    /// else fails meanwhile, and the next request starts a new loop.
    /// </summary>
    private void FailStranded(Exception error)
    {
        // Still the only loop: the slots go back before another loop could take them.
        foreach (var run in owned)
        {
            try
            {
                GiveBack(run, forget: true);
            }
            catch (Exception)
            {
                // The run fails with the loop's error below; a slot that could not be given back is already forgotten.
            }
        }

        List<GenerationRun> started, waiting;
        bool disposeCaches;
        lock (sync)
        {
            started = [.. owned];
            waiting = [.. queue];
            owned.Clear();
            active.Clear();
            queue.Clear();
            looping = false;
            disposeCaches = disposed;
        }

        foreach (var run in started)
        {
            Left();
            run.Fail(error);
        }

        foreach (var run in waiting)
        {
            if (run.TryStart())
            {
                Left();
                run.Fail(error);
            }
        }

        if (disposeCaches)
        {
            caches.Dispose();
        }
    }

    private void Admit()
    {
        while (active.Count < Serving.MaxConcurrentRows)
        {
            GenerationRun? run;
            lock (sync)
            {
                if (!queue.TryDequeue(out run))
                {
                    return;
                }
            }

            if (!run.TryStart())
            {
                continue; // abandoned while waiting (its token fired): already completed and counted out
            }

            owned.Add(run);

            try
            {
                run.CancellationToken.ThrowIfCancellationRequested();
                var (slot, reused) = caches.Acquire(run.PromptIds, CapacityFor(run.PromptIds.Count + run.MaxNewTokens));
                active.Add(run);
                run.Begin(slot, reused);
            }
            catch (Exception e)
            {
                End(run, e);
            }
        }
    }

    /// <summary>
    /// One token for every running request: raw passes that come first share one pass; steered rows declared after the
    /// raw pass (<see cref="ISteersAfterRawPass"/>) share a second pass; other passes run per request.
    /// </summary>
    private void Round()
    {
        PeakRows = Math.Max(PeakRows, active.Count);
        foreach (var run in active)
        {
            run.PeakRows = Math.Max(run.PeakRows, active.Count);
        }

        // Selectors may choose, among strategies with the same tokens, the one that batches across requests; only where
        // rows are independent of the pass they ride in (the CPU decode kernels).
        bool concurrent = active.Count > 1 && Model.UsesDecodeKernels && Serving.BatchSteeredRows;
        using var scope = NewDisposeScope();
        Tensor? batched = null;
        batch.Clear();
        if (active.Count > 1)
        {
            foreach (var run in active)
            {
                if (run.HasRoom && !run.CancellationToken.IsCancellationRequested && (DeclaresRows(run, concurrent) || run.Batchable(concurrent)))
                {
                    batch.Add(run);
                }
            }

            if (batch.Count > 1)
            {
                try
                {
                    // Each request's rows: its raw row alone, or its raw row with the steered rows its step declares now.
                    batchRows.Clear();
                    batchOffsets.Clear();
                    batchDeclared.Clear();
                    for (int b = 0; b < batch.Count; b++)
                    {
                        var run = batch[b];
                        run.RecordInput();
                        RowsWithRawPass? declared = null;
                        if (DeclaresRows(run, concurrent))
                        {
                            try
                            {
                                declared = run.DeclareWithRawPass();
                            }
                            catch (Exception e)
                            {
                                // This request's selector failed: it leaves, the others' pass goes on.
                                End(run, e);
                                batch.RemoveAt(b--);
                                continue;
                            }
                        }

                        batchOffsets.Add(batchRows.Count);
                        batchDeclared.Add(declared);
                        if (declared is not null)
                        {
                            declared.AddTo(batchRows, run.CurrentStep);
                        }
                        else
                        {
                            batchRows.Add(SequenceRow.Raw(run.Input, run.Slot!.Cache));
                        }
                    }

                    if (batch.Count > 0)
                    {
                        batched = Model.ForwardSequences(batchRows);
                        BatchedPasses += batch.Count > 1 ? 1 : 0;
                        SharedStepsWithDeclaredRows += batch.Count > 1 ? batchDeclared.Count(d => d is not null) : 0;
                    }
                }
                catch (Exception e)
                {
                    foreach (var run in batch)
                    {
                        End(run, e);
                    }

                    batch.Clear();
                }
                finally
                {
                    batchRows.Clear();
                }
            }
            else
            {
                batch.Clear();
            }
        }

        steered.Clear();
        for (int i = active.Count - 1; i >= 0; i--)
        {
            var run = active[i];
            int row = batch.IndexOf(run);
            try
            {
                if (row < 0)
                {
                    run.CancellationToken.ThrowIfCancellationRequested();
                }

                bool done;
                if (row >= 0 && batchDeclared[row] is { } declared)
                {
                    if (run.StepDeclared(declared, batched!.narrow(0, batchOffsets[row], declared.Count)))
                    {
                        Finish(run);
                    }

                    continue;
                }

                var raw = row < 0 ? null : batched!.select(0, batchOffsets[row]);
                if (Serving.BatchSteeredRows && (row >= 0 || run.HasRoom) && run.SteersAfterRawPass(concurrent))
                {
                    var rows = run.BeginSteered(raw);
                    if (rows is not null)
                    {
                        steered.Add((run, rows));
                        continue;
                    }

                    done = run.EndSteered(null);
                }
                else
                {
                    done = run.Step(raw);
                }

                if (done)
                {
                    Finish(run);
                }
            }
            catch (Exception e)
            {
                End(run, e);
            }
        }

        if (steered.Count > 0)
        {
            RunSteeredRows();
        }
    }

    /// <summary>
    /// The steered rows the round's steps declared: one pass over all of them when several requests declared some, the
    /// request's own pass when one did; then each step chooses its token.
    /// </summary>
    private void RunSteeredRows()
    {
        steeredEnds.Clear();
        try
        {
            RunSteeredPasses();
        }
        finally
        {
            foreach (var (_, rows) in steered)
            {
                rows.Dispose();
            }

            steered.Clear();
        }

        // Settled after the rows are disposed: a caller woken by its result finds the last step's steering freed.
        foreach (var (run, error) in steeredEnds)
        {
            if (error is null)
            {
                Finish(run);
            }
            else
            {
                End(run, error);
            }
        }

        steeredEnds.Clear();
    }

    /// <summary>The round's steered passes (shared when more than one request has rows); records who finished or failed in <see cref="steeredEnds"/>.</summary>
    private void RunSteeredPasses()
    {
        Tensor? all = null;
        if (steered.Count > 1)
        {
            steeredRows.Clear();
            foreach (var (run, rows) in steered)
            {
                rows.AddTo(steeredRows, run.CurrentStep);
            }

            try
            {
                all = Model.ForwardSequences(steeredRows);
                BatchedSteeredPasses++;
                PeakSteeredRequests = Math.Max(PeakSteeredRequests, steered.Count);
            }
            catch (Exception e)
            {
                foreach (var (run, _) in steered)
                {
                    steeredEnds.Add((run, e));
                }

                return;
            }
            finally
            {
                steeredRows.Clear();
            }
        }

        int offset = 0;
        foreach (var (run, rows) in steered)
        {
            try
            {
                Tensor logits;
                if (all is null)
                {
                    logits = run.CurrentStep.RunSteeredRows(rows);
                }
                else
                {
                    run.PeakSteeredRows = Math.Max(run.PeakSteeredRows, steered.Count);
                    logits = run.CurrentStep.TakeSteeredRows(all.narrow(0, offset, rows.Count));
                }

                if (run.EndSteered(logits))
                {
                    steeredEnds.Add((run, null));
                }
            }
            catch (Exception e)
            {
                steeredEnds.Add((run, e));
            }
            finally
            {
                offset += rows.Count;
            }
        }
    }

    /// <summary>Whether <paramref name="run"/>'s next step joins the shared raw pass with the steered rows it names in advance.</summary>
    private bool DeclaresRows(GenerationRun run, bool concurrent) => Serving.BatchSteeredRows && run.RowsWithRawPass(concurrent);

    /// <summary>A run is done: its slot goes back and its task gets the result (or the error that cleanup met).</summary>
    private void Finish(GenerationRun run)
    {
        active.Remove(run);
        Exception? error = null;
        try
        {
            GiveBack(run, forget: false);
        }
        catch (Exception e)
        {
            error = e;
        }

        Settle(run, error);
    }

    /// <summary>A run leaves with an error or a cancellation; a failed run's cache is forgotten.</summary>
    private void End(GenerationRun run, Exception error)
    {
        active.Remove(run);
        try
        {
            // A failed pass or selector may have left positions without their recorded tokens: keep nothing of it.
            // (Cancellation is observed between steps, where every cached position has its token.)
            GiveBack(run, forget: error is not OperationCanceledException);
        }
        catch (Exception)
        {
            // The run fails with its own error, the cause; the slot is given back and forgotten regardless.
        }

        Settle(run, error);
    }

    /// <summary>Gives a leaving run's slot back (whatever fails meanwhile; then nothing of its sequence is kept).</summary>
    private void GiveBack(GenerationRun run, bool forget)
    {
        if (run.Slot is not { } slot)
        {
            return;
        }

        bool kept = false;
        try
        {
            OnSlotRelease?.Invoke();
            kept = !forget;
        }
        finally
        {
            if (!kept)
            {
                slot.Cache.Reset();
            }

            caches.Release(slot);
        }
    }

    /// <summary>
    /// The one place a started run leaves the loop, once: it is counted out and its task completes, or fails with
    /// <paramref name="error"/> or with whatever completing it threw.
    /// </summary>
    private void Settle(GenerationRun run, Exception? error)
    {
        if (!owned.Remove(run))
        {
            return; // already settled
        }

        Left();
        if (error is null)
        {
            try
            {
                run.Complete();
                return;
            }
            catch (Exception e)
            {
                error = e;
            }
        }

        run.Fail(error);
    }

    private void Left()
    {
        lock (sync)
        {
            pending--;
        }
    }

    private void CheckPrompt(IReadOnlyList<int> promptIds)
    {
        if (promptIds.Count == 0)
        {
            throw new ArgumentException("The prompt must hold at least one token.", nameof(promptIds));
        }

        foreach (int id in promptIds)
        {
            if (id < 0 || id >= Model.VocabSize)
            {
                throw new ArgumentOutOfRangeException(nameof(promptIds), id, $"Prompt token id {id} is outside the vocabulary [0, {Model.VocabSize}).");
            }
        }

        if (promptIds.Count > Model.ContextLength)
        {
            throw new ContextLengthExceededException(0, promptIds.Count, Model.ContextLength);
        }
    }

    private int CapacityFor(int tokens) => Math.Min(Model.ContextLength, RoundUp(tokens, 256));

    private static int RoundUp(int value, int multiple) => (int)Math.Min(int.MaxValue, ((long)value + multiple - 1) / multiple * multiple);

    /// <inheritdoc />
    public void Dispose()
    {
        lock (sync)
        {
            disposed = true;
            if (looping)
            {
                // Requests still running or waiting finish against the caches; the loop frees them when it stops.
                return;
            }
        }

        caches.Dispose();
    }
}
