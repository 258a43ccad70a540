using System.Globalization;
using Directer.Training.Data;
using Directer.Training.Tokenization;

namespace Directer.Training.Commands;

/// <summary>`longcontext`: writes the long-context held-out split (<see cref="LongContextSetBuilder"/>).</summary>
internal static class LongContextCommand
{
    /// <summary>File name of the split in the demo model folder.</summary>
    public const string FileName = "longcontext-eval.jsonl";

    public static int Run(Options o)
    {
        string model = o.Required("model");
        string output = o.String("out") ?? Path.Combine(model, FileName);
        int perType = o.Int("per-type", 5);
        int toolAnswers = o.Int("tool-answers", 10);
        long seed = o.Long("seed", EvalSetBuilder.DefaultSeed);
        string distancesText = o.String("distances") ?? string.Join(',', LongContextSetBuilder.DefaultDistances);
        o.EnsureAllUsed();
        var distances = distancesText.Split(',').Select(d => int.TryParse(d, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= 0
            ? v
            : throw new ArgumentException($"--distances expects comma-separated token counts (0 or more), got '{d}'.")).ToList();
        var vocab = HfTokenizerFiles.Read(Path.Combine(model, "tokenizer.json"));
        var rows = LongContextSetBuilder.Build(vocab, seed, perType, toolAnswers, distances);
        JsonlWriter.Write(output, rows);
        Console.WriteLine($"wrote {rows.Count} long-context rows (seed {seed}, distances {string.Join(", ", distances)} tokens) to {output}");
        foreach (var group in rows.GroupBy(r => (int)r["distance"]!))
        {
            var measured = group.Select(r => (int)r["context_tokens"]!).ToList();
            var longest = group.Max(r => vocab.EncodeWithOffsets(r["prompt"]!.GetValue<string>()).Count);
            Console.WriteLine($"  distance {group.Key,4}: {group.Count()} rows, context {measured.Min()}–{measured.Max()} tokens, longest prompt {longest} tokens");
        }

        return 0;
    }
}
