using System.Text;
using Directer.Core.Tokenization.PreTokenization;
using Microsoft.ML.Tokenizers;

namespace Directer.Core.Tokenization.ByteLevel;

/// <summary>
/// Byte-level BPE (GPT-2 family): pre-tokenizes a normalized segment, maps each pre-token's UTF-8 bytes to the
/// byte-level alphabet and applies the ranked merges with Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/>.
/// </summary>
internal sealed class ByteLevelBpeModel : TokenizerModel
{
    private readonly Dictionary<string, int> _vocab;
    private readonly string?[] _idToToken;
    private readonly byte[]?[] _idToBytes;
    private readonly BpeTokenizer _bpe;
    private readonly bool _ignoreMerges;
    private readonly PreTokenizerPipeline _preTokenizer;

    /// <summary>Creates the model; <paramref name="bpe"/> must be built from the same vocabulary.</summary>
    public ByteLevelBpeModel(Dictionary<string, int> vocab, BpeTokenizer bpe, bool ignoreMerges, PreTokenizerPipeline preTokenizer)
    {
        _vocab = vocab;
        _bpe = bpe;
        _ignoreMerges = ignoreMerges;
        _preTokenizer = preTokenizer;
        int end = vocab.Count == 0 ? 0 : vocab.Values.Max() + 1;
        _idToToken = new string?[end];
        _idToBytes = new byte[]?[end];
        foreach (var (token, id) in vocab)
        {
            _idToToken[id] = token;
            _idToBytes[id] = ByteLevelAlphabet.TryDecode(token) ?? Encoding.UTF8.GetBytes(token);
        }
    }

    /// <inheritdoc />
    public override int VocabularyEnd => _idToToken.Length;

    /// <inheritdoc />
    public override string? IdToToken(int id) => (uint)id < (uint)_idToToken.Length ? _idToToken[id] : null;

    /// <inheritdoc />
    public override int? TokenToId(string token) => _vocab.TryGetValue(token, out int id) ? id : null;

    /// <inheritdoc />
    public override byte[]? TokenBytes(int id) => (uint)id < (uint)_idToBytes.Length ? _idToBytes[id] : null;

    /// <summary>Encodes <c>text.Text[start..end)</c> (a segment without added tokens) and appends tokens with original offsets.</summary>
    public override void Encode(NormalizedText text, int start, int end, List<EncodedToken> output)
    {
        foreach (PreTokenPiece piece in _preTokenizer.Run(text.Text, start, end))
        {
            string pieceText = piece.GetText(text.Text);
            IReadOnlyList<int> ids = EncodePiece(pieceText);
            AppendWithOffsets(text, piece, pieceText, ids, output);
        }
    }

    private IReadOnlyList<int> EncodePiece(string pieceText)
    {
        if (_ignoreMerges)
        {
            string mapped = ByteLevelAlphabet.Encode(Encoding.UTF8.GetBytes(pieceText));
            if (_vocab.TryGetValue(mapped, out int whole))
            {
                return [whole];
            }
        }

        return _bpe.EncodeToIds(pieceText, considerPreTokenization: false, considerNormalization: false);
    }

    private void AppendWithOffsets(NormalizedText text, PreTokenPiece piece, string pieceText, IReadOnlyList<int> ids, List<EncodedToken> output)
    {
        // byteChar[b] = index in pieceText of the code point holding UTF-8 byte b; charEnd[b] = end of that code point.
        int byteCount = Encoding.UTF8.GetByteCount(pieceText);
        var byteChar = new int[byteCount];
        var charEnd = new int[byteCount];
        int bi = 0;
        for (int ci = 0; ci < pieceText.Length;)
        {
            Rune.DecodeFromUtf16(pieceText.AsSpan(ci), out Rune rune, out int width);
            for (int k = 0; k < rune.Utf8SequenceLength; k++)
            {
                byteChar[bi] = ci;
                charEnd[bi] = ci + width;
                bi++;
            }

            ci += width;
        }

        int cursor = 0;
        foreach (int id in ids)
        {
            int length = _idToBytes[id]!.Length;
            if (length == 0 || cursor + length > byteCount)
            {
                throw new InvalidOperationException($"BPE produced token {id} that does not cover the input bytes of \"{pieceText}\".");
            }

            int from = byteChar[cursor];
            int to = charEnd[cursor + length - 1];
            (int s, int e) = text.MapRange(ToNormalized(piece, from), ToNormalized(piece, to));
            output.Add(new EncodedToken(id, s, e));
            cursor += length;
        }

        if (cursor != byteCount)
        {
            throw new InvalidOperationException($"BPE tokens cover {cursor} of the {byteCount} bytes of \"{pieceText}\"; the vocabulary lacks a byte.");
        }
    }

    private static int ToNormalized(PreTokenPiece piece, int pieceIndex) =>
        piece.PrefixSpace ? piece.Start + Math.Max(0, pieceIndex - 1) : piece.Start + pieceIndex;
}
