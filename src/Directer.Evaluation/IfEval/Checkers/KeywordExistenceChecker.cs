using System.Text.RegularExpressions;

namespace Directer.Evaluation.IfEval;

/// <summary><c>keywords:existence</c>: every keyword occurs, case-insensitively. As in the official code each keyword
/// is a regular expression (searched unescaped), so <c>.</c> in a keyword matches any character.</summary>
internal sealed class KeywordExistenceChecker : IInstructionChecker
{
    private readonly Regex[] _keywords;

    public KeywordExistenceChecker(InstructionKwargs kwargs)
    {
        _keywords = kwargs.StringList("keywords")
            .Select(k => kwargs.Pattern("keywords", k, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant))
            .ToArray();
    }

    public string InstructionId => IfEvalInstructions.KeywordsExistence;

    public bool IsFollowed(string response) => _keywords.All(k => k.IsMatch(response));
}
