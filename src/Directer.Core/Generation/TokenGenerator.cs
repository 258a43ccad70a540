using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Directer.Core.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Core.Generation;

/// <summary>
/// Prefill + decode over one <see cref="LlamaModel"/>. Requests are served one at a time (callers
/// queue); the KV cache is allocated once and reused across generations.
/// </summary>
public sealed class TokenGenerator : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private KvCache? cache;

    /// <summary>Creates a generator over <paramref name="model"/> (not owned).</summary>
    public TokenGenerator(LlamaModel model) => Model = model;

    /// <summary>The model.</summary>
    public LlamaModel Model { get; }

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
        GenerateAsync(promptIds, options, selector, onToken, stopRequested: null, cancellationToken);

    /// <summary>
    /// As <see cref="GenerateAsync(IReadOnlyList{int}, GenerationOptions?, ITokenSelector?, Action{int}?, CancellationToken)"/>;
    /// <paramref name="stopRequested"/> is asked after each emitted id (e.g. a stop string completed
    /// in the detokenized text) and ends generation with <see cref="StopReason.StopString"/>.
    /// </summary>
    public async Task<GenerationResult> GenerateAsync(
        IReadOnlyList<int> promptIds,
        GenerationOptions? options,
        ITokenSelector? selector,
        Action<int>? onToken,
        Func<bool>? stopRequested,
        CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(() => Generate(promptIds, options ?? new GenerationOptions(), selector ?? SamplingSelector.Instance, onToken, stopRequested, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
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

    private GenerationResult Generate(IReadOnlyList<int> promptIds, GenerationOptions options, ITokenSelector selector, Action<int>? onToken, Func<bool>? stopRequested, CancellationToken cancellationToken)
    {
        options.Validate();
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

        var eos = new HashSet<int>(options.EosTokenIds ?? Model.Config.EosTokenIds);
        var kv = CacheFor(promptIds.Count + options.MaxNewTokens);
        kv.Reset();
        var sampler = new TokenSampler(options);
        var matcher = new StopSequenceMatcher(options.StopSequences);
        var output = new List<int>();
        void Emit(IReadOnlyList<int> ids)
        {
            foreach (int id in ids)
            {
                output.Add(id);
                onToken?.Invoke(id);
            }
        }

        var prefillClock = Stopwatch.StartNew();
        if (promptIds.Count > 1)
        {
            using var scope = NewDisposeScope();
            var prefix = tensor(promptIds.Take(promptIds.Count - 1).Select(i => (long)i).ToArray(), ScalarType.Int64).unsqueeze(0);
            Model.Forward(prefix, kv, ForwardRequest.Raw);
        }

        prefillClock.Stop();
        selector.Begin(promptIds);
        var constraint = options.Constraint;
        constraint?.Begin();
        int constrainedSteps = 0, overrides = 0;
        var step = new DecodeStep(Model, kv, sampler, promptIds);
        int input = promptIds[^1];
        int decoded = 0;
        StopReason reason = StopReason.MaxTokens;
        var decodeClock = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (kv.Length >= kv.Capacity)
            {
                reason = StopReason.ContextFull;
                break;
            }

            int token;
            int position = kv.Length;
            using (var scope = NewDisposeScope())
            {
                step.Index = decoded;
                step.InputToken = input;
                step.Position = position;
                if (constraint is IChoiceConstraint chooser && chooser.PendingChoices() is { Count: > 0 } choices && step.BestContinuation(choices) is >= 0 and var best)
                {
                    chooser.Choose(best);
                }

                bool[]? allowed = constraint?.AllowedNext(Model.VocabSize);
                step.Restrict(allowed, allowed is null ? null : tensor(allowed, device: Model.Device).logical_not_());
                token = selector.Select(step);
                if (allowed is not null)
                {
                    constrainedSteps++;
                    overrides += step.Overridden ? 1 : 0;
                    if (token >= 0 && token < allowed.Length && !allowed[token])
                    {
                        throw new InvalidOperationException($"{selector.GetType().Name} chose token {token}, which the generation's constraint ({constraint!.GetType().Name}) does not allow.");
                    }
                }

                step.Restrict(null, null);
            }

            if (kv.Length != position + 1)
            {
                throw new InvalidOperationException($"{selector.GetType().Name} must append exactly one position to the cache per step (raw pass); the cache went from {position} to {kv.Length}.");
            }

            if (token < 0 || token >= Model.VocabSize)
            {
                throw new InvalidOperationException($"{selector.GetType().Name} chose token {token}, outside the vocabulary [0, {Model.VocabSize}).");
            }

            decoded++;
            constraint?.Accept(token);
            if (eos.Contains(token))
            {
                reason = StopReason.EndOfSequence;
                break;
            }

            var (released, stopped) = matcher.Push(token);
            Emit(released);
            if (stopped)
            {
                reason = StopReason.StopSequence;
                break;
            }

            if (stopRequested?.Invoke() == true)
            {
                reason = StopReason.StopString;
                break;
            }

            if (decoded >= options.MaxNewTokens)
            {
                reason = StopReason.MaxTokens;
                break;
            }

            input = token;
        }

        decodeClock.Stop();
        Emit(matcher.Flush());
        return new GenerationResult
        {
            Ids = output,
            StopReason = reason,
            PromptTokens = promptIds.Count,
            DecodedTokens = decoded,
            PrefillTime = prefillClock.Elapsed,
            DecodeTime = decodeClock.Elapsed,
            ConstrainedSteps = constrainedSteps,
            ConstraintOverrides = overrides,
        };
    }

    private KvCache CacheFor(int tokens)
    {
        int wanted = Math.Min(Model.ContextLength, RoundUp(tokens, 256));
        if (cache is null || cache.Capacity < wanted)
        {
            cache?.Dispose();
            cache = Model.CreateCache(wanted);
        }

        return cache;
    }

    private static int RoundUp(int value, int multiple) => (int)Math.Min(int.MaxValue, ((long)value + multiple - 1) / multiple * multiple);

    /// <inheritdoc />
    public void Dispose()
    {
        cache?.Dispose();
        gate.Dispose();
    }
}
