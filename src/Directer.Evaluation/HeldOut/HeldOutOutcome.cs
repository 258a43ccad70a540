using Directer.Core.Generation;
using Directer.Core.Steering;

namespace Directer.Evaluation.HeldOut;

/// <summary>One method's reply to one row, graded.</summary>
/// <param name="Method">The steering method's label (<c>none</c>, <c>directer</c>, …).</param>
/// <param name="Row">The row.</param>
/// <param name="Reply">The raw reply (tool-call markup included).</param>
/// <param name="Grade">The grade.</param>
/// <param name="CompletionTokens">Tokens generated.</param>
/// <param name="Seconds">Wall time of the request.</param>
/// <param name="Steering">The steering summary, when steered.</param>
public sealed record HeldOutOutcome(string Method, HeldOutRow Row, string Reply, HeldOutGrade Grade, int CompletionTokens, double Seconds, SteeringSummary? Steering)
{
    /// <summary>Why decoding stopped (<see cref="StopReason.EndOfSequence"/> unless set).</summary>
    public StopReason StopReason { get; init; }

    /// <summary>The reply was cut by the token budget or the context window, not ended by the model.</summary>
    public bool CutAtLimit => StopReason is StopReason.MaxTokens or StopReason.ContextFull;

    /// <summary>Cut at the limit while repeating itself (<see cref="ReplyLoop.EndsInLoop"/>).</summary>
    public bool Looping => CutAtLimit && ReplyLoop.EndsInLoop(Reply);
}
