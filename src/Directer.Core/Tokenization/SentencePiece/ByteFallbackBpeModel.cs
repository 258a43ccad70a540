using System.Text;

namespace Directer.Core.Tokenization.SentencePiece;

/// <summary>
/// The BPE model of a SentencePiece-converted <c>tokenizer.json</c> (<c>byte_fallback: true</c>: Llama 2, Mistral 7B
/// v0.1–v0.3, Phi-3, TinyLlama), as Hugging Face <c>tokenizers</c> runs it: spaces marked with <c>▁</c> per
/// <see cref="SpaceMarking"/>, each word split into code points, a code point missing from the vocabulary replaced by the
/// <c>&lt;0xNN&gt;</c> tokens of its UTF-8 bytes, then the merges applied lowest rank first (leftmost on ties).
/// Offsets: each token covers the original characters it came from; a byte token the whole character; the prepended
/// <c>▁</c> alone an empty range.
/// </summary>
internal sealed class ByteFallbackBpeModel : TokenizerModel
{
    private readonly Dictionary<string, int> vocab;
    private readonly string?[] idToToken;
    private readonly byte[]?[] idToBytes;
    private readonly Dictionary<long, (int Rank, int Result)> merges;
    private readonly int[] byteIds;
    private readonly int? unkId;
    private readonly bool fuseUnk;
    private readonly SpaceMarking spaces;
    private AddedVocabulary? normalizedAdded;

    /// <param name="vocab">Token string → id.</param>
    /// <param name="merges">Ordered merges (rank = index); each result must be in the vocabulary.</param>
    /// <param name="unkToken">The unknown token, if any (used only when a byte token is missing).</param>
    /// <param name="fuseUnk">Whether consecutive unknown characters become one unknown token.</param>
    /// <param name="spaces">How spaces are marked before the model.</param>
    /// <param name="metaIsSpace">Whether <c>▁</c> decodes to a space (for <see cref="TokenBytes"/>).</param>
    public ByteFallbackBpeModel(Dictionary<string, int> vocab, IReadOnlyList<(string Left, string Right)> merges, string? unkToken, bool fuseUnk, SpaceMarking spaces, bool metaIsSpace)
    {
        this.vocab = vocab;
        this.fuseUnk = fuseUnk;
        this.spaces = spaces;
        int end = vocab.Count == 0 ? 0 : vocab.Values.Max() + 1;
        idToToken = new string?[end];
        idToBytes = new byte[]?[end];
        byteIds = new int[256];
        Array.Fill(byteIds, -1);
        foreach (var (token, id) in vocab)
        {
            idToToken[id] = token;
            if (TokenDecoder.TryParseByte(token, out byte b))
            {
                byteIds[b] = id;
                idToBytes[id] = [b];
            }
            else
            {
                idToBytes[id] = Encoding.UTF8.GetBytes(metaIsSpace ? token.Replace(SpaceMarking.Meta, ' ') : token);
            }
        }

        if (unkToken is not null)
        {
            unkId = vocab.TryGetValue(unkToken, out int unk) ? unk : throw new ArgumentException($"the unk_token \"{unkToken}\" is not in the vocabulary");
        }

        this.merges = new Dictionary<long, (int, int)>(merges.Count);
        for (int rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            int a = vocab.TryGetValue(left, out int x) ? x : throw new ArgumentException($"merge {rank} \"{left} {right}\": \"{left}\" is not in the vocabulary");
            int b = vocab.TryGetValue(right, out int y) ? y : throw new ArgumentException($"merge {rank} \"{left} {right}\": \"{right}\" is not in the vocabulary");
            int result = vocab.TryGetValue(left + right, out int z) ? z : throw new ArgumentException($"merge {rank} \"{left} {right}\": the result \"{left + right}\" is not in the vocabulary");
            this.merges[Key(a, b)] = (rank, result); // a repeated pair keeps its last rank, as Hugging Face's map does
        }
    }

    /// <summary>How spaces are marked.</summary>
    public SpaceMarking Spaces => spaces;

    /// <inheritdoc />
    public override int VocabularyEnd => idToToken.Length;

    /// <inheritdoc />
    public override string? IdToToken(int id) => (uint)id < (uint)idToToken.Length ? idToToken[id] : null;

    /// <inheritdoc />
    public override int? TokenToId(string token) => vocab.TryGetValue(token, out int id) ? id : null;

    /// <inheritdoc />
    public override byte[]? TokenBytes(int id) => (uint)id < (uint)idToBytes.Length ? idToBytes[id] : null;

    /// <summary>
    /// Added tokens with <c>normalized: true</c> (some Llama 2 derived files): Hugging Face matches them in the
    /// normalized text, against their own normalized content, so with the Prepend normalizer <c>&lt;s&gt;</c> is
    /// <c>▁&lt;s&gt;</c> and matches only where a <c>▁</c> precedes it (text start or a space). Only for the normalizer
    /// form of <see cref="SpaceMarking"/> (the loader refuses them with the Metaspace pre-tokenizer).
    /// </summary>
    public void SetNormalizedAddedTokens(IReadOnlyList<AddedToken> tokens)
    {
        if (tokens.Count > 0)
        {
            normalizedAdded = new AddedVocabulary(tokens, t => Normalize(t.Content));
        }
    }

    private string Normalize(string content) =>
        content.Length == 0 ? content
        : (spaces.Scheme == PrependScheme.Always ? SpaceMarking.Meta.ToString() : string.Empty) + (spaces.ReplaceSpaces ? content.Replace(' ', SpaceMarking.Meta) : content);

    /// <summary>Whether every byte has its <c>&lt;0xNN&gt;</c> token.</summary>
    public bool HasAllByteTokens => Array.TrueForAll(byteIds, id => id >= 0);

    /// <inheritdoc />
    public override void Encode(NormalizedText text, int start, int end, List<EncodedToken> output) => Encode(text, start, end, output, null);

    /// <summary><see cref="Encode(NormalizedText, int, int, List{EncodedToken})"/>, where control tokens among the
    /// normalized added tokens do not match inside <paramref name="literal"/> (sorted ranges of the original text).</summary>
    public void Encode(NormalizedText text, int start, int end, List<EncodedToken> output, IReadOnlyList<Templates.CharRange>? literal)
    {
        if (end <= start)
        {
            return;
        }

        // The marked text (▁ for spaces, maybe a leading ▁) with, per character, the original range it stands for.
        var (origin, _) = text.MapRange(start, start);
        bool first = origin == 0;
        bool prepend = spaces.Scheme switch
        {
            PrependScheme.Always => spaces.Normalizer || !StartsWithSpace(text.Text, start, end),
            PrependScheme.First => first && (spaces.Normalizer || !StartsWithSpace(text.Text, start, end)),
            _ => false,
        };
        var marked = new StringBuilder(end - start + 1);
        var from = new List<int>(end - start + 1);
        if (prepend)
        {
            marked.Append(SpaceMarking.Meta);
            from.Add(-1);
        }

        for (int i = start; i < end; i++)
        {
            char c = text.Text[i];
            marked.Append(spaces.ReplaceSpaces && c == ' ' ? SpaceMarking.Meta : c);
            from.Add(i);
        }

        string word = marked.ToString();
        if (normalizedAdded is not null)
        {
            // The normalizer form only: split the normalized text on the normalized added tokens, BPE the rest.
            var parts = new List<(int Start, int End, AddedToken? Token)>();
            normalizedAdded.Split(word, 0, word.Length, parts, ToNormalized(literal, text, start, prepend ? 1 : 0, word.Length));
            foreach (var (s, e, token) in parts)
            {
                if (token is null)
                {
                    EncodeWord(text, word, s, e, from, output);
                }
                else
                {
                    var (os, oe) = OriginalRange(text, from, s, e);
                    output.Add(new EncodedToken(token.Id, os, oe));
                }
            }

            return;
        }

        if (!spaces.Split)
        {
            EncodeWord(text, word, 0, word.Length, from, output);
            return;
        }

        // Metaspace split: a new word starts at every ▁ (merged with what follows it).
        int wordStart = 0;
        for (int i = 1; i < word.Length; i++)
        {
            if (word[i] == SpaceMarking.Meta)
            {
                EncodeWord(text, word, wordStart, i, from, output);
                wordStart = i;
            }
        }

        EncodeWord(text, word, wordStart, word.Length, from, output);
    }

    /// <summary>Literal ranges of the original text as ranges of the marked text (spaces are replaced one for one, so
    /// only the prepended ▁ shifts them); null when there are none.</summary>
    private static List<Templates.CharRange>? ToNormalized(IReadOnlyList<Templates.CharRange>? literal, NormalizedText text, int start, int shift, int length)
    {
        if (literal is null || literal.Count == 0)
        {
            return null;
        }

        var (origin, _) = text.MapRange(start, start);
        var ranges = new List<Templates.CharRange>();
        foreach (var range in literal)
        {
            int s = Math.Clamp(range.Start - origin + shift, 0, length);
            int e = Math.Clamp(range.End - origin + shift, 0, length);
            if (e > s)
            {
                ranges.Add(new Templates.CharRange(s, e));
            }
        }

        return ranges;
    }

    // Metaspace replaces spaces first, then prepends only when the text does not already start with ▁.
    private bool StartsWithSpace(string text, int start, int end) =>
        start < end && (text[start] == SpaceMarking.Meta || (spaces.ReplaceSpaces && text[start] == ' '));

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    /// <summary>A symbol of the word being merged: a token id over marked characters [Start, End), in a linked list.</summary>
    private struct Symbol
    {
        public int Id;
        public int Start;
        public int End;
        public int Prev;
        public int Next;
        public bool Alive;
        public bool Unknown;
    }

    private void EncodeWord(NormalizedText text, string word, int start, int end, List<int> from, List<EncodedToken> output)
    {
        var symbols = new List<Symbol>(end - start);
        for (int i = start; i < end;)
        {
            int width = char.IsHighSurrogate(word[i]) && i + 1 < end && char.IsLowSurrogate(word[i + 1]) ? 2 : 1;
            string piece = word.Substring(i, width);
            if (vocab.TryGetValue(piece, out int id))
            {
                symbols.Add(new Symbol { Id = id, Start = i, End = i + width });
            }
            else if (ByteIds(piece) is { } bytes)
            {
                foreach (int b in bytes)
                {
                    symbols.Add(new Symbol { Id = b, Start = i, End = i + width });
                }
            }
            else if (unkId is int unk)
            {
                if (fuseUnk && symbols.Count > 0 && symbols[^1].Unknown)
                {
                    var last = symbols[^1];
                    last.End = i + width;
                    symbols[^1] = last;
                }
                else
                {
                    symbols.Add(new Symbol { Id = unk, Start = i, End = i + width, Unknown = true });
                }
            }

            // else: no byte token and no unk token; Hugging Face drops the character, and so do we.
            i += width;
        }

        var list = symbols.ToArray();
        for (int i = 0; i < list.Length; i++)
        {
            list[i].Prev = i - 1;
            list[i].Next = i + 1 < list.Length ? i + 1 : -1;
            list[i].Alive = true;
        }

        // Priority = rank, then position (leftmost first), packed into one long: both are non-negative ints.
        var queue = new PriorityQueue<(int Pos, int Result), long>(Math.Max(4, list.Length));
        for (int i = 0; i + 1 < list.Length; i++)
        {
            Enqueue(queue, list, i);
        }

        while (queue.TryDequeue(out var top, out long priority))
        {
            ref Symbol left = ref list[top.Pos];
            if (!left.Alive || left.Next < 0)
            {
                continue;
            }

            // A stale entry: either side has changed since it was queued.
            if (!merges.TryGetValue(Key(left.Id, list[left.Next].Id), out var merge) || merge.Result != top.Result || merge.Rank != (int)(priority >> 32))
            {
                continue;
            }

            ref Symbol right = ref list[left.Next];
            left.Id = merge.Result;
            left.End = right.End;
            left.Unknown = false;
            right.Alive = false;
            left.Next = right.Next;
            if (right.Next >= 0)
            {
                list[right.Next].Prev = top.Pos;
            }

            if (left.Prev >= 0)
            {
                Enqueue(queue, list, left.Prev);
            }

            Enqueue(queue, list, top.Pos);
        }

        for (int i = list.Length > 0 ? 0 : -1; i >= 0; i = list[i].Next)
        {
            var (s, e) = OriginalRange(text, from, list[i].Start, list[i].End);
            output.Add(new EncodedToken(list[i].Id, s, e));
        }
    }

    private void Enqueue(PriorityQueue<(int Pos, int Result), long> queue, Symbol[] list, int pos)
    {
        int next = list[pos].Next;
        if (next >= 0 && merges.TryGetValue(Key(list[pos].Id, list[next].Id), out var merge))
        {
            queue.Enqueue((pos, merge.Result), ((long)merge.Rank << 32) | (uint)pos);
        }
    }

    private int[]? ByteIds(string piece)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(piece);
        var ids = new int[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            ids[i] = byteIds[bytes[i]];
            if (ids[i] < 0)
            {
                return null;
            }
        }

        return ids;
    }

    private static (int Start, int End) OriginalRange(NormalizedText text, List<int> from, int start, int end)
    {
        // Skip the prepended ▁ (it stands for no original character).
        while (start < end && from[start] < 0)
        {
            start++;
        }

        if (start == end)
        {
            int at = start < from.Count ? from[start] : from[^1] + 1;
            return text.MapRange(at, at);
        }

        return text.MapRange(from[start], from[end - 1] + 1);
    }
}
