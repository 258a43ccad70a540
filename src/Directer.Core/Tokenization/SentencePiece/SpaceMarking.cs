namespace Directer.Core.Tokenization.SentencePiece;

/// <summary>When a SentencePiece-converted tokenizer puts a <c>▁</c> in front of a piece of text.</summary>
internal enum PrependScheme
{
    /// <summary>Never.</summary>
    Never,

    /// <summary>Before every piece of text between added tokens (the <c>Prepend</c> normalizer prepends even when the
    /// piece already starts with a space; the <c>Metaspace</c> pre-tokenizer with "always" only when it does not).</summary>
    Always,

    /// <summary>Only before the piece that starts the input (Metaspace "first": the non-legacy Llama/Mistral behaviour,
    /// no <c>▁</c> after a special token).</summary>
    First,
}

/// <summary>
/// How spaces become <c>▁</c> before the BPE model of a SentencePiece-converted <c>tokenizer.json</c>: either the legacy
/// normalizer <c>Sequence[Prepend("▁"), Replace(" ", "▁")]</c> (Llama 2, Mistral 7B, TinyLlama), or the
/// <c>Metaspace</c> pre-tokenizer (<c>prepend_scheme</c> first/always/never, <c>split</c>) with no normalizer.
/// </summary>
/// <param name="Normalizer">True for the normalizer form, false for the Metaspace pre-tokenizer.</param>
/// <param name="Scheme">When a <c>▁</c> is prepended.</param>
/// <param name="Split">Metaspace only: whether the text is split before each <c>▁</c> (each word encoded on its own).</param>
/// <param name="ReplaceSpaces">Whether spaces are replaced by <c>▁</c> (the normalizer form may omit the Replace step).</param>
internal sealed record SpaceMarking(bool Normalizer, PrependScheme Scheme, bool Split, bool ReplaceSpaces)
{
    /// <summary>The SentencePiece meta symbol that stands for a space.</summary>
    public const char Meta = '\u2581';

    /// <summary>No normalizer and no pre-tokenizer: the text reaches the BPE model as it is.</summary>
    public static SpaceMarking None { get; } = new(Normalizer: true, PrependScheme.Never, Split: false, ReplaceSpaces: false);
}
