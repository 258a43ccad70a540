using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Directer.Core.Generation.Rules;
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
        var kv = CacheFor(promptIds.Count + options.MaxNewTokens);
        kv.Reset();
        var output = new StopRule(options, onToken, onText);
        var constraint = options.Constraint is { } c ? new ConstraintRule(c, selector.GetType().Name) : null;
        var rules = TokenRuleChain.For(options, new HashSet<int>(options.EosTokenIds ?? Model.Config.EosTokenIds), Model.VocabSize, constraint, output);
        var step = new DecodeStep(Model, kv, new TokenSampler(options), promptIds, rules);

        var prefillClock = Stopwatch.StartNew();
        Prefill(promptIds, kv);
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

    /// <summary>Runs all prompt tokens but the last into the cache (the last is the first decode step's input).</summary>
    private void Prefill(IReadOnlyList<int> promptIds, KvCache kv)
    {
        if (promptIds.Count > 1)
        {
            using var scope = NewDisposeScope();
            var prefix = tensor(promptIds.Take(promptIds.Count - 1).Select(i => (long)i).ToArray(), ScalarType.Int64).unsqueeze(0);
            Model.Forward(prefix, kv, ForwardRequest.Raw);
        }
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
