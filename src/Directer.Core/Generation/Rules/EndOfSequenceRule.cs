using TorchSharp;

namespace Directer.Core.Generation.Rules;

/// <summary>Ends generation at an end-of-sequence / end-of-turn token, which is left out of the output.</summary>
internal sealed class EndOfSequenceRule(IReadOnlySet<int> eos) : ITokenRule
{
    public void Begin(IReadOnlyList<int> promptIds)
    {
    }

    public bool Prepare(DecodeStep step) => false;

    public torch.Tensor Apply(torch.Tensor logits, bool raw) => logits;

    public StopReason? Accept(int token) => eos.Contains(token) ? StopReason.EndOfSequence : null;
}
