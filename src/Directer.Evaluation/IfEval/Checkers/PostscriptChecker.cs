using System.Text.RegularExpressions;

namespace Directer.Evaluation.IfEval;

/// <summary><c>detectable_content:postscript</c>: the lowercased response contains the marker anywhere (not only at a
/// line start). <c>P.S.</c> and <c>P.P.S</c> get tolerant patterns (optional space between the letters); any other
/// marker is used, lowercased, as a regular expression, exactly as the official code does.</summary>
internal sealed class PostscriptChecker : IInstructionChecker
{
    private readonly Regex _pattern;

    public PostscriptChecker(InstructionKwargs kwargs)
    {
        string marker = PyText.Strip(kwargs.String("postscript_marker"));
        string s = PyText.SpaceClass;
        string pattern = marker switch
        {
            "P.P.S" => s + @"*p\." + s + @"?p\." + s + "?s.*$",
            "P.S." => s + @"*p\." + s + @"?s\..*$",
            _ => s + "*" + PyText.Lower(marker) + ".*$",
        };
        _pattern = kwargs.Pattern("postscript_marker", pattern, RegexOptions.Multiline);
    }

    public string InstructionId => IfEvalInstructions.ContentPostscript;

    public bool IsFollowed(string response) => _pattern.IsMatch(PyText.Lower(response));
}
