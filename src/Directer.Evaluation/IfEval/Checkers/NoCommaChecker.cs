namespace Directer.Evaluation.IfEval;

/// <summary><c>punctuation:no_comma</c>: no ASCII comma <c>,</c> (other commas such as <c>，</c> or <c>،</c> are allowed,
/// as in the official regex).</summary>
internal sealed class NoCommaChecker : IInstructionChecker
{
    public NoCommaChecker(InstructionKwargs kwargs) { }

    public string InstructionId => IfEvalInstructions.PunctuationNoComma;

    public bool IsFollowed(string response) => !response.Contains(',');
}
