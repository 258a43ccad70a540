using System.Text;
using Microsoft.ML.Tokenizers;

namespace Directer.Core.Tokenization.SentencePiece;

/// <summary>
/// A SentencePiece BPE <c>tokenizer.model</c> (Llama 2, Mistral, TinyLlama) through
/// Microsoft.ML.Tokenizers' <see cref="LlamaTokenizer"/>: byte-fallback pieces (<c>&lt;0xNN&gt;</c>)
/// decode to their byte, <c>▁</c> to a space. Offsets come from the tokenizer's normalized text
/// (dummy prefix, spaces as <c>▁</c>) mapped back one-to-one onto the input.
/// </summary>
internal sealed class SentencePieceModel : TokenizerModel
{
    private readonly SentencePieceTokenizer tokenizer;
    private readonly string?[] pieces;
    private readonly byte[]?[] bytes;
    private readonly Dictionary<string, int> ids;

    public SentencePieceModel(SentencePieceTokenizer tokenizer)
    {
        this.tokenizer = tokenizer;
        ids = tokenizer.Vocabulary.ToDictionary(kv => kv.Key, kv => kv.Value);
        int end = ids.Count == 0 ? 0 : ids.Values.Max() + 1;
        pieces = new string?[end];
        bytes = new byte[]?[end];
        foreach (var (piece, id) in ids)
        {
            pieces[id] = piece;
            bytes[id] = piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece.EndsWith('>')
                ? [Convert.ToByte(piece.Substring(3, 2), 16)]
                : Encoding.UTF8.GetBytes(piece.Replace('\u2581', ' '));
        }

        foreach (int control in new[] { tokenizer.BeginningOfSentenceId, tokenizer.EndOfSentenceId, tokenizer.UnknownId })
        {
            if ((uint)control >= (uint)end)
            {
                // The trainer spec names an id past the pieces (Microsoft.ML takes bos/eos/unk ids from it as they are).
                throw new ArgumentException($"its begin, end or unknown token id {control} is not one of its {end} pieces");
            }

            bytes[control] = [];
        }
    }

    public bool AddsDummyPrefix => tokenizer.AddDummyPrefix;

    public IEnumerable<int> ControlIds => new[] { tokenizer.BeginningOfSentenceId, tokenizer.EndOfSentenceId, tokenizer.UnknownId }.Where(id => id >= 0);

    public override int VocabularyEnd => pieces.Length;

    public override string? IdToToken(int id) => (uint)id < (uint)pieces.Length ? pieces[id] : null;

    public override int? TokenToId(string token) => ids.TryGetValue(token, out int id) ? id : null;

    public override byte[]? TokenBytes(int id) => (uint)id < (uint)bytes.Length ? bytes[id] : null;

    public override void Encode(NormalizedText text, int start, int end, List<EncodedToken> output)
    {
        string segment = text.Text.Substring(start, end - start);
        int shift = tokenizer.AddDummyPrefix ? 1 : 0;
        foreach (var token in tokenizer.EncodeToTokens(segment, out _, considerPreTokenization: true, considerNormalization: true))
        {
            int s = Math.Clamp(token.Offset.Start.Value - shift, 0, segment.Length);
            int e = Math.Clamp(token.Offset.End.Value - shift, s, segment.Length);
            if (e == s && s < segment.Length && token.Id != tokenizer.BeginningOfSentenceId)
            {
                e = s + (char.IsHighSurrogate(segment[s]) && s + 1 < segment.Length ? 2 : 1);
            }

            var (os, oe) = text.MapRange(start + s, start + e);
            output.Add(new EncodedToken(token.Id, os, oe));
        }
    }
}
