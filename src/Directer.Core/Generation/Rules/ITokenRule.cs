using TorchSharp;

namespace Directer.Core.Generation.Rules;

/// <summary>
/// One link of a <see cref="TokenRuleChain"/>, in the manner of a transformers logits processor or a
/// llama.cpp sampler: <see cref="Apply"/> adjusts the logits of every forward pass of a step alike (raw,
/// steered, baseline), <see cref="Accept"/> sees the chosen token and may end generation. One instance
/// serves one generation at a time.
/// </summary>
internal interface ITokenRule
{
    /// <summary>Called once before the first step; forgets all earlier tokens.</summary>
    void Begin(IReadOnlyList<int> promptIds);

    /// <summary>
    /// Called before the step's passes (inside the step's dispose scope). Returns whether the rule adjusts this
    /// step's logits; when false, <see cref="Apply"/> is not called this step, so an idle rule costs nothing.
    /// </summary>
    bool Prepare(DecodeStep step);

    /// <summary>
    /// Adjusts float32 logits <c>[vocab]</c> or <c>[rows, vocab]</c>, every row alike; <paramref name="raw"/> marks a
    /// writing pass, whose row 0 is the step's raw pass. Returns the adjusted logits (new tensors live in the step's
    /// dispose scope).
    /// </summary>
    torch.Tensor Apply(torch.Tensor logits, bool raw);

    /// <summary>Sees the chosen token; returns why generation ends, or null to go on.</summary>
    StopReason? Accept(int token);
}
