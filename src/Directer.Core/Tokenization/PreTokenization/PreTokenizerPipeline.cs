namespace Directer.Core.Tokenization.PreTokenization;

/// <summary>A sequence of pre-tokenizers, applied one after another to every piece (Hugging Face <c>Sequence</c>).</summary>
internal sealed class PreTokenizerPipeline
{
    private readonly IPreTokenizerStep[] _steps;

    /// <summary>Creates the pipeline.</summary>
    public PreTokenizerPipeline(IEnumerable<IPreTokenizerStep> steps) => _steps = steps.ToArray();

    /// <summary>Splits <c>source[start..end)</c> into pre-tokens.</summary>
    public List<PreTokenPiece> Run(string source, int start, int end)
    {
        var current = new List<PreTokenPiece> { new(start, end - start, false) };
        var next = new List<PreTokenPiece>();
        foreach (IPreTokenizerStep step in _steps)
        {
            next.Clear();
            foreach (PreTokenPiece piece in current)
            {
                step.Split(source, piece, next);
            }

            (current, next) = (next, current);
        }

        current.RemoveAll(p => p.TextLength == 0);
        return current;
    }
}
