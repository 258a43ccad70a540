using System.Text;
using Directer.Core.Tokenization.ByteLevel;

namespace Directer.Training.Tokenization;

/// <summary>
/// Learns byte-level BPE merges from a corpus: count pre-tokenizer pieces, then repeatedly merge the most
/// frequent adjacent pair (ties broken by the pair's strings, ordinal), until the vocabulary reaches the
/// requested size. Deterministic for the same corpus.
/// </summary>
internal static class BpeTrainer
{
    /// <param name="texts">Training texts; added tokens in them are excluded from merges.</param>
    /// <param name="vocabSize">Total size including the 256 byte tokens and the added tokens.</param>
    /// <param name="minFrequency">Pairs rarer than this are never merged.</param>
    public static BpeVocabulary Train(IEnumerable<string> texts, int vocabSize, int minFrequency = 2)
    {
        int targetMerges = vocabSize - 256 - SpecialTokens.All.Length;
        if (targetMerges < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(vocabSize), vocabSize, $"Vocabulary must hold at least {256 + SpecialTokens.All.Length} tokens.");
        }

        // 1. Word (piece) frequencies.
        var pieceCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string text in texts)
        {
            foreach (string segment in SplitOnSpecials(text))
            {
                foreach (var (piece, _) in PreTokenizer.Split(PreTokenizer.Normalize(segment)))
                {
                    string bl = ByteLevelAlphabet.Encode(Encoding.UTF8.GetBytes(piece));
                    pieceCounts[bl] = pieceCounts.GetValueOrDefault(bl) + 1;
                }
            }
        }

        // 2. Symbols: ids 0..255 are the byte characters in byte order.
        var tokens = new List<string>();
        var tokenIds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int b = 0; b < 256; b++)
        {
            string s = ByteLevelAlphabet.ToChar((byte)b).ToString();
            tokenIds[s] = tokens.Count;
            tokens.Add(s);
        }

        var words = pieceCounts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (Symbols: kv.Key.Select(c => tokenIds[c.ToString()]).ToList(), Count: kv.Value)).ToList();
        var pairCounts = new Dictionary<(int, int), long>();
        var where = new Dictionary<(int, int), HashSet<int>>();
        for (int w = 0; w < words.Count; w++)
        {
            AddPairs(words[w].Symbols, words[w].Count, w, pairCounts, where);
        }

        var merges = new List<(string, string)>();
        while (merges.Count < targetMerges && pairCounts.Count > 0)
        {
            (int, int) best = default;
            long bestCount = -1;
            foreach (var (pair, count) in pairCounts)
            {
                if (count > bestCount || (count == bestCount && ComparePairs(pair, best, tokens) < 0))
                {
                    best = pair;
                    bestCount = count;
                }
            }

            if (bestCount < minFrequency)
            {
                break;
            }

            string left = tokens[best.Item1];
            string right = tokens[best.Item2];
            string mergedToken = left + right;
            int newId = tokens.Count;
            tokens.Add(mergedToken);
            tokenIds[mergedToken] = newId;
            merges.Add((left, right));

            foreach (int w in where[best].ToList())
            {
                var (symbols, count) = words[w];
                RemovePairs(symbols, count, w, pairCounts, where);
                var merged = new List<int>(symbols.Count);
                for (int i = 0; i < symbols.Count; i++)
                {
                    if (i < symbols.Count - 1 && symbols[i] == best.Item1 && symbols[i + 1] == best.Item2)
                    {
                        merged.Add(newId);
                        i++;
                    }
                    else
                    {
                        merged.Add(symbols[i]);
                    }
                }

                words[w] = (merged, count);
                AddPairs(merged, count, w, pairCounts, where);
            }
        }

        foreach (var (content, _) in SpecialTokens.All)
        {
            tokens.Add(content);
        }

        return new BpeVocabulary(tokens, merges);
    }

    /// <summary>The text between added tokens.</summary>
    public static IEnumerable<string> SplitOnSpecials(string text)
    {
        int pos = 0;
        while (pos < text.Length)
        {
            int next = -1;
            int length = 0;
            foreach (var (content, _) in SpecialTokens.All)
            {
                int at = text.IndexOf(content, pos, StringComparison.Ordinal);
                if (at >= 0 && (next < 0 || at < next))
                {
                    next = at;
                    length = content.Length;
                }
            }

            int end = next < 0 ? text.Length : next;
            if (end > pos)
            {
                yield return text[pos..end];
            }

            if (next < 0)
            {
                yield break;
            }

            pos = next + length;
        }
    }

    private static int ComparePairs((int, int) a, (int, int) b, List<string> tokens)
    {
        int c = string.CompareOrdinal(tokens[a.Item1], tokens[b.Item1]);
        return c != 0 ? c : string.CompareOrdinal(tokens[a.Item2], tokens[b.Item2]);
    }

    private static void AddPairs(List<int> symbols, long count, int w, Dictionary<(int, int), long> pairCounts, Dictionary<(int, int), HashSet<int>> where)
    {
        for (int i = 0; i < symbols.Count - 1; i++)
        {
            var pair = (symbols[i], symbols[i + 1]);
            pairCounts[pair] = pairCounts.GetValueOrDefault(pair) + count;
            if (!where.TryGetValue(pair, out var set))
            {
                where[pair] = set = new HashSet<int>();
            }

            set.Add(w);
        }
    }

    private static void RemovePairs(List<int> symbols, long count, int w, Dictionary<(int, int), long> pairCounts, Dictionary<(int, int), HashSet<int>> where)
    {
        for (int i = 0; i < symbols.Count - 1; i++)
        {
            var pair = (symbols[i], symbols[i + 1]);
            long left = pairCounts[pair] - count;
            if (left <= 0)
            {
                pairCounts.Remove(pair);
                where.Remove(pair);
            }
            else
            {
                pairCounts[pair] = left;
                where[pair].Remove(w);
            }
        }
    }
}
