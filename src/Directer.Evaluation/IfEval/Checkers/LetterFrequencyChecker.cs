using System.Text;

namespace Directer.Evaluation.IfEval;

/// <summary><c>keywords:letter_frequency</c>: how often one character (lowercased) occurs in the lowercased response,
/// compared with <c>let_frequency</c> by <c>let_relation</c>.</summary>
internal sealed class LetterFrequencyChecker : IInstructionChecker
{
    private readonly string _letter;
    private readonly int _frequency;
    private readonly ComparisonRelation _relation;

    public LetterFrequencyChecker(InstructionKwargs kwargs)
    {
        // The current official code rejects anything but a single non-whitespace character (older versions drew a
        // random letter instead); either way a data file can only mean one character.
        string letter = kwargs.String("letter");
        if (!Rune.TryGetRuneAt(letter, 0, out var rune) || rune.Utf16SequenceLength != letter.Length || Rune.IsWhiteSpace(rune))
        {
            throw new ArgumentException($"instruction '{InstructionId}': kwarg 'letter' must be a single non-whitespace character, got \"{letter}\".");
        }
        _letter = PyText.Lower(letter);
        _frequency = kwargs.Int("let_frequency");
        _relation = kwargs.Relation("let_relation");
    }

    public string InstructionId => IfEvalInstructions.KeywordsLetterFrequency;

    public bool IsFollowed(string response) => _relation.Holds(Count(PyText.Lower(response), _letter), _frequency);

    private static int Count(string text, string letter)
    {
        int count = 0;
        for (int i = text.IndexOf(letter, StringComparison.Ordinal); i >= 0; i = text.IndexOf(letter, i + letter.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}
