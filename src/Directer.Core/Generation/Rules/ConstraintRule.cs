using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Core.Generation.Rules;

/// <summary>
/// A <see cref="ITokenConstraint"/> (the Hermes tool-call grammar, or any other) as a rule: before a step it settles
/// a pending whole-continuation choice (<see cref="IChoiceConstraint"/>, scored by <see cref="DecodeStep.BestContinuation"/>),
/// then masks every pass's disallowed tokens to −∞; it checks that the chosen token is allowed before the constraint
/// sees it. Counts the masked steps and those where the mask changed the raw pass's greedy choice.
/// </summary>
internal sealed class ConstraintRule(ITokenConstraint constraint, string selectorName) : ITokenRule
{
    private DecodeStep? step;
    private bool[]? allowed;
    private Tensor? disallowed;

    /// <summary>Steps whose logits were masked.</summary>
    public int ConstrainedSteps { get; private set; }

    /// <summary>Masked steps where the raw pass's most likely token was not allowed.</summary>
    public int Overrides { get; private set; }

    public void Begin(IReadOnlyList<int> promptIds)
    {
        constraint.Begin();
        ConstrainedSteps = 0;
        Overrides = 0;
    }

    public bool Prepare(DecodeStep decodeStep)
    {
        step = decodeStep;
        if (constraint is IChoiceConstraint chooser && chooser.PendingChoices() is { Count: > 0 } choices && decodeStep.BestContinuation(choices) is >= 0 and var best)
        {
            chooser.Choose(best);
        }

        allowed = constraint.AllowedNext(decodeStep.Model.VocabSize);
        decodeStep.Allowed = allowed;
        decodeStep.Overridden = false;
        if (allowed is null)
        {
            disallowed = null;
            return false;
        }

        ConstrainedSteps++;
        disallowed = tensor(allowed, device: decodeStep.Model.Device).logical_not_();
        return true;
    }

    public Tensor Apply(Tensor logits, bool raw)
    {
        if (raw)
        {
            // Row 0 of a writing pass is the raw pass: note whether the mask changes its greedy choice.
            using var first = logits.dim() == 1 ? logits.alias() : logits[0];
            step!.Overridden = !allowed![TokenSampler.ArgMax(first)];
        }

        return logits.masked_fill(disallowed!, float.NegativeInfinity);
    }

    public StopReason? Accept(int token)
    {
        if (allowed is not null)
        {
            Overrides += step!.Overridden ? 1 : 0;
            if (!allowed[token])
            {
                throw new InvalidOperationException($"{selectorName} chose token {token}, which the generation's constraint ({constraint.GetType().Name}) does not allow.");
            }
        }

        allowed = null;
        disallowed = null;
        constraint.Accept(token);
        return null;
    }
}
