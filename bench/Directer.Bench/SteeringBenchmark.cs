using System.Text;
using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Steering;
using static TorchSharp.torch;

namespace Directer.Bench;

/// <summary>
/// Throughput, per-step cost, ranking cost and peak memory of every steering method against plain
/// greedy decoding, on the same model and prompts in one run.
/// </summary>
internal static class SteeringBenchmark
{
    private sealed record Method(string Name, SteeringSettings? Settings);

    public static async Task<string> RunAsync(string checkpoint, ComputeDType dtype, bool quick)
    {
        using var model = LlamaModel.Load(checkpoint, new ModelOptions { DType = dtype, MaxSequenceLength = 512 });
        using var generator = new TokenGenerator(model);
        int promptLength = 96;
        int newTokens = quick ? 12 : 48;
        var prompts = Enumerable.Range(0, quick ? 1 : 3).Select(s => BenchModel.Prompt(promptLength, 100 + s, model.VocabSize)).ToList();
        var spans = new[] { new TokenSpan(8, 40) }; // a 32-token "instruction" near the start
        var options = new GenerationOptions { MaxNewTokens = newTokens, EosTokenIds = [] };
        var methods = new List<Method>
        {
            new("none (plain greedy)", null),
            new("directer sequential", new SteeringSettings { Strategy = SteeringStrategy.Sequential }),
            new("directer batched", new SteeringSettings { Strategy = SteeringStrategy.Batched }),
            new("directer batched-after-gate", new SteeringSettings { Strategy = SteeringStrategy.BatchedAfterGate }),
            new("static", new SteeringSettings { Method = SteeringMethod.Static }),
            new("static+gate", new SteeringSettings { Method = SteeringMethod.Static, Gate = true }),
            new("pasta", new SteeringSettings { Method = SteeringMethod.Pasta }),
            new("spotlight", new SteeringSettings { Method = SteeringMethod.SpotLight }),
            new("instaboost", new SteeringSettings { Method = SteeringMethod.InstABoost }),
        };

        await generator.GenerateAsync(prompts[0], options with { MaxNewTokens = 4 }); // warm-up
        var report = new StringBuilder();
        report.AppendLine($"dtype {dtype}; {prompts.Count} prompts × {promptLength} tokens, emphasis [8, 40), {newTokens} new tokens each; alpha 100, beta 0.5.");
        report.AppendLine();
        report.AppendLine("| method | decode tok/s | × plain | steered | gated | fallback | mean trials | peak RSS growth (Δ vs plain) |");
        report.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        double plainRate = 0, plainPeak = 0;
        var idsByMethod = new Dictionary<string, List<int>>();
        foreach (var method in methods)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            double before = Measure.RssMiB();
            Measure.ResetPeakRss();
            double seconds = 0;
            int tokens = 0;
            var ids = new List<int>();
            SteeringSummary? last = null;
            var summaries = new List<SteeringSummary>();
            foreach (var prompt in prompts)
            {
                var selector = method.Settings?.CreateSelector(spans, model.LayerCount);
                var result = await generator.GenerateAsync(prompt, options, selector);
                seconds += result.DecodeTime.TotalSeconds;
                tokens += result.DecodedTokens;
                ids.AddRange(result.Ids);
                if (selector is not null)
                {
                    summaries.Add(last = selector.Summary);
                }
            }

            double rate = tokens / seconds;
            double peak = Measure.PeakRssMiB() - before; // growth of the resident set while generating
            if (method.Settings is null)
            {
                plainRate = rate;
                plainPeak = peak;
            }

            idsByMethod[method.Name] = ids;
            string Share(Func<SteeringSummary, double> f) => summaries.Count == 0 ? "-" : $"{summaries.Average(f):P0}";
            report.AppendLine($"| {method.Name} | {rate:F1} | {rate / plainRate:F2} | {Share(s => s.SteeredShare)} | {Share(s => s.GatedShare)} | {Share(s => s.FallbackShare)} | {(summaries.Count == 0 ? "-" : summaries.Average(s => s.MeanTrials).ToString("F2"))} | {peak:F0} MiB ({peak - plainPeak:+0;-0;0}) |");
            _ = last;
        }

        bool same = idsByMethod["directer sequential"].SequenceEqual(idsByMethod["directer batched"])
            && idsByMethod["directer sequential"].SequenceEqual(idsByMethod["directer batched-after-gate"]);
        report.AppendLine();
        report.AppendLine($"The three DIRECTER strategies produced {(same ? "identical" : "DIFFERENT")} tokens ({idsByMethod["directer batched"].Count} tokens compared).");
        report.AppendLine();
        report.Append(StepCosts(model, prompts[0], spans));
        return report.ToString();
    }

    /// <summary>Worst-case step and ranking cost in units of one plain decode step.</summary>
    private static string StepCosts(LlamaModel model, int[] prompt, TokenSpan[] spans)
    {
        int layers = model.LayerCount;
        using var cache = model.CreateCache(prompt.Length + 8);
        using (var prefix = tensor(prompt.Take(prompt.Length - 1).Select(i => (long)i).ToArray()).unsqueeze(0))
        {
            model.Forward(prefix, cache).Dispose();
        }

        int position = cache.Length;
        var emphasis = EmphasisPositions.Create(spans, prompt.Length);
        var input = tensor(new long[] { prompt[^1] }).unsqueeze(0);
        var all = Enumerable.Range(0, layers).ToHashSet();
        var ranking = new LayerRanking(Enumerable.Range(0, layers).ToArray(), new double[layers]);
        var candidates = new DirecterSelector(spans).CandidateSets(layers, ranking);

        double Pass(int rows, IReadOnlyList<IReadOnlySet<int>>? steer, bool capture, bool probes = false) => Measure.MedianSeconds(9, () =>
        {
            using var scope = NewDisposeScope();
            using var ids = full(new long[] { rows, 1 }, prompt[^1], ScalarType.Int64);
            using var steering = steer is null ? null : new KeyScaleSteering(emphasis, 100, steer, position, position + 1, model.Device);
            using var recorder = capture ? new AttentionCapture(layers) : null;
            model.Forward(ids, cache, new ForwardRequest { WriteCache = false, StartPosition = position, Steering = steering, Capture = recorder, FirstRowLogitsOnly = probes }).Dispose();
        });

        double plain = Pass(1, null, false);
        double steered = Pass(1, new[] { (IReadOnlySet<int>)all }, false);
        double batchedWorst = Pass(1 + candidates.Count, new IReadOnlySet<int>[] { new HashSet<int>() }.Concat(candidates).ToList(), false);
        double probe = Pass(1, new[] { (IReadOnlySet<int>)new HashSet<int> { 0 } }, true);
        var rankingRows = new IReadOnlySet<int>[] { new HashSet<int>() }.Concat(Enumerable.Range(0, layers).Select(l => (IReadOnlySet<int>)new HashSet<int> { l })).ToList();
        double rankingBatched = Pass(1 + layers, rankingRows, true, probes: true);
        double rankingAllLogits = Pass(1 + layers, rankingRows, true);
        var sb = new StringBuilder();
        sb.AppendLine($"Per-step costs at position {position} ({layers} layers; DIRECTER tries {string.Join(", ", candidates.Select(c => c.Count))} layers), in units of one plain decode step ({plain * 1e3:F2} ms):");
        sb.AppendLine();
        sb.AppendLine("| what | cost |");
        sb.AppendLine("| --- | --- |");
        sb.AppendLine($"| one steered pass (all layers) | {steered / plain:F2} |");
        sb.AppendLine($"| worst-case step, sequential (raw + {candidates.Count} steered passes) | {(plain + (candidates.Count * steered)) / plain:F2} |");
        sb.AppendLine($"| worst-case step, batched (one pass of {1 + candidates.Count} rows) | {batchedWorst / plain:F2} |");
        sb.AppendLine($"| ranking, sequential (raw + {layers} probes, with capture) | {(1 + layers) * probe / plain:F2} |");
        sb.AppendLine($"| ranking, batched (one pass of {1 + layers} rows, with capture; the probe rows without logits) | {rankingBatched / plain:F2} |");
        sb.AppendLine($"| the same with every row's logits (before 2026-12-04 23:00) | {rankingAllLogits / plain:F2} |");
        input.Dispose();
        return sb.ToString();
    }
}
