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
        double longContext = options.Double("long-context", 0);
        bool wide = options.WideWordings();
        double keywords = options.Double("keyword-requests", 0);
        string? tokenizer = options.String("tokenizer");
        options.EnsureAllUsed();

        Directory.CreateDirectory(outDir);
        var generator = new ConversationGenerator(seed, DataSplit.Train, novel, drills, randomCopy, longContext, wide, keywords);
        string trainPath = Path.Combine(outDir, "train-sample.jsonl");
        JsonlWriter.Write(trainPath, Enumerable.Range(0, count).Select(i => JsonlWriter.ConversationRow(i, generator.Generate(i))));
        string evalPath = Path.Combine(outDir, "eval.jsonl");
        var rows = EvalSetBuilder.Build(evalSeed, toolCallRows: 120, toolAnswerRows: 60, rowsPerConstraint: 20);
        JsonlWriter.Write(evalPath, rows);
        Console.WriteLine($"wrote {count} training conversations (seed {seed}) to {trainPath}");
        if (tokenizer is not null)
        {
            // Token lengths under that tokenizer, to size --max-length (conversations longer than it are cut).
            var vocab = Tokenization.HfTokenizerFiles.Read(tokenizer);
            var lengths = Enumerable.Range(0, count).Select(i => vocab.EncodeWithOffsets(ChatMlRenderer.Render(generator.Generate(i).Messages, generator.Generate(i).Tools).Text).Count).Order().ToList();
            Console.WriteLine($"tokens per conversation: mean {lengths.Average():F0}, median {lengths[count / 2]}, p90 {lengths[count * 9 / 10]}, max {lengths[^1]}; over 1024: {lengths.Count(l => l > 1024)}");
        }

        Console.WriteLine($"wrote {rows.Count} evaluation rows (seed {evalSeed}, held-out wordings) to {evalPath}");
        return 0;
    }
}
