namespace Directer.Evaluation.IfEval;

/// <summary><c>change_case:english_capital</c>: <c>str.isupper()</c> holds for the whole response and it is detected
/// as English (text with nothing to detect counts as English, as when langdetect raises).</summary>
internal sealed class EnglishCapitalChecker : IInstructionChecker
{
    public EnglishCapitalChecker(InstructionKwargs kwargs) { }

    public string InstructionId => IfEvalInstructions.ChangeCaseEnglishCapital;

    public bool IsFollowed(string response)
        => PyText.IsUpper(response) && LanguageDetector.Detect(response) is null or "en";
}
