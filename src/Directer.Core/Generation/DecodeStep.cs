using Directer.Core.Generation.Rules;
using Directer.Core.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Core.Generation;

/// <summary>
/// One decode step as a <see cref="ITokenSelector"/> sees it: the input token at
/// <see cref="Position"/>, not yet in the cache. The selector must run exactly one raw pass that
/// appends the input's keys and values (row 0 of a writing <see cref="LlamaModel.Forward"/>), and
/// may run any number of read-only passes. Every pass's logits come back processed by the generation's token rules
/// (penalties, minimum length, the tool-call constraint: see <see cref="TokenRuleChain"/>), the same for every pass
/// of the step. Tensors created during the step are disposed after it.
/// </summary>
public sealed class DecodeStep
{
    internal DecodeStep(LlamaModel model, KvCache cache, TokenSampler sampler, IReadOnlyList<int> promptIds, TokenRuleChain? rules = null)
    {
        Model = model;
        Cache = cache;
        Sampler = sampler;
        PromptIds = promptIds;
        Rules = rules ?? TokenRuleChain.Empty;
    }

    /// <summary>The model.</summary>
    public LlamaModel Model { get; }

    /// <summary>The sequence's KV cache (raw keys and values only).</summary>
    public KvCache Cache { get; }

    /// <summary>The sampler configured for this generation.</summary>
    public TokenSampler Sampler { get; }

    /// <summary>The prompt of this generation.</summary>
    public IReadOnlyList<int> PromptIds { get; }

    /// <summary>0 for the first decode step (input = the last prompt token).</summary>
    public int Index { get; internal set; }

    /// <summary>The token this step reads.</summary>
    public int InputToken { get; internal set; }

    /// <summary>Absolute position of <see cref="InputToken"/> (the cache length before this step).</summary>
    public int Position { get; internal set; }

    /// <summary>
    /// The tokens allowed at this step (flag per id), or null when all are. Every pass's logits are
    /// already masked with it (disallowed tokens at −∞), so selectors need not look at it.
    /// </summary>
    public IReadOnlyList<bool>? Allowed { get; internal set; }

    /// <summary>Whether this step's raw pass would have chosen a disallowed token greedily.</summary>
    internal bool Overridden { get; set; }

    /// <summary>The generation's token rules, applied to every pass's logits.</summary>
    internal TokenRuleChain Rules { get; }

    /// <summary>
    /// This step's row of a raw pass the generator already ran over several sequences at once (continuous batching;
    /// the cache already holds the input), handed out by <see cref="RunRawPass"/>; null when the step runs its own.
    /// </summary>
    internal Tensor? PrecomputedRawLogits { get; set; }

    /// <summary>
    /// This step's rows of a shared raw pass that also ran the rows it declared with it (<see cref="IRunsRowsWithRawPass"/>),
    /// handed out by the <see cref="RunBatch"/> call that matches them; null when the step runs its own.
    /// </summary>
    internal (RowsWithRawPass Rows, Tensor Logits)? PrecomputedBatch { get; set; }

    /// <summary>Runs the plain raw pass of the input token (appending it to the cache); returns float32 logits [vocab].</summary>
    public Tensor RunRawPass()
    {
        if (PrecomputedRawLogits is { } ready)
        {
            PrecomputedRawLogits = null;
            RequireFinite(ready);
            return Rules.Apply(ready.reshape(-1), raw: true);
        }

        using var input = tensor(new long[] { InputToken }, ScalarType.Int64).unsqueeze(0);
        using var logits = Model.Forward(input, Cache, ForwardRequest.Raw);
        RequireFinite(logits);
        return Rules.Apply(logits.reshape(-1), raw: true);
    }

    /// <summary>
    /// Runs <paramref name="rows"/> copies of the input token in one batched pass at
    /// <see cref="Position"/>; returns float32 logits [rows, vocab].
    /// </summary>
    public Tensor RunBatch(int rows, ForwardRequest request)
    {
        if (PrecomputedRawLogits is not null)
        {
            throw new InvalidOperationException("This step's raw pass already ran in a batch of sequences: take it with RunRawPass.");
        }

        if (PrecomputedBatch is { } declared)
        {
            if (!declared.Rows.Matches(rows, request))
            {
                throw new InvalidOperationException("This step's pass already ran with the rows it declared; a different pass was asked for.");
            }

            PrecomputedBatch = null;
            RequireFinite(declared.Logits);
            return Rules.Apply(declared.Logits.reshape(rows, -1), raw: true);
        }

        using var input = full(new long[] { rows, 1 }, InputToken, ScalarType.Int64);
        using var logits = Model.Forward(input, Cache, request with { StartPosition = Position, LastPositionOnly = true });
        RequireFinite(logits);
        return Rules.Apply(logits.reshape(rows, -1), raw: request.WriteCache);
    }

    /// <summary>
    /// Runs the steered rows this step declared after its raw pass (<see cref="ISteersAfterRawPass.BeginStep"/>) as its own
    /// read-only pass at <see cref="Position"/>; returns float32 logits [rows, vocab], the token rules applied.
    /// </summary>
    internal Tensor RunSteeredRows(SteeredRows rows) => RunBatch(rows.Count, new ForwardRequest { WriteCache = false, Steering = rows.Steering });

    /// <summary>
    /// This step's rows of a steered pass the generator ran over several requests' sequences (float32 [rows, vocab]),
    /// checked and processed by the token rules as <see cref="RunSteeredRows"/> processes its own.
    /// </summary>
    internal Tensor TakeSteeredRows(Tensor logits)
    {
        RequireFinite(logits);
        return Rules.Apply(logits.reshape(logits.shape[0], -1), raw: false);
    }

    /// <summary>
    /// The index of the continuation the model finds most probable after the input token: the sum of its
    /// tokens' log-probabilities under unsteered, read-only passes (the cache is not touched), or -1 when
    /// the longest would not fit in the cache.
    /// </summary>
    internal int BestContinuation(IReadOnlyList<IReadOnlyList<int>> continuations)
    {
        const int RowsPerPass = 8;
        int longest = continuations.Max(c => c.Count);
        if (longest == 0 || Position + 1 + longest > Cache.Capacity)
        {
            return -1;
        }

        int best = -1;
        double bestScore = double.NegativeInfinity;
        for (int first = 0; first < continuations.Count; first += RowsPerPass)
        {
            using var scope = NewDisposeScope();
            int rows = Math.Min(RowsPerPass, continuations.Count - first);
            var ids = new long[rows * (longest + 1)];
            var targets = new long[rows * longest];
            var counted = new float[rows * longest];
            for (int r = 0; r < rows; r++)
            {
                var tokens = continuations[first + r];
                ids[r * (longest + 1)] = InputToken;
                for (int j = 0; j < longest; j++)
                {
                    // Positions past a shorter continuation repeat its last token; causal attention keeps them out of its score.
                    int token = tokens.Count == 0 ? InputToken : tokens[Math.Min(j, tokens.Count - 1)];
                    ids[(r * (longest + 1)) + j + 1] = token;
                    targets[(r * longest) + j] = token;
                    counted[(r * longest) + j] = j < tokens.Count ? 1 : 0;
                }
            }

            var input = tensor(ids, new long[] { rows, longest + 1 }, ScalarType.Int64);
            var logits = Model.Forward(input, Cache, new ForwardRequest { WriteCache = false, StartPosition = Position, LastPositionOnly = false });
            var logProbs = logits.narrow(1, 0, longest).log_softmax(-1);
            var picked = logProbs.gather(-1, tensor(targets, new long[] { rows, longest, 1 }, ScalarType.Int64, Model.Device)).squeeze(-1);
            var scores = (picked * tensor(counted, new long[] { rows, longest }, device: Model.Device)).sum(1).data<float>().ToArray();
            for (int r = 0; r < rows; r++)
            {
                if (scores[r] > bestScore)
                {
                    bestScore = scores[r];
                    best = first + r;
                }
            }
        }

        return best;
    }

    /// <summary>Throws <see cref="NonFiniteLogitsException"/> when a pass's logits hold NaN or +∞ (before any token rule
    /// masks them): max propagates NaN, so one reduction (a scalar read, next to the sampler's own) finds both.</summary>
    internal void RequireFinite(Tensor logits)
    {
        using var max = logits.max();
        float value = max.to_type(ScalarType.Float32).item<float>();
        if (float.IsNaN(value) || float.IsPositiveInfinity(value))
        {
            throw new NonFiniteLogitsException(Index, Position, value);
        }
    }
}
