namespace Directer.Core.Tokenization.PreTokenization;

/// <summary>
/// Hugging Face <c>Split</c> with behavior <c>Isolated</c> and <c>invert: false</c>: every match becomes its own
/// piece and so does every stretch of text between matches; an empty match is no piece but still ends the stretch
/// before it (as Hugging Face drops the empty splits after splitting at every match).
/// </summary>
internal sealed class IsolatedSplitStep : IPreTokenizerStep
{
    private readonly CodePointRegex _regex;

    /// <summary>Creates the step.</summary>
    public IsolatedSplitStep(CodePointRegex regex) => _regex = regex;

    /// <inheritdoc />
    public void Split(string source, PreTokenPiece piece, List<PreTokenPiece> output) => SplitIsolated(_regex, source, piece, output);

    /// <summary>Isolated split of one piece by <paramref name="regex"/>.</summary>
    public static void SplitIsolated(CodePointRegex regex, string source, PreTokenPiece piece, List<PreTokenPiece> output)
    {
        string text = piece.GetText(source);
        var matches = new List<(int Start, int End)>();
        regex.Matches(text, matches);
        int last = 0;
        foreach (var (start, end) in matches)
        {
            if (start > last)
            {
                output.Add(piece.Slice(last, start));
            }

            if (end > start)
            {
                output.Add(piece.Slice(start, end));
            }

            last = end;
        }

        if (last < text.Length)
        {
            output.Add(piece.Slice(last, text.Length));
        }
    }
}
