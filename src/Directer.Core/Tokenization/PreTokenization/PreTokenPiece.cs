namespace Directer.Core.Tokenization.PreTokenization;

/// <summary>
/// A pre-token: <c>text[Start..Start+Length)</c> of the normalized text, optionally preceded by a space the
/// pre-tokenizer inserted (ByteLevel <c>add_prefix_space</c>) that has no counterpart in the input.
/// </summary>
internal readonly record struct PreTokenPiece(int Start, int Length, bool PrefixSpace)
{
    /// <summary>Length including the inserted space.</summary>
    public int TextLength => Length + (PrefixSpace ? 1 : 0);

    /// <summary>The piece's text as the model sees it.</summary>
    public string GetText(string source) => PrefixSpace ? " " + source.Substring(Start, Length) : source.Substring(Start, Length);

    /// <summary>
    /// The sub-piece covering [<paramref name="from"/>, <paramref name="to"/>) of this piece's text (indices that count
    /// the inserted space, if any).
    /// </summary>
    public PreTokenPiece Slice(int from, int to)
    {
        if (!PrefixSpace)
        {
            return new PreTokenPiece(Start + from, to - from, false);
        }

        return from == 0
            ? new PreTokenPiece(Start, to - 1, true)
            : new PreTokenPiece(Start + from - 1, to - from, false);
    }
}
