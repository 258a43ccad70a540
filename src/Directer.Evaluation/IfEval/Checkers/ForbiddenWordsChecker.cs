using System.Text.RegularExpressions;

namespace Directer.Evaluation.IfEval;

/// <summary><c>keywords:forbidden_words</c>: none of the words occurs as a whole word (<c>\bword\b</c>,
/// case-insensitive, with Python's definition of a word character).</summary>
internal sealed class ForbiddenWordsChecker : IInstructionChecker
{
    private readonly Regex[] _words;

    public ForbiddenWordsChecker(InstructionKwargs kwargs)
    {
        _words = kwargs.StringList("forbidden_words")
            .Select(w => kwargs.Pattern("forbidden_words", PyText.WordBoundary + w + PyText.WordBoundary,
                RegexOptions.IgnoreCase | RegexOptions.CultureInvariant))
            .ToArray();
    }

    public string InstructionId => IfEvalInstructions.KeywordsForbiddenWords;

    public bool IsFollowed(string response) => !_words.Any(w => w.IsMatch(response));
}
