using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Core.Generation;

/// <summary>
/// Picks the next token from float32 logits: greedy at temperature 0, otherwise temperature, then
/// top-k, then top-p (the order transformers applies them), sampled with a seeded generator.
/// </summary>
public sealed class TokenSampler
{
    private readonly GenerationOptions options;
    private readonly Random random;

    /// <summary>Creates a sampler for <paramref name="options"/>.</summary>
    public TokenSampler(GenerationOptions options)
    {
        this.options = options;
        random = options.Seed is long seed ? new Random(unchecked((int)seed ^ (int)(seed >> 32))) : new Random();
    }

    /// <summary>Whether this sampler is greedy (temperature 0).</summary>
    public bool IsGreedy => options.Temperature == 0;

    /// <summary>Index of the largest logit (the first one on ties).</summary>
    public static int ArgMax(Tensor logits)
    {
        using var index = logits.reshape(-1).argmax();
        return (int)index.item<long>();
    }

    /// <summary>The filtered sampling distribution (temperature, top-k, top-p) as float32 probabilities.</summary>
    public Tensor Distribution(Tensor logits)
    {
        using var scope = NewDisposeScope();
        var scaled = logits.reshape(-1).to_type(ScalarType.Float32) / options.Temperature;
        if (options.TopK is int k && k < scaled.shape[0])
        {
            var kth = scaled.topk(k).values.min();
            scaled = scaled.masked_fill(scaled < kth, double.NegativeInfinity);
        }

        if (options.TopP is float p && p < 1)
        {
            var (sorted, order) = scaled.sort(descending: false);
            var cumulative = sorted.softmax(-1).cumsum(-1);
            // Drop the low tail whose mass is <= 1 - p, always keeping the most probable token.
            var remove = cumulative <= (1 - p);
            remove[-1] = tensor(false);
            var removeInOrder = zeros_like(remove).scatter(0, order, remove);
            scaled = scaled.masked_fill(removeInOrder, double.NegativeInfinity);
        }

        return scaled.softmax(-1).DetachFromDisposeScope();
    }

    /// <summary>Chooses a token from <paramref name="logits"/> ([vocab] or [1, 1, vocab]).</summary>
    public int Sample(Tensor logits)
    {
        if (IsGreedy)
        {
            return ArgMax(logits);
        }

        using var probs = Distribution(logits);
        return Draw(probs);
    }

    /// <summary>Draws an index from a probability vector with this sampler's generator.</summary>
    public int Draw(Tensor probabilities) => DrawWith(probabilities, NextUniform());

    /// <summary>The next uniform number in [0, 1) of this sampler's seeded sequence.</summary>
    public double NextUniform() => random.NextDouble();

    /// <summary>
    /// Inverse-CDF draw with a given uniform <paramref name="u"/>: the same <paramref name="u"/>
    /// applied to two distributions couples the draws (used to compare raw and steered samples).
    /// </summary>
    public static int DrawWith(Tensor probabilities, double u)
    {
        float[] p = probabilities.data<float>().ToArray();
        u *= p.Sum(x => (double)x);
        double acc = 0;
        int last = 0;
        for (int i = 0; i < p.Length; i++)
        {
            if (p[i] <= 0)
            {
                continue;
            }

            acc += p[i];
            last = i;
            if (u < acc)
            {
                return i;
            }
        }

        return last;
    }
}
