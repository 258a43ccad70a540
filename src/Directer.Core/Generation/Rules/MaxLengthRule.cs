using TorchSharp;

namespace Directer.Core.Generation.Rules;

/// <summary>Ends generation once <c>maxNewTokens</c> tokens are generated (transformers' <c>MaxLengthCriteria</c>).</summary>
internal sealed class MaxLengthRule(int maxNewTokens) : ITokenRule
{
    private int generated;

    public void Begin(IReadOnlyList<int> promptIds) => generated = 0;

    public bool Prepare(DecodeStep step) => false;

    public torch.Tensor Apply(torch.Tensor logits, bool raw) => logits;

    public StopReason? Accept(int token) => ++generated >= maxNewTokens ? StopReason.MaxTokens : null;
}
