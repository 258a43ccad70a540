using System.Text.RegularExpressions;

namespace Directer.Evaluation.IfEval;

/// <summary><c>detectable_format:title</c>: some match of <c>&lt;&lt;[^\n]+&gt;&gt;</c> (on one line) is not blank once
/// its angle brackets are removed.</summary>
internal sealed partial class TitleChecker : IInstructionChecker
{
    public TitleChecker(InstructionKwargs kwargs) { }

    public string InstructionId => IfEvalInstructions.FormatTitle;

    [GeneratedRegex(@"<<[^\n]+>>")]
    private static partial Regex Title();

    public bool IsFollowed(string response)
    {
        foreach (Match m in Title().Matches(response))
        {
            if (!PyText.IsBlank(m.Value.TrimStart('<').TrimEnd('>'))) return true;
        }
        return false;
    }
}
