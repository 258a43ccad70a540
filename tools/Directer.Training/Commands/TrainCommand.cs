using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Directer.Training.Data;
using Directer.Training.Evaluation;
using Directer.Training.Training;
using TorchSharp;

namespace Directer.Training.Commands;

/// <summary>`train` and `bench`.</summary>
internal static class TrainCommand
{
    public static int Run(Options o)
    {
        string outDir = o.Required("out");
        var options = Parse(o);
        o.EnsureAllUsed();
        torch.InitializeDeviceType(DeviceType.CPU);
        Console.WriteLine($"training with {Describe(options)}");
        var total = Stopwatch.StartNew();
        var trainer = new Trainer(options, Console.Out);
        var result = trainer.Run(outDir);
        Console.WriteLine($"trained {result.Steps} steps in {Trainer.FormatTime(result.Seconds)} ({result.TokensPerSecond:F0} tokens/s); "
            + $"final loss {result.Losses.TakeLast(50).Average():F4}");

        var report = new JsonObject
        {
            ["command"] = "dotnet run -c Release --project tools/Directer.Training -- train " + string.Join(' ', Environment.GetCommandLineArgs().Skip(2)),
            ["options"] = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(options)),
            ["steps"] = result.Steps,
            ["train_seconds"] = Math.Round(result.Seconds, 1),
            ["tokens_per_second"] = Math.Round(result.TokensPerSecond),
            ["final_loss"] = Math.Round(result.Losses.TakeLast(50).Average(), 4),
            ["processor_count"] = Environment.ProcessorCount,
        };
        if (options.EvalPerGroup > 0)
        {
            var rows = EvalSetBuilder.Build(EvalSetBuilder.DefaultSeed, 120, 60, 20);
            var subset = QuickEvaluation.Stratified(rows, options.EvalPerGroup);
            Console.WriteLine($"greedy evaluation on {subset.Count} held-out rows (no steering):");
            var lines = QuickEvaluation.Run(trainer.Model!, trainer.Vocabulary!, subset, Console.Out);
            report["quick_eval"] = new JsonArray(lines.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray());
        }

        var heldOut = EvalSetBuilder.Build(EvalSetBuilder.DefaultSeed, 120, 60, 20);
        JsonlWriter.Write(Path.Combine(outDir, "heldout-eval.jsonl"), heldOut);
        report["total_seconds"] = Math.Round(total.Elapsed.TotalSeconds, 1);
        Tokenization.HfTokenizerFiles.WriteJson(Path.Combine(outDir, "training_report.json"), report);
        trainer.Model!.Dispose();
        return 0;
    }

    /// <summary>Runs a few steps on generated data and prints throughput (writes nothing).</summary>
    public static int Bench(Options o)
    {
        var options = Parse(o) with { EvalPerGroup = 0, LogEvery = 5 };
        o.EnsureAllUsed();
        torch.InitializeDeviceType(DeviceType.CPU);
        options = options with { Steps = options.Steps ?? 30, Minutes = null };
        Console.WriteLine($"bench with {Describe(options)}");
        var trainer = new Trainer(options, Console.Out);
        var result = trainer.Run(null);
        Console.WriteLine($"{result.Steps} steps in {result.Seconds:F1} s: {result.Seconds / result.Steps:F3} s/step, {result.TokensPerSecond:F0} tokens/s");
        trainer.Model!.Dispose();
        return 0;
    }

    private static TrainOptions Parse(Options o)
    {
        var d = new TrainOptions();
        bool hasMinutes = o.Has("minutes");
        return d with
        {
            Seed = o.Long("seed", d.Seed),
            Steps = o.Has("steps") ? o.Long("steps", 0) : hasMinutes ? null : d.Steps,
            Minutes = hasMinutes ? o.Double("minutes", 0) : null,
            BatchSize = o.Int("batch", d.BatchSize),
            MaxLength = o.Int("max-length", d.MaxLength),
            PeakLearningRate = o.Double("lr", d.PeakLearningRate),
            WarmupSteps = o.Long("warmup", d.WarmupSteps),
            Threads = o.Int("threads", d.Threads),
            Size = o.String("size") ?? d.Size,
            VocabSize = o.Int("vocab", d.VocabSize),
            TokenizerCorpus = o.Int("corpus", d.TokenizerCorpus),
            SaveEvery = o.Long("save-every", d.SaveEvery),
            EvalPerGroup = o.Int("eval-per-group", d.EvalPerGroup),
            InitFrom = o.String("init"),
            NovelShare = o.Double("novel", d.NovelShare),
            DrillShare = o.Has("drills") ? o.Double("drills", 0) : null,
            RandomCopyShare = o.Double("random-copy", 0),
            LongContextShare = o.Double("long-context", 0),
            WideWordings = o.WideWordings(),
            KeywordShare = o.Double("keyword-requests", 0),
            ComputeBf16 = (o.String("compute") ?? (d.ComputeBf16 ? "bf16" : "f32")) switch
            {
                "f32" => false,
                "bf16" => true,
                var other => throw new ArgumentException($"--compute must be f32 or bf16, got '{other}'."),
            },
            Bf16 = (o.String("dtype") ?? "f32") switch
            {
                "f32" => false,
                "bf16" => true,
                var other => throw new ArgumentException($"--dtype must be f32 or bf16, got '{other}'."),
            },
        };
    }

    private static string Describe(TrainOptions t) => string.Create(CultureInfo.InvariantCulture,
        $"size {t.Size}, seed {t.Seed}, steps {t.Steps?.ToString(CultureInfo.InvariantCulture) ?? $"fit {t.Minutes} min"}, batch {t.BatchSize}, lr {t.PeakLearningRate}, warmup {t.WarmupSteps}, vocab {t.VocabSize}, threads {t.Threads}");
}
