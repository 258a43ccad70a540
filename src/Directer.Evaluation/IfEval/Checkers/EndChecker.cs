namespace Directer.Evaluation.IfEval;

/// <summary><c>startend:end_checker</c>: the response, stripped of whitespace and then of double quotes at either end
/// and lowercased, ends with the stripped, lowercased <c>end_phrase</c>.</summary>
internal sealed class EndChecker : IInstructionChecker
{
    private readonly string _phrase;

    public EndChecker(InstructionKwargs kwargs) => _phrase = PyText.Lower(PyText.Strip(kwargs.String("end_phrase")));

    public string InstructionId => IfEvalInstructions.StartEndEndChecker;

    public bool IsFollowed(string response)
        => PyText.Lower(PyText.Strip(response).Trim('"')).EndsWith(_phrase, StringComparison.Ordinal);
}
