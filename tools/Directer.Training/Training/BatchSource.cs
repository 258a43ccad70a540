using Directer.Training.Data;
using Directer.Training.Tokenization;

namespace Directer.Training.Training;

/// <summary>
/// Deterministic batches: step s uses conversations from a pool of <see cref="PoolBatches"/> batches that is
/// sorted by length (less padding) and then put in a seeded order. The same seed gives the same batches.
/// </summary>
internal sealed class BatchSource
{
    /// <summary>Batches per length-sorted pool.</summary>
    public const int PoolBatches = 8;

    private readonly ConversationGenerator generator;
    private readonly BpeVocabulary vocab;
    private readonly int batchSize;
    private readonly int maxLength;
    private readonly long seed;
    private readonly int padId;
    private long cachedPool = -1;
    private List<List<TrainingExample>>? cached;

    public BatchSource(long seed, BpeVocabulary vocab, int batchSize, int maxLength, double novelShare = 0, double? drillShare = null, double randomCopyShare = 0, double longContextShare = 0, bool wideWordings = false, double keywordShare = 0)
    {
        this.seed = seed;
        this.vocab = vocab;
        this.batchSize = batchSize;
        this.maxLength = maxLength;
        generator = new ConversationGenerator(seed, DataSplit.Train, novelShare, drillShare, randomCopyShare, longContextShare, wideWordings, keywordShare);
        padId = vocab.SpecialIds[SpecialTokens.EndOfText];
    }

    /// <summary>The examples of step <paramref name="step"/>.</summary>
    public IReadOnlyList<TrainingExample> Examples(long step)
    {
        long pool = step / PoolBatches;
        if (pool != cachedPool)
        {
            cached = BuildPool(pool);
            cachedPool = pool;
        }

        return cached![(int)(step % PoolBatches)];
    }

    public Batch Get(long step) => new(Examples(step), padId);

    private List<List<TrainingExample>> BuildPool(long pool)
    {
        int n = batchSize * PoolBatches;
        long first = pool * n;
        var examples = Enumerable.Range(0, n)
            .Select(i => TrainingExample.From(generator.Generate(first + i), vocab, maxLength))
            .Where(e => e.HasTarget)
            .Select((e, i) => (e, i))
            .OrderBy(p => p.e.Length)
            .ThenBy(p => p.i)
            .Select(p => p.e)
            .ToList();
        if (examples.Count < PoolBatches)
        {
            throw new InvalidOperationException($"--max-length {maxLength} cuts off the assistant reply of almost every conversation; raise it.");
        }

        // Even split (a pool loses a few conversations only when truncation removed their replies).
        var batches = Enumerable.Range(0, PoolBatches)
            .Select(b => examples.Skip(b * examples.Count / PoolBatches).Take(((b + 1) * examples.Count / PoolBatches) - (b * examples.Count / PoolBatches)).ToList())
            .ToList();
        SeededRandom.ForItem(seed, pool, 99).Shuffle(batches);
        return batches;
    }
}
