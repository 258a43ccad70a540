using Directer.Evaluation.HeldOut;
using Directer.Training.Data;

namespace Directer.Training.Commands;

/// <summary>`data`: writes a sample of the training corpus and the held-out evaluation set.</summary>
internal static class DataCommand
{
    public const long DefaultTrainSeed = 1234;

    public static int Run(Options options)
    {
        string outDir = options.Required("out");
        long seed = options.Long("seed", DefaultTrainSeed);
        int count = options.Int("count", 2000);
        long evalSeed = options.Long("eval-seed", EvalSetBuilder.DefaultSeed);
        double novel = options.Double("novel", 0);
        double? drills = options.Has("drills") ? options.Double("drills", 0) : null;
        double randomCopy = options.Double("random-copy", 0);
        options.EnsureAllUsed();

        Directory.CreateDirectory(outDir);
        var generator = new ConversationGenerator(seed, DataSplit.Train, novel, drills, randomCopy);
        string trainPath = Path.Combine(outDir, "train-sample.jsonl");
        JsonlWriter.Write(trainPath, Enumerable.Range(0, count).Select(i => JsonlWriter.ConversationRow(i, generator.Generate(i))));
        string evalPath = Path.Combine(outDir, "eval.jsonl");
        var rows = EvalSetBuilder.Build(evalSeed, toolCallRows: 120, toolAnswerRows: 60, rowsPerConstraint: 20);
        JsonlWriter.Write(evalPath, rows);
        Console.WriteLine($"wrote {count} training conversations (seed {seed}) to {trainPath}");
        Console.WriteLine($"wrote {rows.Count} evaluation rows (seed {evalSeed}, held-out wordings) to {evalPath}");
        return 0;
    }
}
