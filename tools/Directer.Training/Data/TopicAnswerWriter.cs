using System.Text.Json.Nodes;
using Directer.Core.PythonCompat;
using Directer.Evaluation.HeldOut;

namespace Directer.Training.Data;

/// <summary>
/// Writes the assistant's reply to a question about a <see cref="Topic"/> so that it satisfies the given
/// constraints (chosen with <see cref="ConstraintSampler"/>, which only combines compatible ones).
/// </summary>
internal static class TopicAnswerWriter
{
    /// <summary>
    /// False where no reply about <paramref name="topic"/> can keep <paramref name="constraints"/>: a JSON reply names
    /// the topic, so the topic's name must not hold a word to avoid (earlier turns of a long context pick topics other
    /// than the one the avoided word was drawn from).
    /// </summary>
    public static bool CanWrite(Topic topic, IReadOnlyList<Constraint> constraints) =>
        !constraints.Any(c => c.Kind == ConstraintKind.Json)
        || !constraints.Any(c => c.Kind == ConstraintKind.Avoid && ConstraintChecker.ContainsWord(topic.Name, c.Text!));

    public static string Write(Topic topic, IReadOnlyList<Constraint> constraints, SeededRandom rng)
    {
        Constraint? Find(ConstraintKind k) => constraints.FirstOrDefault(c => c.Kind == k);
        var avoid = Find(ConstraintKind.Avoid);
        var include = Find(ConstraintKind.Include);
        var bullets = Find(ConstraintKind.Bullets);
        var json = Find(ConstraintKind.Json);
        var limit = Find(ConstraintKind.WordLimit);
        var end = Find(ConstraintKind.EndWith);

        var pool = topic.Facts.Where(f => avoid is null || !ConstraintChecker.ContainsWord(f, avoid.Text!)).ToList();
        rng.Shuffle(pool);
        var keywordTemplates = TopicFacts.KeywordSentences.Where(t => avoid is null || !ConstraintChecker.ContainsWord(t, avoid.Text!)).ToList();
        string? keywordSentence = include is null ? null : rng.Pick(keywordTemplates).Replace("{w}", include.Text!, StringComparison.Ordinal);

        List<string> sentences;
        if (bullets is not null)
        {
            int n = bullets.Count!.Value;
            sentences = pool.Take(keywordSentence is null ? n : n - 1).ToList();
            if (keywordSentence is not null)
            {
                sentences.Insert(Math.Min(1, sentences.Count), keywordSentence);
            }

            if (sentences.Count != n)
            {
                throw new InvalidOperationException($"Topic '{topic.Name}' has too few facts for {n} bullets.");
            }
        }
        else
        {
            int k = json is not null ? rng.Range(1, 2) : rng.Range(2, 3);
            sentences = pool.Take(k).ToList();
            if (keywordSentence is not null)
            {
                sentences.Insert(Math.Min(1, sentences.Count), keywordSentence);
            }

            if (limit is not null)
            {
                int budget = limit.Count!.Value - (end is null ? 0 : ConstraintChecker.CountWords(end.Text!));
                sentences = FitWords(sentences, keywordSentence, budget);
            }
        }

        string answer;
        if (bullets is not null)
        {
            answer = string.Join("\n", sentences.Select(s => "- " + s));
        }
        else if (json is not null)
        {
            var o = new JsonObject
            {
                [json.Keys![0]] = WordBanks.Capitalize(topic.Name),
                [json.Keys[1]] = string.Join(" ", sentences),
            };
            answer = PythonJson.Dumps(o);
        }
        else
        {
            answer = limit is null ? JoinProse(sentences, rng) : string.Join(" ", sentences);
        }

        if (end is not null)
        {
            answer += " " + end.Text;
        }

        if (constraints.Any(c => c.Kind == ConstraintKind.Lowercase))
        {
            answer = answer.ToLowerInvariant();
        }

        if (constraints.Any(c => c.Kind == ConstraintKind.NoCommas))
        {
            answer = StripCommas(answer);
        }

        foreach (var c in constraints)
        {
            if (!ConstraintChecker.IsSatisfied(c, answer))
            {
                throw new InvalidOperationException($"Generated answer breaks its own constraint {c.TypeName} ({c}): {answer} [all: {string.Join("; ", constraints)}]");
            }
        }

        return answer;
    }

    private static readonly HashSet<string> ProperStarts = new(StringComparer.Ordinal) { "Iceland", "Brazil", "China", "Earth", "Egypt", "Sahara", "Nile", "I" };

    /// <summary>Sentences joined by spaces; half the time the first two are joined with ", and" (so commas are common unless forbidden).</summary>
    private static string JoinProse(List<string> sentences, SeededRandom rng)
    {
        if (sentences.Count >= 2 && rng.Chance(0.5) && sentences[0].EndsWith('.'))
        {
            string second = sentences[1];
            string firstWord = second.Split(' ')[0];
            if (!ProperStarts.Contains(firstWord) && (firstWord.Length == 1 || char.IsLower(firstWord[1])))
            {
                second = char.ToLowerInvariant(second[0]) + second[1..];
            }

            var joined = new List<string> { sentences[0][..^1] + ", and " + second };
            joined.AddRange(sentences.Skip(2));
            return string.Join(" ", joined);
        }

        return string.Join(" ", sentences);
    }

    public static string StripCommas(string s) => s.Replace(", ", " ", StringComparison.Ordinal).Replace(",", string.Empty, StringComparison.Ordinal);

    /// <summary>Keeps leading sentences (always the keyword sentence) within <paramref name="budget"/> words; cuts the first one if none fits.</summary>
    private static List<string> FitWords(List<string> sentences, string? keep, int budget)
    {
        var result = new List<string>();
        int used = keep is null ? 0 : ConstraintChecker.CountWords(keep);
        foreach (string s in sentences)
        {
            if (s == keep)
            {
                result.Add(s);
                continue;
            }

            int w = ConstraintChecker.CountWords(s);
            if (used + w <= budget)
            {
                result.Add(s);
                used += w;
            }
        }

        if (result.Count == 0 || (keep is not null && result.Count == 1 && sentences.Count > 1 && used < budget - 2))
        {
            string first = sentences.First(s => s != keep);
            int room = budget - used;
            if (room >= 2)
            {
                var words = first.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(room).ToArray();
                string cut = string.Join(" ", words).TrimEnd('.', ',', '!', '?') + ".";
                result.Insert(0, cut);
            }
        }

        return result;
    }
}
