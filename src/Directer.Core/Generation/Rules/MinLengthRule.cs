using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Core.Generation.Rules;

/// <summary>
/// transformers' <c>MinNewTokensLengthLogitsProcessor</c>: until <c>minNewTokens</c> tokens are generated, the
/// end-of-sequence tokens get logit −∞, so generation cannot end early. Example: with 3 and eos 2, token 2 cannot be
/// chosen at steps 0, 1 and 2.
/// </summary>
internal sealed class MinLengthRule : ITokenRule
{
    private readonly int minNewTokens;
    private readonly long[] eos;
    private Tensor? columns;

    public MinLengthRule(int minNewTokens, IEnumerable<int> eosIds)
    {
        this.minNewTokens = minNewTokens;
        eos = eosIds.Select(id => (long)id).ToArray();
    }

    public void Begin(IReadOnlyList<int> promptIds)
    {
    }

    public bool Prepare(DecodeStep step)
    {
        if (step.Index >= minNewTokens)
        {
            return false;
        }

        columns = tensor(eos, ScalarType.Int64, step.Model.Device);
        return true;
    }

    public Tensor Apply(Tensor logits, bool raw) => logits.index_fill(-1, columns!, float.NegativeInfinity);

    public StopReason? Accept(int token) => null;
}
