using System.Diagnostics;
using System.Text;
using Directer.Core.Modeling;
using static TorchSharp.torch;

namespace Directer.Bench;

/// <summary>
/// Cost of one read-only pass of k rows (k new tokens in k batch rows over a shared 96-token cache,
/// what DIRECTER's candidates and ranking run) relative to a 1-row pass, for the decode kernels and
/// the TorchSharp path (and the kernels' int8 weights), interleaved, medians.
/// </summary>
internal static class KernelBenchmark
{
    public static string Run(string checkpoint, bool quick, int threads)
    {
        int[] ks = { 1, 2, 3, 4, 8, 13, 16, 32 };
        var report = new StringBuilder();
        report.AppendLine("Read-only pass of k rows at position 96 (one new token per row), median ms and cost relative to 1 row of the same runtime; one runtime at a time, its row counts interleaved.");
        report.AppendLine();
        report.AppendLine("| runtime | " + string.Join(" | ", ks.Select(k => $"k={k}")) + " |");
        report.AppendLine("| --- |" + string.Concat(ks.Select(_ => " ---: |")));
        var variants = new List<(string Name, LlamaModel Model)>();
        try
        {
            foreach (var dtype in new[] { ComputeDType.Float32, ComputeDType.BFloat16 })
            {
                foreach (bool kernels in new[] { true, false })
                {
                    var model = LlamaModel.Load(checkpoint, new ModelOptions { DType = dtype, MaxSequenceLength = 256, Threads = threads, CpuDecodeKernels = kernels });
                    variants.Add(($"{(kernels ? "kernels" : "TorchSharp")} {(dtype == ComputeDType.Float32 ? "f32" : "bf16")}", model));
                }
            }

            // int8 weights run only on the kernels (TorchSharp has no such weights).
            variants.Add(("kernels int8", LlamaModel.Load(checkpoint, new ModelOptions { MaxSequenceLength = 256, Threads = threads, Int8Weights = true })));

            var caches = variants.Select(v => v.Model.CreateCache()).ToList();
            int[] prompt = BenchModel.Prompt(96, 5, BenchModel.Spec.VocabSize);
            using (var p = tensor(prompt.Select(i => (long)i).ToArray()).unsqueeze(0))
            {
                for (int i = 0; i < variants.Count; i++)
                {
                    variants[i].Model.Forward(p, caches[i]).Dispose();
                }
            }

            // One runtime at a time, its row counts interleaved: libtorch's worker threads keep spinning for a while after
            // an operation, so a kernel pass timed right after a TorchSharp pass (the runtimes interleaved per k, as this
            // table was measured until 2026-12-04) shared the cores with them: the kernels' 1-row pass read 20–23 ms
            // instead of 9–11 ms and every ratio to it looked smaller than it is (8 rows f32 1.2–1.3× against 1.7–2.0×).
            var ms = variants.Select(_ => new double[ks.Length]).ToArray();
            int repeats = quick ? 3 : 9;
            for (int v = 0; v < variants.Count; v++)
            {
                var samples = ks.Select(_ => new List<double>()).ToArray();
                for (int r = 0; r < repeats + 1; r++)
                {
                    for (int ki = 0; ki < ks.Length; ki++)
                    {
                        using var ids = tensor(Enumerable.Range(0, ks[ki]).Select(i => (long)(100 + i)).ToArray()).unsqueeze(1);
                        var clock = Stopwatch.StartNew();
                        variants[v].Model.Forward(ids, caches[v], new ForwardRequest { WriteCache = false }).Dispose();
                        if (r > 0)
                        {
                            samples[ki].Add(clock.Elapsed.TotalMilliseconds);
                        }
                    }
                }

                for (int ki = 0; ki < ks.Length; ki++)
                {
                    ms[v][ki] = samples[ki].OrderBy(x => x).ElementAt(samples[ki].Count / 2);
                }
            }

            for (int v = 0; v < variants.Count; v++)
            {
                report.AppendLine($"| {variants[v].Name} | " + string.Join(" | ", ks.Select((k, i) => $"{ms[v][i]:F1} ms ({ms[v][i] / ms[v][0]:F2}×)")) + " |");
            }

            report.AppendLine();
            report.AppendLine(ComputeTable(variants, ks, ms, threads));

            foreach (var c in caches)
            {
                c.Dispose();
            }
        }
        finally
        {
            foreach (var (_, model) in variants)
            {
                model.Dispose();
            }
        }

        return report.ToString();
    }

    /// <summary>
    /// The kernels' k-row passes against the compute roofline (<see cref="ComputePeak"/>, measured after the passes):
    /// FLOPs = 2·k·(weights read per token), so the share of the FMA peak each pass reaches, and what a k-row pass at
    /// 1.3× the 1-row pass (issue 15's goal) would have to reach.
    /// </summary>
    private static string ComputeTable(List<(string Name, LlamaModel Model)> variants, int[] ks, double[][] ms, int threads)
    {
        double peak = ComputePeak.Gflops(threads);
        var report = new StringBuilder();
        report.AppendLine($"Compute roofline: float32 FMA peak {peak:F0} GFLOPS ({threads} threads, twelve independent chains of {(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "512" : "256")}-bit vectors each, median of 5, measured after the passes). Kernels' passes in GFLOPS (2 FLOPs per weight per row; attention left out) and their share of that peak; last column: what an 8-row pass must reach to cost 1.3× the 1-row pass (issue 15's goal).");
        report.AppendLine();
        int eight = Array.IndexOf(ks, 8);
        report.AppendLine("| runtime | " + string.Join(" | ", ks.Select(k => $"k={k}")) + " | k=8 at 1.3× needs |");
        report.AppendLine("| --- |" + string.Concat(ks.Select(_ => " ---: |")) + " ---: |");
        for (int v = 0; v < variants.Count; v++)
        {
            var (name, model) = variants[v];
            // int8's products are integer multiply-adds, not float32 FMAs: no share of the FMA peak to report.
            if (!name.StartsWith("kernels", StringComparison.Ordinal) || name.EndsWith("int8", StringComparison.Ordinal))
            {
                continue;
            }

            double weights = model.WeightBytesPerToken / (double)(name.EndsWith("f32", StringComparison.Ordinal) ? 4 : 2);
            double Gflops(int k, double milliseconds) => 2.0 * k * weights / (milliseconds / 1e3) / 1e9;
            string needed = eight < 0 ? "-" : $"{Gflops(8, 1.3 * ms[v][0]):F0} GFLOPS ({100 * Gflops(8, 1.3 * ms[v][0]) / peak:F0}%)";
            report.AppendLine($"| {name} | " + string.Join(" | ", ks.Select((k, i) => $"{Gflops(k, ms[v][i]):F0} ({100 * Gflops(k, ms[v][i]) / peak:F0}%)")) + $" | {needed} |");
        }

        return report.ToString();
    }
}
