namespace Directer.Evaluation.IfEval;

/// <summary><c>startend:quotation</c>: the stripped response is longer than one character and starts and ends with
/// <c>"</c> (straight double quotes only).</summary>
internal sealed class QuotationChecker : IInstructionChecker
{
    public QuotationChecker(InstructionKwargs kwargs) { }

    public string InstructionId => IfEvalInstructions.StartEndQuotation;

    public bool IsFollowed(string response)
    {
        string value = PyText.Strip(response);
        return value.Length > 1 && value[0] == '"' && value[^1] == '"';
    }
}
