using System.Diagnostics;
using System.Text;
using Directer.Core.Chat;
using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Steering;
using Directer.Evaluation.Demo;
using Directer.Evaluation.HeldOut;

namespace Directer.Bench;

/// <summary>
/// DIRECTER's throughput against plain greedy decoding with every strategy, methods interleaved row
/// by row (whole replies, warm, ranking and prefill included): the demo model's held-out rows, and
/// the random 125M model on synthetic prompts. Also checks that the strategies give identical tokens.
/// </summary>
internal static class DirecterCostBenchmark
{
    private static readonly (string Name, SteeringSettings? Settings)[] Methods =
    [
        ("plain greedy", null),
        ("directer sequential", new SteeringSettings { Strategy = SteeringStrategy.Sequential }),
        ("directer batched", new SteeringSettings { Strategy = SteeringStrategy.Batched }),
        ("directer batched-after-gate", new SteeringSettings { Strategy = SteeringStrategy.BatchedAfterGate }),
        ("directer auto (default)", new SteeringSettings { Strategy = SteeringStrategy.Auto }),
    ];

    private static readonly ServingOptions NoPrefixReuse = new() { ReusePrefixes = false };

    /// <summary>Repeats of the demo model's rows (each about a second per method on a 2-core CPU).</summary>
    private const int DemoRepeats = 5;

    /// <summary>Repeats of the random model's prompts (each 2–6 seconds per method).</summary>
    private const int RandomModelRepeats = 3;

    /// <summary>What <see cref="MeasureAsync"/> collected: per method the totals, each repeat's ratio to plain greedy, and the first repeat's replies and steering summaries.</summary>
    private sealed record Measured(double[] Seconds, int[] Tokens, List<double>[] PerRepeat, List<string>[] Replies, List<SteeringSummary>[] Summaries);

    /// <summary>
    /// Runs every item with every method, <paramref name="repeats"/> times, the methods interleaved per item (their order
    /// reversed every other item and repeat, so that none always runs first on an item).
    /// </summary>
    private static async Task<Measured> MeasureAsync(int items, int repeats, Func<int, int, Task<(double Seconds, int Tokens, string Reply, SteeringSummary? Steering)>> run)
    {
        var measured = new Measured(new double[Methods.Length], new int[Methods.Length], Methods.Select(_ => new List<double>()).ToArray(), Methods.Select(_ => new List<string>()).ToArray(), Methods.Select(_ => new List<SteeringSummary>()).ToArray());
        for (int repeat = 0; repeat < repeats; repeat++)
        {
            var seconds = new double[Methods.Length];
            var tokens = new int[Methods.Length];
            for (int item = 0; item < items; item++)
            {
                var order = Enumerable.Range(0, Methods.Length);
                foreach (int m in (item + repeat) % 2 == 0 ? order : order.Reverse())
                {
                    var outcome = await run(item, m);
                    seconds[m] += outcome.Seconds;
                    tokens[m] += outcome.Tokens;
                    if (repeat == 0)
                    {
                        measured.Replies[m].Add(outcome.Reply);
                        if (outcome.Steering is { } s)
                        {
                            measured.Summaries[m].Add(s);
                        }
                    }
                }
            }

            for (int m = 0; m < Methods.Length; m++)
            {
                measured.Seconds[m] += seconds[m];
                measured.Tokens[m] += tokens[m];
                measured.PerRepeat[m].Add(tokens[m] / seconds[m] / (tokens[0] / seconds[0]));
            }
        }

        return measured;
    }

    public static async Task<string> RunAsync(string checkpoint, bool quick, int threads)
    {
        var report = new StringBuilder();
        report.AppendLine(await DemoAsync(quick, threads));
        report.AppendLine(await RandomModelAsync(checkpoint, quick, threads));
        return report.ToString();
    }

    private static async Task<string> DemoAsync(bool quick, int threads)
    {
        string? dir = DemoModel.Find();
        if (dir is null)
        {
            return "(models/directer-demo not found: demo rows skipped)";
        }

        // No kept caches: with prefix reuse only the first method run on a row pays its prefill and the others
        // reuse it, which made the middle methods of each interleaved row look faster than plain greedy.
        using var model = ChatModel.Load(dir, new ChatModelOptions { Model = new ModelOptions { Threads = threads }, Serving = NoPrefixReuse });
        var rows = HeldOutSet.Stratified(HeldOutSet.Read(Path.Combine(dir, HeldOutSet.FileName)), quick ? 1 : 4);

        // A reply is ~25 tokens at a fraction of a millisecond each, so one pass over the rows lasts about a second per
        // method and single runs of the same code moved `Auto` between 0.68× and 0.87×: every row runs once per method
        // to warm up (the code, the kernels' pass costs), then the interleaved rows are repeated and each repeat's ratio
        // is reported beside the total.
        int repeats = quick ? 1 : DemoRepeats;
        foreach (var (name, settings) in Methods)
        {
            await HeldOutRunner.RunAsync(model, quick ? rows.Take(1).ToList() : rows, name, settings);
        }

        var measured = await MeasureAsync(rows.Count, repeats, async (r, m) =>
        {
            var outcome = (await HeldOutRunner.RunAsync(model, new[] { rows[r] }, Methods[m].Name, Methods[m].Settings))[0];
            return (outcome.Seconds, outcome.CompletionTokens, outcome.Reply, outcome.Steering);
        });

        return Table($"Demo model ({dir.Split(Path.DirectorySeparatorChar)[^1]}), {rows.Count} held-out rows ({(quick ? 1 : 4)} per group), whole replies (≤ 96 tokens), prefill and ranking included; every row run once per method to warm up, then {repeats} repeat(s) of the rows with the methods interleaved per row.", measured);
    }

    private static async Task<string> RandomModelAsync(string checkpoint, bool quick, int threads)
    {
        using var model = LlamaModel.Load(checkpoint, new ModelOptions { MaxSequenceLength = 512, Threads = threads });
        using var generator = new TokenGenerator(model, NoPrefixReuse);
        var prompts = Enumerable.Range(0, quick ? 1 : 3).Select(s => BenchModel.Prompt(96, 100 + s, model.VocabSize)).ToList();
        var spans = new[] { new TokenSpan(8, 40) };
        var options = new GenerationOptions { MaxNewTokens = quick ? 12 : 48, EosTokenIds = [] };
        async Task<(double Seconds, int Tokens, string Reply, SteeringSummary? Steering)> Generate(int p, int m)
        {
            var selector = Methods[m].Settings?.CreateSelector(spans, model.LayerCount);
            var clock = Stopwatch.StartNew();
            var result = await generator.GenerateAsync(prompts[p], options, selector);
            return (clock.Elapsed.TotalSeconds, result.DecodedTokens, string.Join(",", result.Ids), selector?.Summary);
        }

        // Each method once on the first prompt to warm up; then repeats of the prompts (a run is a few seconds, and
        // the machine's memory bandwidth moved by a third between the sections of one run).
        int repeats = quick ? 1 : RandomModelRepeats;
        for (int m = 0; m < Methods.Length; m++)
        {
            await Generate(0, m);
        }

        var measured = await MeasureAsync(prompts.Count, repeats, Generate);
        return Table($"Random {BenchModel.Spec.Name} (f32), {prompts.Count} prompts × 96 tokens, emphasis [8, 40), {options.MaxNewTokens} new tokens each, alpha 100, beta 0.5; whole generations (prefill and ranking included); each method once to warm up, then {repeats} repeat(s) of the prompts with the methods interleaved per prompt.", measured);
    }

    private static string Table(string title, Measured measured)
    {
        var (seconds, tokens, perRepeat, replies, summaries) = measured;
        var sb = new StringBuilder();
        sb.AppendLine(title);
        sb.AppendLine();
        bool repeats = perRepeat[0].Count > 1;
        sb.AppendLine(repeats ? "| method | tokens | tok/s | × plain | × plain per repeat (median, range) | steered | gated | fallback |" : "| method | tokens | tok/s | × plain | steered | gated | fallback |");
        sb.AppendLine(repeats ? "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |" : "| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        double plain = tokens[0] / seconds[0];
        for (int m = 0; m < Methods.Length; m++)
        {
            double rate = tokens[m] / seconds[m];
            string Share(Func<SteeringSummary, double> f) => summaries[m].Count == 0 ? "-" : $"{summaries[m].Average(f):P0}";
            string spread = repeats ? $" {Median(perRepeat[m]):F2} ({perRepeat[m].Min():F2}–{perRepeat[m].Max():F2}) |" : "";
            sb.AppendLine($"| {Methods[m].Name} | {tokens[m]} | {rate:F1} | {rate / plain:F2} |{spread} {Share(s => s.SteeredShare)} | {Share(s => s.GatedShare)} | {Share(s => s.FallbackShare)} |");
        }

        bool same = replies.Skip(2).All(r => r.SequenceEqual(replies[1]));
        sb.AppendLine();
        sb.AppendLine($"- The four DIRECTER strategies produced {(same ? "identical" : "DIFFERENT")} outputs ({replies[1].Count} replies compared).");
        return sb.ToString();
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
