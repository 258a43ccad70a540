namespace Directer.Core.Tokenization.PreTokenization;

/// <summary>One Hugging Face pre-tokenizer: re-splits every existing piece.</summary>
internal interface IPreTokenizerStep
{
    /// <summary>Splits <paramref name="piece"/> of <paramref name="source"/> and appends the non-empty parts in order.</summary>
    void Split(string source, PreTokenPiece piece, List<PreTokenPiece> output);
}
