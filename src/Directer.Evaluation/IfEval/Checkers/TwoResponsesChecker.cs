namespace Directer.Evaluation.IfEval;

/// <summary><c>combination:two_responses</c>: split on <c>******</c>, blank pieces are allowed only first or last, and
/// exactly two non-blank pieces must remain that differ once stripped.</summary>
internal sealed class TwoResponsesChecker : IInstructionChecker
{
    public TwoResponsesChecker(InstructionKwargs kwargs) { }

    public string InstructionId => IfEvalInstructions.CombinationTwoResponses;

    public bool IsFollowed(string response)
    {
        string[] pieces = response.Split("******");
        var valid = new List<string>();
        for (int i = 0; i < pieces.Length; i++)
        {
            if (PyText.IsBlank(pieces[i]))
            {
                if (i != 0 && i != pieces.Length - 1) return false;
            }
            else
            {
                valid.Add(pieces[i]);
            }
        }
        return valid.Count == 2 && PyText.Strip(valid[0]) != PyText.Strip(valid[1]);
    }
}
