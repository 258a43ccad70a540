using System.Text;
using Directer.Core.Tokenization.ByteLevel;

namespace Directer.Training.Tokenization;

/// <summary>
/// A byte-level BPE vocabulary: token strings (in byte-level characters) by id, ranked merges, and added
/// tokens after them. Encodes like Hugging Face's BPE model with the Qwen2 pre-tokenizer (added tokens split
/// out first, then NFC, regex split, byte-level mapping, lowest-rank merge first).
/// </summary>
internal sealed class BpeVocabulary
{
    private readonly Dictionary<string, int> ids;
    private readonly Dictionary<(string, string), int> mergeRanks;
    private readonly Dictionary<string, int[]> cache = new(StringComparer.Ordinal);

    public BpeVocabulary(IReadOnlyList<string> tokens, IReadOnlyList<(string Left, string Right)> merges)
    {
        Tokens = tokens;
        Merges = merges;
        ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++)
        {
            if (!ids.TryAdd(tokens[i], i))
            {
                throw new ArgumentException($"Token '{tokens[i]}' appears twice (ids {ids[tokens[i]]} and {i}).");
            }
        }

        mergeRanks = new Dictionary<(string, string), int>();
        for (int r = 0; r < merges.Count; r++)
        {
            var (a, b) = merges[r];
            if (!ids.ContainsKey(a) || !ids.ContainsKey(b) || !ids.ContainsKey(a + b))
            {
                throw new ArgumentException($"Merge {r} '{a} {b}' refers to a token that is not in the vocabulary.");
            }

            mergeRanks[(a, b)] = r;
        }

        SpecialIds = SpecialTokens.All.ToDictionary(s => s.Content, s => ids.TryGetValue(s.Content, out int id) ? id : throw new ArgumentException($"Vocabulary lacks added token {s.Content}."));
    }

    /// <summary>Token strings by id: 256 byte tokens, merge results, then the added tokens.</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary>Merges in rank order.</summary>
    public IReadOnlyList<(string Left, string Right)> Merges { get; }

    /// <summary>Ids of the added tokens.</summary>
    public IReadOnlyDictionary<string, int> SpecialIds { get; }

    public int Count => Tokens.Count;

    public int IdOf(string token) => ids.TryGetValue(token, out int id) ? id : throw new KeyNotFoundException($"'{token}' is not a token.");

    /// <summary>Token ids of <paramref name="text"/> (added tokens recognised anywhere in it).</summary>
    public List<int> Encode(string text) => EncodeWithOffsets(text).Select(t => t.Id).ToList();

    /// <summary>
    /// Token ids with the character offset (in <paramref name="text"/>) of the piece each token came from:
    /// the added token's start, or the start of its pre-tokenizer piece.
    /// </summary>
    public List<(int Id, int Offset)> EncodeWithOffsets(string text)
    {
        var result = new List<(int, int)>();
        int pos = 0;
        while (pos < text.Length)
        {
            int next = -1;
            string? special = null;
            foreach (var (content, _) in SpecialTokens.All)
            {
                int at = text.IndexOf(content, pos, StringComparison.Ordinal);
                if (at >= 0 && (next < 0 || at < next || (at == next && content.Length > special!.Length)))
                {
                    next = at;
                    special = content;
                }
            }

            int end = next < 0 ? text.Length : next;
            if (end > pos)
            {
                EncodeOrdinary(text[pos..end], pos, result);
            }

            if (special is null)
            {
                break;
            }

            result.Add((SpecialIds[special], next));
            pos = next + special.Length;
        }

        return result;
    }

    private void EncodeOrdinary(string segment, int baseOffset, List<(int, int)> result)
    {
        string normalized = PreTokenizer.Normalize(segment);
        bool sameLength = normalized.Length == segment.Length;
        foreach (var (piece, start) in PreTokenizer.Split(normalized))
        {
            int offset = baseOffset + (sameLength ? start : 0);
            foreach (int id in EncodePiece(ByteLevelAlphabet.Encode(Encoding.UTF8.GetBytes(piece))))
            {
                result.Add((id, offset));
            }
        }
    }

    private int[] EncodePiece(string byteLevel)
    {
        if (cache.TryGetValue(byteLevel, out int[]? cached))
        {
            return cached;
        }

        var symbols = byteLevel.Select(c => c.ToString()).ToList();
        while (symbols.Count > 1)
        {
            int bestRank = int.MaxValue;
            int bestAt = -1;
            for (int i = 0; i < symbols.Count - 1; i++)
            {
                if (mergeRanks.TryGetValue((symbols[i], symbols[i + 1]), out int rank) && rank < bestRank)
                {
                    bestRank = rank;
                    bestAt = i;
                }
            }

            if (bestAt < 0)
            {
                break;
            }

            var (left, right) = Merges[bestRank];
            var merged = new List<string>(symbols.Count);
            for (int i = 0; i < symbols.Count; i++)
            {
                if (i < symbols.Count - 1 && symbols[i] == left && symbols[i + 1] == right)
                {
                    merged.Add(left + right);
                    i++;
                }
                else
                {
                    merged.Add(symbols[i]);
                }
            }

            symbols = merged;
        }

        int[] encoded = symbols.Select(s => ids[s]).ToArray();
        if (cache.Count < 200_000)
        {
            cache[byteLevel] = encoded;
        }

        return encoded;
    }

    /// <summary>Text of <paramref name="tokenIds"/> (added tokens written out; invalid UTF-8 replaced with U+FFFD).</summary>
    public string Decode(IEnumerable<int> tokenIds)
    {
        var sb = new StringBuilder();
        var pending = new List<byte>();
        foreach (int id in tokenIds)
        {
            if (id < 0 || id >= Tokens.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(tokenIds), id, $"Token id outside the vocabulary of {Tokens.Count}.");
            }

            string token = Tokens[id];
            if (SpecialIds.ContainsKey(token))
            {
                sb.Append(Encoding.UTF8.GetString(pending.ToArray()));
                pending.Clear();
                sb.Append(token);
            }
            else
            {
                pending.AddRange(ByteLevelAlphabet.TryDecode(token) ?? throw new ArgumentException($"Token '{token}' has a character outside the byte-level alphabet."));
            }
        }

        sb.Append(Encoding.UTF8.GetString(pending.ToArray()));
        return sb.ToString();
    }
}
