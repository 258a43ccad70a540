using Directer.Evaluation.HeldOut;

namespace Directer.Training.Data;

/// <summary>Draws compatible constraint sets with their parameters.</summary>
internal static class ConstraintSampler
{
    private static readonly ConstraintKind[] AllKinds = Enum.GetValues<ConstraintKind>();

    /// <summary>Constraints that can apply to a short tool-result answer.</summary>
    public static readonly ConstraintKind[] ToolAnswerKinds = [ConstraintKind.Lowercase, ConstraintKind.NoCommas, ConstraintKind.EndWith, ConstraintKind.Include];

    public static bool Compatible(ConstraintKind a, ConstraintKind b)
    {
        if (a == b)
        {
            return false;
        }

        static bool Pair(ConstraintKind x, ConstraintKind y, ConstraintKind p, ConstraintKind q) => (x == p && y == q) || (x == q && y == p);
        if (a == ConstraintKind.Json || b == ConstraintKind.Json)
        {
            var other = a == ConstraintKind.Json ? b : a;
            return other is ConstraintKind.Lowercase or ConstraintKind.Include or ConstraintKind.Avoid;
        }

        return !Pair(a, b, ConstraintKind.Bullets, ConstraintKind.WordLimit);
    }

    /// <summary>Draws up to <paramref name="count"/> compatible kinds from <paramref name="allowed"/> (all kinds when null).</summary>
    public static List<ConstraintKind> DrawKinds(SeededRandom rng, int count, IReadOnlyList<ConstraintKind>? allowed = null)
    {
        var pool = (allowed ?? AllKinds).ToList();
        var kinds = new List<ConstraintKind>();
        while (kinds.Count < count)
        {
            var candidates = pool.Where(k => kinds.All(e => Compatible(e, k))).ToList();
            if (candidates.Count == 0)
            {
                break;
            }

            kinds.Add(rng.Pick(candidates));
        }

        return kinds;
    }

    /// <summary>Gives parameters to <paramref name="kinds"/> for an answer about <paramref name="topic"/> (null for tool answers).</summary>
    public static List<Constraint> Parameterize(IReadOnlyList<ConstraintKind> kinds, Topic? topic, SeededRandom rng)
    {
        bool lower = kinds.Contains(ConstraintKind.Lowercase);
        var result = new List<Constraint>();
        string? avoidWord = null;
        foreach (var kind in kinds)
        {
            switch (kind)
            {
                case ConstraintKind.Lowercase:
                case ConstraintKind.NoCommas:
                    result.Add(new Constraint(kind));
                    break;
                case ConstraintKind.EndWith:
                    result.Add(new Constraint(kind, Text: ConstraintPhrasing.EndPhrase(rng, lower)));
                    break;
                case ConstraintKind.Bullets:
                    result.Add(new Constraint(kind, Count: rng.Range(2, kinds.Contains(ConstraintKind.Avoid) ? 4 : 5)));
                    break;
                case ConstraintKind.Json:
                    result.Add(new Constraint(kind, Keys: ConstraintPhrasing.JsonKeys(rng)));
                    break;
                case ConstraintKind.WordLimit:
                    int min = kinds.Contains(ConstraintKind.Include) || kinds.Contains(ConstraintKind.EndWith) ? 12 : 5;
                    result.Add(new Constraint(kind, Count: rng.Range(min, 16)));
                    break;
                case ConstraintKind.Include:
                    string word = rng.Chance(0.3) ? WordBanks.PseudoWord(rng) : rng.Pick(WordBanks.Nouns);
                    result.Add(new Constraint(kind, Text: lower ? word.ToLowerInvariant() : word));
                    break;
                case ConstraintKind.Avoid:
                    avoidWord = topic is null ? rng.Pick(WordBanks.Nouns) : AvoidableWord(topic, rng);
                    result.Add(new Constraint(kind, Text: avoidWord));
                    break;
            }
        }

        // Keep the other parameters clear of the forbidden word.
        if (avoidWord is not null)
        {
            for (int i = 0; i < result.Count; i++)
            {
                var c = result[i];
                while ((c.Kind == ConstraintKind.EndWith || c.Kind == ConstraintKind.Include) && ConstraintChecker.ContainsWord(c.Text!, avoidWord))
                {
                    c = c.Kind == ConstraintKind.EndWith
                        ? c with { Text = ConstraintPhrasing.EndPhrase(rng, lower) }
                        : c with { Text = WordBanks.PseudoWord(rng) };
                }

                result[i] = c;
            }
        }

        return result;
    }

    private static readonly HashSet<string> StopWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "the", "and", "that", "with", "from", "they", "their", "them", "this", "have", "many", "most", "some", "other", "others",
        "each", "very", "more", "than", "into", "over", "once", "only", "also", "like", "when", "where", "which", "your", "what",
    };

    /// <summary>A content word that appears in one or two of the topic's facts (so an answer can leave it out).</summary>
    public static string AvoidableWord(Topic topic, SeededRandom rng)
    {
        var counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var nameWords = topic.Name.Split(' ').ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (string fact in topic.Facts)
        {
            foreach (string raw in fact.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => w.Trim('.', ',', '!', '?')).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                if (raw.Length >= 4 && raw.All(char.IsLetter) && !StopWords.Contains(raw) && !nameWords.Contains(raw))
                {
                    counts[raw.ToLowerInvariant()] = counts.GetValueOrDefault(raw.ToLowerInvariant()) + 1;
                }
            }
        }

        var candidates = counts.Where(kv => kv.Value <= 2).Select(kv => kv.Key).OrderBy(k => k, StringComparer.Ordinal).ToList();
        return rng.Pick(candidates);
    }
}
