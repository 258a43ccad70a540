namespace Directer.Evaluation.IfEval;

/// <summary><c>change_case:english_lowercase</c>: <c>str.islower()</c> holds for the whole response and it is detected
/// as English (text with nothing to detect counts as English, as when langdetect raises).</summary>
internal sealed class EnglishLowercaseChecker : IInstructionChecker
{
    public EnglishLowercaseChecker(InstructionKwargs kwargs) { }

    public string InstructionId => IfEvalInstructions.ChangeCaseEnglishLowercase;

    public bool IsFollowed(string response)
        => PyText.IsLower(response) && LanguageDetector.Detect(response) is null or "en";
}
