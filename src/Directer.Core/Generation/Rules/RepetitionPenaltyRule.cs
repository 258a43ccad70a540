using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Core.Generation.Rules;

/// <summary>
/// The repetition penalty of transformers' <c>RepetitionPenaltyLogitsProcessor</c> (CTRL, Keskar et al. 2019): every
/// token already in the sequence — prompt and generated, as Hugging Face's <c>input_ids</c> hold both — has its
/// logit multiplied by the penalty when negative and divided by it otherwise, so a penalty above 1 makes repeats
/// less likely. Example: penalty 1.3 turns logits 2.6 and −1 of seen tokens into 2.0 and −1.3.
/// </summary>
internal sealed class RepetitionPenaltyRule : ITokenRule
{
    private readonly float penalty;
    private readonly bool[] seen;
    private readonly List<long> ids = new();
    private long[] idArray = [];
    private Tensor? index;

    /// <summary>Creates the rule; <paramref name="penalty"/> must be &gt; 0.</summary>
    public RepetitionPenaltyRule(float penalty, int vocabSize)
    {
        if (!(penalty > 0) || float.IsInfinity(penalty))
        {
            throw new ArgumentOutOfRangeException(nameof(penalty), penalty, "The repetition penalty must be a finite number > 0 (1 = off).");
        }

        this.penalty = penalty;
        seen = new bool[vocabSize];
    }

    public void Begin(IReadOnlyList<int> promptIds)
    {
        Array.Clear(seen);
        ids.Clear();
        idArray = [];
        foreach (int id in promptIds)
        {
            Note(id);
        }
    }

    public bool Prepare(DecodeStep step)
    {
        if (idArray.Length != ids.Count)
        {
            idArray = ids.ToArray(); // only when a new distinct token appeared
        }

        index = tensor(idArray, ScalarType.Int64, step.Model.Device);
        return true;
    }

    public Tensor Apply(Tensor logits, bool raw)
    {
        var columns = logits.dim() == 1 ? index! : index!.expand(logits.shape[0], -1);
        using var score = logits.gather(-1, columns);
        using var negative = score.lt(0);
        using var multiplied = score.mul(penalty);
        using var divided = score.div(penalty);
        using var penalised = where(negative, multiplied, divided);
        return logits.scatter(-1, columns, penalised);
    }

    public StopReason? Accept(int token)
    {
        Note(token);
        return null;
    }

    private void Note(int id)
    {
        if (id >= 0 && id < seen.Length && !seen[id])
        {
            seen[id] = true;
            ids.Add(id);
        }
    }
}
