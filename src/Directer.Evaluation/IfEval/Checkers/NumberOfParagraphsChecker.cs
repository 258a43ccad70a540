using System.Text.RegularExpressions;

namespace Directer.Evaluation.IfEval;

/// <summary><c>length_constraints:number_paragraphs</c>: paragraphs are separated by the markdown divider
/// (split on <c>\s?\*\*\*\s?</c>); an empty first or last piece is not a paragraph, an empty piece in between fails the
/// instruction, and the count must equal <c>num_paragraphs</c>.</summary>
internal sealed partial class NumberOfParagraphsChecker : IInstructionChecker
{
    private readonly int _paragraphs;

    public NumberOfParagraphsChecker(InstructionKwargs kwargs) => _paragraphs = kwargs.Int("num_paragraphs");

    public string InstructionId => IfEvalInstructions.LengthNumberParagraphs;

    [GeneratedRegex(PyText.SpaceClass + @"?\*\*\*" + PyText.SpaceClass + "?")]
    private static partial Regex Divider();

    public bool IsFollowed(string response)
    {
        string[] pieces = Divider().Split(response);
        int count = pieces.Length;
        for (int i = 0; i < pieces.Length; i++)
        {
            if (PyText.IsBlank(pieces[i]))
            {
                if (i == 0 || i == pieces.Length - 1) count--;
                else return false;
            }
        }
        return count == _paragraphs;
    }
}
