namespace Directer.Evaluation.IfEval;

/// <summary><c>detectable_format:constrained_response</c>: the response contains (anywhere, case-sensitively) one of
/// "My answer is yes.", "My answer is no.", "My answer is maybe.".</summary>
internal sealed class ConstrainedResponseChecker : IInstructionChecker
{
    private static readonly string[] Options = ["My answer is yes.", "My answer is no.", "My answer is maybe."];

    public ConstrainedResponseChecker(InstructionKwargs kwargs) { }

    public string InstructionId => IfEvalInstructions.FormatConstrainedResponse;

    public bool IsFollowed(string response)
    {
        string value = PyText.Strip(response);
        return Options.Any(o => value.Contains(o, StringComparison.Ordinal));
    }
}
