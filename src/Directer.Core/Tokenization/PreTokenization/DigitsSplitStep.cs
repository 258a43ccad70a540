using System.Text;

namespace Directer.Core.Tokenization.PreTokenization;

/// <summary>
/// Hugging Face <c>Digits</c>: isolates numeric characters (Rust <c>char::is_numeric</c>: Nd, Nl, No), each on its
/// own (<c>individual_digits</c>) or as contiguous runs.
/// </summary>
internal sealed class DigitsSplitStep : IPreTokenizerStep
{
    private readonly bool _individual;

    /// <summary>Creates the step.</summary>
    public DigitsSplitStep(bool individualDigits) => _individual = individualDigits;

    /// <inheritdoc />
    public void Split(string source, PreTokenPiece piece, List<PreTokenPiece> output)
    {
        string text = piece.GetText(source);
        int runStart = 0;
        bool runIsDigits = false;
        int i = 0;
        while (i < text.Length)
        {
            Rune.DecodeFromUtf16(text.AsSpan(i), out Rune rune, out int width);
            bool digit = Rune.IsNumber(rune);
            if (i > runStart && (digit != runIsDigits || (digit && _individual)))
            {
                output.Add(piece.Slice(runStart, i));
                runStart = i;
            }

            runIsDigits = digit;
            i += width;
        }

        if (runStart < text.Length)
        {
            output.Add(piece.Slice(runStart, text.Length));
        }
    }
}
