namespace Directer.Core.Tokenization;

/// <summary>The model half of a tokenizer family: the vocabulary and how plain text segments become ids.</summary>
internal abstract class TokenizerModel
{
    /// <summary>One more than the largest id in the model's vocabulary.</summary>
    public abstract int VocabularyEnd { get; }

    /// <summary>The token string for <paramref name="id"/>, or null when the model has no such id.</summary>
    public abstract string? IdToToken(int id);

    /// <summary>The id of <paramref name="token"/>, or null.</summary>
    public abstract int? TokenToId(string token);

    /// <summary>The UTF-8 bytes <paramref name="id"/> decodes to, or null when the model has no such id.</summary>
    public abstract byte[]? TokenBytes(int id);

    /// <summary>Appends the tokens of <c>text.Text[start..end)</c> with offsets in the original text.</summary>
    public abstract void Encode(NormalizedText text, int start, int end, List<EncodedToken> output);
}
