using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Directer.Core.Generation.Rules;
using Directer.Core.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Core.Generation;

/// <summary>
/// Prefill + decode over one <see cref="LlamaModel"/>. Requests are served one at a time (callers queue, up to
/// <see cref="ServingOptions.MaxQueuedRequests"/>); the KV caches of recent sequences are kept
/// (<see cref="ServingOptions.CacheSlots"/>) and a request starts after the longest cached prefix of its prompt.
/// </summary>
public sealed class TokenGenerator : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly PrefixCache caches;
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

    /// <summary>How requests are served (cache slots, queue bound).</summary>
    public ServingOptions Serving { get; }

    /// <summary>KV cache slots allocated so far (at most <see cref="ServingOptions.CacheSlots"/>).</summary>
    public int CacheSlotsInUse => caches.Count;

    /// <summary>Bytes held by the kept KV caches.</summary>
    public long CacheBytes => caches.AllocatedBytes;

    /// <summary>Requests running or waiting now.</summary>
    public int PendingRequests => Volatile.Read(ref pending);

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
    /// final (never a split character, never text at or after a stop string).
    /// </summary>
    public async Task<GenerationResult> GenerateAsync(
        IReadOnlyList<int> promptIds,
        GenerationOptions? options,
        ITokenSelector? selector,
        Action<int>? onToken,
        Action<string>? onText,
        CancellationToken cancellationToken = default)
    {
        // One runs, MaxQueuedRequests may wait; the next is refused at once (backpressure, not an unbounded queue).
        if (Interlocked.Increment(ref pending) > Serving.MaxQueuedRequests + 1)
        {
            Interlocked.Decrement(ref pending);
            throw new RequestQueueFullException(Serving.MaxQueuedRequests);
        }

        try
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await Task.Run(() => Generate(promptIds, options ?? new GenerationOptions(), selector ?? SamplingSelector.Instance, onToken, onText, cancellationToken), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }
        finally
        {
            Interlocked.Decrement(ref pending);
        }
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

    /// <summary>Prefill, then per step: prepare the rules, let the selector run its passes and choose, accept, stop.</summary>
    private GenerationResult Generate(IReadOnlyList<int> promptIds, GenerationOptions options, ITokenSelector selector, Action<int>? onToken, Action<string>? onText, CancellationToken cancellationToken)
    {
        options.Validate();
        CheckPrompt(promptIds);
        var (slot, reused) = caches.Acquire(promptIds, CapacityFor(promptIds.Count + options.MaxNewTokens));
        try
        {
            return Generate(promptIds, options, selector, onToken, onText, slot, reused, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A failed pass or selector may have left positions without their recorded tokens: keep nothing of it.
            // (Cancellation is observed between steps, where every cached position has its token.)
            slot.Cache.Reset();
            throw;
        }
        finally
        {
            caches.Release(slot);
        }
    }

    private GenerationResult Generate(IReadOnlyList<int> promptIds, GenerationOptions options, ITokenSelector selector, Action<int>? onToken, Action<string>? onText, CacheSlot slot, int reused, CancellationToken cancellationToken)
    {
        var kv = slot.Cache;
        int[] tokens = slot.Tokens;
        var output = new StopRule(options, onToken, onText);
        var constraint = options.Constraint is { } c ? new ConstraintRule(c, selector.GetType().Name) : null;
        var rules = TokenRuleChain.For(options, new HashSet<int>(options.EosTokenIds ?? Model.Config.EosTokenIds), Model.VocabSize, constraint, output);
        var step = new DecodeStep(Model, kv, new TokenSampler(options), promptIds, rules);

        var prefillClock = Stopwatch.StartNew();
        Prefill(promptIds, reused, slot);
        prefillClock.Stop();
        selector.Begin(promptIds);
        rules.Begin(promptIds);
        int input = promptIds[^1];
        int decoded = 0;
        StopReason? reason = null;
        var decodeClock = Stopwatch.StartNew();
        while (reason is null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (kv.Length >= kv.Capacity)
            {
                reason = StopReason.ContextFull;
                break;
            }

            tokens[kv.Length] = input; // the raw pass caches this position
            int token = Choose(step, selector, decoded++, input);
            reason = rules.Accept(token);
            input = token;
        }

        decodeClock.Stop();
        output.Finish();
        return new GenerationResult
        {
            Ids = output.Ids,
            Text = output.Text,
            StopReason = reason.Value,
            PromptTokens = promptIds.Count,
            CachedPromptTokens = reused,
            DecodedTokens = decoded,
            PrefillTime = prefillClock.Elapsed,
            DecodeTime = decodeClock.Elapsed,
            ConstrainedSteps = constraint?.ConstrainedSteps ?? 0,
            ConstraintOverrides = constraint?.Overrides ?? 0,
        };
    }

    /// <summary>One decode step: the rules prepare, the selector runs the passes (processed by the rules) and chooses.</summary>
    private int Choose(DecodeStep step, ITokenSelector selector, int index, int input)
    {
        int position = step.Cache.Length;
        int token;
        using (var scope = NewDisposeScope())
        {
            step.Index = index;
            step.InputToken = input;
            step.Position = position;
            step.Rules.Prepare(step);
            token = selector.Select(step);
            step.Rules.EndStep();
        }

        if (step.Cache.Length != position + 1)
        {
            throw new InvalidOperationException($"{selector.GetType().Name} must append exactly one position to the cache per step (raw pass); the cache went from {position} to {step.Cache.Length}.");
        }

        if (token < 0 || token >= Model.VocabSize)
        {
            throw new InvalidOperationException($"{selector.GetType().Name} chose token {token}, outside the vocabulary [0, {Model.VocabSize}).");
        }

        return token;
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

    /// <summary>
    /// Runs the prompt tokens after the <paramref name="reused"/> cached ones, but the last, into the cache (the last is
    /// the first decode step's input).
    /// </summary>
    private void Prefill(IReadOnlyList<int> promptIds, int reused, CacheSlot slot)
    {
        int count = promptIds.Count - 1 - reused;
        if (count > 0)
        {
            using var scope = NewDisposeScope();
            var ids = new long[count];
            for (int i = 0; i < count; i++)
            {
                ids[i] = promptIds[reused + i];
                slot.Tokens[reused + i] = promptIds[reused + i];
            }

            var rest = tensor(ids, ScalarType.Int64).unsqueeze(0);
            Model.Forward(rest, slot.Cache, ForwardRequest.Raw);
        }
    }

    private int CapacityFor(int tokens) => Math.Min(Model.ContextLength, RoundUp(tokens, 256));

    private static int RoundUp(int value, int multiple) => (int)Math.Min(int.MaxValue, ((long)value + multiple - 1) / multiple * multiple);

    /// <inheritdoc />
    public void Dispose()
    {
        caches.Dispose();
        gate.Dispose();
    }
}
