using System.Text.RegularExpressions;

namespace Directer.Evaluation.IfEval;

/// <summary><c>keywords:frequency</c>: the number of case-insensitive matches of the (stripped, unescaped) keyword
/// pattern compared with <c>frequency</c> by <c>relation</c>. Substrings count: "keyword" matches inside "keywords".</summary>
internal sealed class KeywordFrequencyChecker : IInstructionChecker
{
    private readonly Regex _keyword;
    private readonly int _frequency;
    private readonly ComparisonRelation _relation;

    public KeywordFrequencyChecker(InstructionKwargs kwargs)
    {
        // The official code draws a random keyword for an empty one, and strips the one it is given.
        string keyword = PyText.Strip(kwargs.String("keyword", nonEmpty: true));
        _keyword = kwargs.Pattern("keyword", keyword, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        _frequency = kwargs.Int("frequency");
        _relation = kwargs.Relation("relation");
    }

    public string InstructionId => IfEvalInstructions.KeywordsFrequency;

    public bool IsFollowed(string response) => _relation.Holds(_keyword.Matches(response).Count, _frequency);
}
