using System.Text.RegularExpressions;

namespace Directer.Evaluation.IfEval;

/// <summary><c>detectable_format:multiple_sections</c>: at least <c>num_sections</c> matches of
/// <c>\s?SPLITTER\s?\d+\s?</c> (the splitter such as <c>Section</c> or <c>SECTION</c>, stripped, used as a
/// case-sensitive regular expression; the official code counts the pieces of a split minus one, i.e. the matches).</summary>
internal sealed class MultipleSectionsChecker : IInstructionChecker
{
    private readonly Regex _splitter;
    private readonly int _sections;

    public MultipleSectionsChecker(InstructionKwargs kwargs)
    {
        string splitter = PyText.Strip(kwargs.String("section_spliter"));
        _splitter = kwargs.Pattern("section_spliter", PyText.SpaceClass + "?" + splitter + PyText.SpaceClass + @"?\d+" + PyText.SpaceClass + "?", RegexOptions.None);
        _sections = kwargs.Int("num_sections");
    }

    public string InstructionId => IfEvalInstructions.FormatMultipleSections;

    public bool IsFollowed(string response) => _splitter.Split(response).Length - 1 >= _sections;
}
