namespace Directer.Evaluation.IfEval;

/// <summary><c>length_constraints:nth_paragraph_first_word</c>: paragraphs are split on <c>"\n\n"</c>; the number of
/// non-blank pieces must equal <c>num_paragraphs</c> and the <c>nth_paragraph</c>-th piece (counted over all pieces,
/// blank ones included, as the official code indexes them) must start with <c>first_word</c> (compared in lower case,
/// after dropping leading quotes and cutting the word at the first of <c>. , ? ! ' "</c>).</summary>
internal sealed class NthParagraphFirstWordChecker : IInstructionChecker
{
    private static readonly HashSet<char> Punctuation = ['.', ',', '?', '!', '\'', '"'];
    private readonly int _paragraphs;
    private readonly int _nth;
    private readonly string _firstWord;

    public NthParagraphFirstWordChecker(InstructionKwargs kwargs)
    {
        _paragraphs = kwargs.Int("num_paragraphs");
        _nth = kwargs.Int("nth_paragraph", min: 1);
        // The official code draws a random nth_paragraph when it is outside 1..num_paragraphs.
        if (_nth > _paragraphs)
        {
            throw new ArgumentException($"instruction '{InstructionId}': kwarg 'nth_paragraph' must be between 1 and num_paragraphs ({_paragraphs}), got {_nth}.");
        }
        _firstWord = PyText.Lower(kwargs.String("first_word"));
    }

    public string InstructionId => IfEvalInstructions.LengthNthParagraphFirstWord;

    public bool IsFollowed(string response)
    {
        string[] paragraphs = response.Split("\n\n");
        int count = paragraphs.Count(p => !PyText.IsBlank(p));
        if (_nth > count) return false;
        string paragraph = PyText.Strip(paragraphs[_nth - 1]);
        if (paragraph.Length == 0) return false;

        string word = PyText.SplitWhitespace(paragraph)[0].TrimStart('\'').TrimStart('"');
        var first = new System.Text.StringBuilder();
        foreach (char c in word)
        {
            if (Punctuation.Contains(c)) break;
            first.Append(c);
        }
        return count == _paragraphs && PyText.Lower(first.ToString()) == _firstWord;
    }
}
