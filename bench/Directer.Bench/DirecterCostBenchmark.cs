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
        var seconds = new double[Methods.Length];
        var tokens = new int[Methods.Length];
        var replies = Methods.Select(_ => new List<string>()).ToArray();
        var summaries = Methods.Select(_ => new List<SteeringSummary>()).ToArray();
        foreach (var (name, settings) in Methods)
        {
            await HeldOutRunner.RunAsync(model, rows.Take(1).ToList(), name, settings); // warm-up
        }

        for (int r = 0; r < rows.Count; r++)
        {
            var order = Enumerable.Range(0, Methods.Length);
            foreach (int m in r % 2 == 0 ? order : order.Reverse())
            {
                var outcome = (await HeldOutRunner.RunAsync(model, new[] { rows[r] }, Methods[m].Name, Methods[m].Settings))[0];
                seconds[m] += outcome.Seconds;
                tokens[m] += outcome.CompletionTokens;
                replies[m].Add(outcome.Reply);
                if (outcome.Steering is { } s)
                {
                    summaries[m].Add(s);
                }
            }
        }

        return Table($"Demo model ({dir.Split(Path.DirectorySeparatorChar)[^1]}), {rows.Count} held-out rows ({(quick ? 1 : 4)} per group), whole replies (≤ 96 tokens), prefill and ranking included; methods interleaved per row.", seconds, tokens, replies, summaries);
    }

    private static async Task<string> RandomModelAsync(string checkpoint, bool quick, int threads)
    {
        using var model = LlamaModel.Load(checkpoint, new ModelOptions { MaxSequenceLength = 512, Threads = threads });
        using var generator = new TokenGenerator(model, NoPrefixReuse);
        var prompts = Enumerable.Range(0, quick ? 1 : 3).Select(s => BenchModel.Prompt(96, 100 + s, model.VocabSize)).ToList();
        var spans = new[] { new TokenSpan(8, 40) };
        var options = new GenerationOptions { MaxNewTokens = quick ? 12 : 48, EosTokenIds = [] };
        var seconds = new double[Methods.Length];
        var tokens = new int[Methods.Length];
        var replies = Methods.Select(_ => new List<string>()).ToArray();
        var summaries = Methods.Select(_ => new List<SteeringSummary>()).ToArray();
        await generator.GenerateAsync(prompts[0], options with { MaxNewTokens = 4 });
        for (int p = 0; p < prompts.Count; p++)
        {
            var order = Enumerable.Range(0, Methods.Length);
            foreach (int m in p % 2 == 0 ? order : order.Reverse())
            {
                var selector = Methods[m].Settings?.CreateSelector(spans, model.LayerCount);
                var clock = Stopwatch.StartNew();
                var result = await generator.GenerateAsync(prompts[p], options, selector);
                seconds[m] += clock.Elapsed.TotalSeconds;
                tokens[m] += result.DecodedTokens;
                replies[m].Add(string.Join(",", result.Ids));
                if (selector is not null)
                {
                    summaries[m].Add(selector.Summary);
                }
            }
        }

        return Table($"Random {BenchModel.Spec.Name} (f32), {prompts.Count} prompts × 96 tokens, emphasis [8, 40), {options.MaxNewTokens} new tokens each, alpha 100, beta 0.5; whole generations (prefill and ranking included), methods interleaved per prompt.", seconds, tokens, replies, summaries);
    }

    private static string Table(string title, double[] seconds, int[] tokens, List<string>[] replies, List<SteeringSummary>[] summaries)
    {
        var sb = new StringBuilder();
        sb.AppendLine(title);
        sb.AppendLine();
        sb.AppendLine("| method | tokens | tok/s | × plain | steered | gated | fallback |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        double plain = tokens[0] / seconds[0];
        for (int m = 0; m < Methods.Length; m++)
        {
            double rate = tokens[m] / seconds[m];
            string Share(Func<SteeringSummary, double> f) => summaries[m].Count == 0 ? "-" : $"{summaries[m].Average(f):P0}";
            sb.AppendLine($"| {Methods[m].Name} | {tokens[m]} | {rate:F1} | {rate / plain:F2} | {Share(s => s.SteeredShare)} | {Share(s => s.GatedShare)} | {Share(s => s.FallbackShare)} |");
        }

        bool same = replies.Skip(2).All(r => r.SequenceEqual(replies[1]));
        sb.AppendLine();
        sb.AppendLine($"- The four DIRECTER strategies produced {(same ? "identical" : "DIFFERENT")} outputs ({replies[1].Count} replies compared).");
        return sb.ToString();
    }
}
