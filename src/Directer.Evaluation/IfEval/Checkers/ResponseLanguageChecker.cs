namespace Directer.Evaluation.IfEval;

/// <summary><c>language:response_language</c>: the detected language of the whole response is <c>language</c>.
/// Text with no letters to detect from counts as followed, as the official code does when langdetect raises.</summary>
internal sealed class ResponseLanguageChecker : IInstructionChecker
{
    private readonly string _language;

    public ResponseLanguageChecker(InstructionKwargs kwargs)
    {
        _language = kwargs.String("language");
        // The official build_description looks the code up in its table of 30 languages (a KeyError otherwise).
        if (!LanguageDetector.IfEvalLanguages.ContainsKey(_language))
        {
            throw new ArgumentException($"instruction '{InstructionId}': kwarg 'language' must be one of {string.Join(", ", LanguageDetector.IfEvalLanguages.Keys)}, got \"{_language}\".");
        }
    }

    public string InstructionId => IfEvalInstructions.LanguageResponseLanguage;

    public bool IsFollowed(string response) => LanguageDetector.Detect(response) is not { } detected || detected == _language;
}
