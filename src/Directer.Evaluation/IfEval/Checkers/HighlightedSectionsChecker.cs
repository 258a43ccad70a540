using System.Text.RegularExpressions;

namespace Directer.Evaluation.IfEval;

/// <summary><c>detectable_format:number_highlighted_sections</c>: at least <c>num_highlights</c> non-blank
/// <c>*single*</c> highlights (<c>\*[^\n\*]*\*</c>) plus non-blank <c>**double**</c> ones (<c>\*\*[^\n\*]*\*\*</c>),
/// both counted on one line each. A <c>**bold**</c> span is counted by the double pattern, while the single pattern
/// sees its empty <c>**</c> ends (not counted), so bold text counts once.</summary>
internal sealed partial class HighlightedSectionsChecker : IInstructionChecker
{
    private readonly int _highlights;

    public HighlightedSectionsChecker(InstructionKwargs kwargs) => _highlights = kwargs.Int("num_highlights");

    public string InstructionId => IfEvalInstructions.FormatNumberHighlightedSections;

    [GeneratedRegex(@"\*[^\n\*]*\*")]
    private static partial Regex Single();

    [GeneratedRegex(@"\*\*[^\n\*]*\*\*")]
    private static partial Regex Double();

    public bool IsFollowed(string response)
    {
        int count = 0;
        foreach (Match m in Single().Matches(response))
        {
            if (!PyText.IsBlank(m.Value.Trim('*'))) count++;
        }
        foreach (Match m in Double().Matches(response))
        {
            // removeprefix("**").removesuffix("**"): the match always has both.
            if (!PyText.IsBlank(m.Value[2..^2])) count++;
        }
        return count >= _highlights;
    }
}
