using System.Text.RegularExpressions;

namespace Directer.Evaluation.IfEval;

/// <summary><c>detectable_content:number_placeholders</c>: at least <c>num_placeholders</c> matches of
/// <c>\[.*?\]</c> (square brackets on one line; <c>[]</c> counts).</summary>
internal sealed partial class PlaceholderChecker : IInstructionChecker
{
    private readonly int _placeholders;

    public PlaceholderChecker(InstructionKwargs kwargs) => _placeholders = kwargs.Int("num_placeholders");

    public string InstructionId => IfEvalInstructions.ContentNumberPlaceholders;

    [GeneratedRegex(@"\[.*?\]")]
    private static partial Regex Placeholder();

    public bool IsFollowed(string response) => Placeholder().Count(response) >= _placeholders;
}
