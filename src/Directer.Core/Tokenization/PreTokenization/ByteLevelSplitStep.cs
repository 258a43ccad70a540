namespace Directer.Core.Tokenization.PreTokenization;

/// <summary>
/// The splitting half of Hugging Face's <c>ByteLevel</c> pre-tokenizer: optionally prepends a space to every piece
/// that does not start with one (<c>add_prefix_space</c>), then optionally splits with the GPT-2 regex
/// (<c>use_regex</c>). The byte-to-unicode mapping itself happens in the BPE model.
/// </summary>
internal sealed class ByteLevelSplitStep : IPreTokenizerStep
{
    /// <summary>GPT-2's published pre-tokenization regex, as used by <c>ByteLevel(use_regex: true)</c>.</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private static readonly CodePointRegex Gpt2Regex = new(OnigurumaPatternTranslator.Compile(Gpt2Pattern));

    private readonly bool _addPrefixSpace;
    private readonly bool _useRegex;

    /// <summary>Creates the step.</summary>
    public ByteLevelSplitStep(bool addPrefixSpace, bool useRegex)
    {
        _addPrefixSpace = addPrefixSpace;
        _useRegex = useRegex;
    }

    /// <inheritdoc />
    public void Split(string source, PreTokenPiece piece, List<PreTokenPiece> output)
    {
        if (_addPrefixSpace && !piece.PrefixSpace && (piece.Length == 0 || source[piece.Start] != ' '))
        {
            piece = piece with { PrefixSpace = true };
        }

        if (_useRegex)
        {
            IsolatedSplitStep.SplitIsolated(Gpt2Regex, source, piece, output);
        }
        else
        {
            output.Add(piece);
        }
    }
}
