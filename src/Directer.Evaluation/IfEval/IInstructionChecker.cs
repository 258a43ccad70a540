namespace Directer.Evaluation.IfEval;

/// <summary>One IFEval instruction with its arguments bound: decides whether a response text follows it.</summary>
public interface IInstructionChecker
{
    /// <summary>The IFEval instruction id, such as <c>punctuation:no_comma</c>.</summary>
    string InstructionId { get; }

    /// <summary>
    /// The official <c>check_following</c> of the instruction on <paramref name="response"/> as given (no stripping of
    /// empty responses, no loose variants: <see cref="IfEvalScorer"/> adds those).
    /// </summary>
    /// <param name="response">The text to check.</param>
    bool IsFollowed(string response);
}
