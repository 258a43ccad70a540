using System.Text.Json.Nodes;
using Directer.Evaluation.HeldOut;
using Directer.Training.Modeling;
using Directer.Training.Tokenization;

namespace Directer.Training.Evaluation;

/// <summary>
/// Greedy evaluation of the in-memory training model on held-out rows (no steering; the project's evaluation
/// command runs the shipped checkpoint through Directer.Core with and without DIRECTER).
/// </summary>
internal static class QuickEvaluation
{
    /// <summary>The first <paramref name="perGroup"/> rows of every group (tool_call, tool_answer, each constraint type).</summary>
    public static List<JsonObject> Stratified(IEnumerable<JsonObject> rows, int perGroup)
        => rows.GroupBy(GroupOf).SelectMany(g => g.Take(perGroup)).ToList();

    public static string GroupOf(JsonObject row) => HeldOutRow.Parse(row).Group;

    /// <summary>Runs the rows and returns the report lines (also written to <paramref name="log"/> as they finish).</summary>
    public static List<string> Run(Qwen2ForTraining model, BpeVocabulary vocab, IReadOnlyList<JsonObject> rows, TextWriter log, int maxNewTokens = 96, bool showReplies = false)
    {
        var totals = new Dictionary<string, (int N, int Valid, int Correct)>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            string reply = GreedyDecoder.Generate(model, vocab, row["prompt"]!.GetValue<string>(), maxNewTokens);
            var grade = HeldOutGrader.GradeRaw(HeldOutRow.Parse(row), reply);
            string group = GroupOf(row);
            var t = totals.GetValueOrDefault(group);
            totals[group] = (t.N + 1, t.Valid + (grade.Valid ? 1 : 0), t.Correct + (grade.Correct ? 1 : 0));
            if (showReplies)
            {
                log.WriteLine($"  [{(grade.Correct ? "ok" : "--")}] {row["id"]}: {reply.Replace("\n", "\\n", StringComparison.Ordinal)}");
            }
        }

        var lines = new List<string>();
        foreach (var (group, (n, valid, correct)) in totals.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            string line = group == "tool_call"
                ? $"{group,-24} n={n,3}  valid {100.0 * valid / n,5:F1}%  correct {100.0 * correct / n,5:F1}%"
                : $"{group,-24} n={n,3}  correct {100.0 * correct / n,5:F1}%";
            lines.Add(line);
            log.WriteLine(line);
        }

        return lines;
    }
}
