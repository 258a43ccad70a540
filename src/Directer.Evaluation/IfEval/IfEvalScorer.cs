namespace Directer.Evaluation.IfEval;

/// <summary>Scores a response against every instruction of an <see cref="IfEvalRow"/>.</summary>
public static class IfEvalScorer
{
    /// <summary>One result per instruction of <paramref name="row"/>, in order.</summary>
    /// <param name="row">The prompt and its instructions.</param>
    /// <param name="response">The model's response text.</param>
    public static IReadOnlyList<InstructionResult> Score(IfEvalRow row, string response)
        => throw new NotImplementedException("IFEval checkers are being written (issue 7).");
}
