using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Core.Generation.Rules;

/// <summary>
/// OpenAI's frequency and presence penalties, as vLLM's sampler applies them: over the generated tokens only
/// (not the prompt), <c>logit −= frequency · count</c>, then <c>logit −= presence · [count &gt; 0]</c>. Positive values
/// discourage repeats, negative ones encourage them. Example: a token generated twice, frequency 0.5 and presence 0.2,
/// loses 1.0 then 0.2.
/// </summary>
internal sealed class OccurrencePenaltyRule : ITokenRule
{
    private readonly float frequency;
    private readonly float presence;
    private readonly int[] counts;
    private readonly List<long> ids = new();
    private long[] idArray = [];
    private float[] frequencyTerms = [];
    private float[] presenceTerms = [];
    private Tensor? index;
    private Tensor? frequencyTerm;
    private Tensor? presenceTerm;

    /// <summary>Creates the rule; each penalty must be in [−2, 2].</summary>
    public OccurrencePenaltyRule(float frequency, float presence, int vocabSize)
    {
        if (!(frequency >= -2 && frequency <= 2))
        {
            throw new ArgumentOutOfRangeException(nameof(frequency), frequency, "The frequency penalty must be in [-2, 2] (0 = off).");
        }

        if (!(presence >= -2 && presence <= 2))
        {
            throw new ArgumentOutOfRangeException(nameof(presence), presence, "The presence penalty must be in [-2, 2] (0 = off).");
        }

        this.frequency = frequency;
        this.presence = presence;
        counts = new int[vocabSize];
    }

    public void Begin(IReadOnlyList<int> promptIds)
    {
        Array.Clear(counts);
        ids.Clear();
        idArray = [];
    }

    public bool Prepare(DecodeStep step)
    {
        if (ids.Count == 0)
        {
            return false; // nothing generated yet
        }

        if (idArray.Length != ids.Count)
        {
            idArray = ids.ToArray();
            frequencyTerms = new float[ids.Count];
            presenceTerms = new float[ids.Count];
        }

        for (int i = 0; i < idArray.Length; i++)
        {
            // float32 products, as vLLM's float32 `frequency_penalties * output_bin_counts`.
            frequencyTerms[i] = frequency * counts[idArray[i]];
            presenceTerms[i] = presence;
        }

        var device = step.Model.Device;
        index = tensor(idArray, ScalarType.Int64, device);
        frequencyTerm = tensor(frequencyTerms, ScalarType.Float32, device);
        presenceTerm = tensor(presenceTerms, ScalarType.Float32, device);
        return true;
    }

    public Tensor Apply(Tensor logits, bool raw)
    {
        var columns = logits.dim() == 1 ? index! : index!.expand(logits.shape[0], -1);
        using var score = logits.gather(-1, columns);

        // Two subtractions in vLLM's order (frequency, then presence): the same float32 rounding.
        using var afterFrequency = score.sub(frequencyTerm!);
        using var afterPresence = afterFrequency.sub(presenceTerm!);
        return logits.scatter(-1, columns, afterPresence);
    }

    public StopReason? Accept(int token)
    {
        if (token >= 0 && token < counts.Length && counts[token]++ == 0)
        {
            ids.Add(token);
        }

        return null;
    }
}
