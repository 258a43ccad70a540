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
    /// <summary>One runtime of the table: its k-row pass (milliseconds), the weights one row reads, what to dispose.</summary>
    private sealed record Runtime(string Name, string DType, Func<int, double> PassMilliseconds, double WeightsPerRow, IDisposable Owner);

    public static string Run(string checkpoint, string root, bool quick, int threads)
    {
        int[] ks = { 1, 2, 3, 4, 8, 13, 16, 32 };
        var report = new StringBuilder();
        report.AppendLine("Read-only pass of k rows at position 96 (one new token per row, logits for every row), median ms and cost relative to 1 row of the same runtime; one runtime at a time, its row counts interleaved. llama.cpp (LLamaSharp 0.30.0, the GGUFs of the peer section): the 96-token prompt in k sequences of one unified cache, the k tokens in one batch, one per sequence, their cells removed after each pass.");
        report.AppendLine();
        report.AppendLine("| runtime | " + string.Join(" | ", ks.Select(k => $"k={k}")) + " |");
        report.AppendLine("| --- |" + string.Concat(ks.Select(_ => " ---: |")));
        var runtimes = new List<Runtime>();
        int[] prompt = BenchModel.Prompt(96, 5, BenchModel.Spec.VocabSize);
        try
        {
            foreach (var dtype in new[] { ComputeDType.Float32, ComputeDType.BFloat16 })
            {
                foreach (bool kernels in new[] { true, false })
                {
                    var options = new ModelOptions { DType = dtype, MaxSequenceLength = 256, Threads = threads, CpuDecodeKernels = kernels };
                    runtimes.Add(Directer($"{(kernels ? "kernels" : "TorchSharp")} {(dtype == ComputeDType.Float32 ? "f32" : "bf16")}", dtype == ComputeDType.Float32 ? "f32" : "bf16", checkpoint, options, prompt));
                }
            }

            // int8 weights run only on the kernels (TorchSharp has no such weights).
            runtimes.Add(Directer("kernels int8", "q8_0", checkpoint, new ModelOptions { MaxSequenceLength = 256, Threads = threads, Int8Weights = true }, prompt));
            foreach (var type in new[] { Peer.GgufType.F32, Peer.GgufType.BF16, Peer.GgufType.Q8_0 })
            {
                var peer = new Peer.LlamaCppPeer(Peer.GgufConverter.EnsureConverted(checkpoint, type, Path.Combine(root, "gguf")), threads, 512, ks.Max());
                peer.PrepareRows(prompt, ks.Max());
                string name = type.ToString().ToLowerInvariant();
                runtimes.Add(new Runtime($"llama.cpp {name}", name, k => 1e3 * peer.RowPass(k), Peer.PeerBenchmark.ParameterCount(), peer));
            }

            var ms = runtimes.Select(_ => new double[ks.Length]).ToArray();
            int repeats = quick ? 3 : 9;
            for (int v = 0; v < runtimes.Count; v++)
            {
                // One runtime at a time, its row counts interleaved: libtorch's worker threads keep spinning for a while after
                // an operation, so a kernel pass timed right after a TorchSharp pass (the runtimes interleaved per k, as this
                // table was measured until 2026-12-04) shared the cores with them: the kernels' 1-row pass read 20–23 ms
                // instead of 9–11 ms and every ratio to it looked smaller than it is (8 rows f32 1.2–1.3× against 1.7–2.0×).
                Thread.Sleep(500);
                var samples = ks.Select(_ => new List<double>()).ToArray();
                for (int r = 0; r < repeats + 1; r++)
                {
                    for (int ki = 0; ki < ks.Length; ki++)
                    {
                        double t = runtimes[v].PassMilliseconds(ks[ki]);
                        if (r > 0)
                        {
                            samples[ki].Add(t);
                        }
                    }
                }

                for (int ki = 0; ki < ks.Length; ki++)
                {
                    ms[v][ki] = samples[ki].OrderBy(x => x).ElementAt(samples[ki].Count / 2);
                }
            }

            for (int v = 0; v < runtimes.Count; v++)
            {
                report.AppendLine($"| {runtimes[v].Name} | " + string.Join(" | ", ks.Select((k, i) => $"{ms[v][i]:F1} ms ({ms[v][i] / ms[v][0]:F2}×)")) + " |");
            }

            report.AppendLine();
            report.AppendLine(PeerTable(runtimes, ks, ms));
            report.AppendLine(ComputeTable(runtimes, ks, ms, threads));
        }
        finally
        {
            foreach (var runtime in runtimes)
            {
                runtime.Owner.Dispose();
            }
        }

        return report.ToString();
    }

    /// <summary>A Directer model with its 96-token cache written; its pass is a read-only forward of k rows.</summary>
    private static Runtime Directer(string name, string dtype, string checkpoint, ModelOptions options, int[] prompt)
    {
        var model = LlamaModel.Load(checkpoint, options);
        var cache = model.CreateCache();
        using (var p = tensor(prompt.Select(i => (long)i).ToArray()).unsqueeze(0))
        {
            model.Forward(p, cache).Dispose();
        }

        double Pass(int k)
        {
            using var ids = tensor(Enumerable.Range(0, k).Select(i => (long)(100 + i)).ToArray()).unsqueeze(1);
            var clock = Stopwatch.StartNew();
            model.Forward(ids, cache, new ForwardRequest { WriteCache = false }).Dispose();
            return clock.Elapsed.TotalMilliseconds;
        }

        double weights = model.WeightBytesPerToken / (double)(dtype == "f32" ? 4 : dtype == "bf16" ? 2 : 36.0 / 32);
        return new Runtime(name, dtype, Pass, weights, new Owner(model, cache));
    }

    private sealed class Owner(LlamaModel model, IDisposable cache) : IDisposable
    {
        public void Dispose()
        {
            cache.Dispose();
            model.Dispose();
        }
    }

    /// <summary>Each k-row pass of the kernels against llama.cpp's at the same dtype and k: time ratio (below 1: Directer faster), and the two costs relative to their own 1-row pass.</summary>
    private static string PeerTable(List<Runtime> runtimes, int[] ks, double[][] ms)
    {
        var report = new StringBuilder();
        report.AppendLine("The kernels' k-row pass × llama.cpp's at the same dtype and k (time; below 1.00: Directer faster):");
        report.AppendLine();
        report.AppendLine("| dtype | " + string.Join(" | ", ks.Select(k => $"k={k}")) + " |");
        report.AppendLine("| --- |" + string.Concat(ks.Select(_ => " ---: |")));
        for (int v = 0; v < runtimes.Count; v++)
        {
            int p = runtimes.FindIndex(r => r.Name.StartsWith("llama.cpp", StringComparison.Ordinal) && r.DType == runtimes[v].DType);
            if (!runtimes[v].Name.StartsWith("kernels", StringComparison.Ordinal) || p < 0)
            {
                continue;
            }

            report.AppendLine($"| {runtimes[v].DType} | " + string.Join(" | ", ks.Select((_, i) => $"{ms[v][i] / ms[p][i]:F2}")) + " |");
        }

        return report.ToString();
    }

    /// <summary>
    /// The kernels' k-row passes against the compute roofline (<see cref="ComputePeak"/>, measured after the passes):
    /// FLOPs = 2·k·(weights read per token), so the share of the FMA peak each pass reaches, and what a k-row pass at
    /// 1.3× the 1-row pass (issue 15's goal) would have to reach.
    /// </summary>
    private static string ComputeTable(List<Runtime> runtimes, int[] ks, double[][] ms, int threads)
    {
        double peak = ComputePeak.Gflops(threads);
        var report = new StringBuilder();
        report.AppendLine($"Compute roofline: float32 FMA peak {peak:F0} GFLOPS ({threads} threads, twelve independent chains of {(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "512" : "256")}-bit vectors each, median of 5, measured after the passes). Passes in GFLOPS (2 FLOPs per weight per row; attention left out) and their share of that peak; last column: what an 8-row pass must reach to cost 1.3× the 1-row pass (issue 15's goal).");
        report.AppendLine();
        int eight = Array.IndexOf(ks, 8);
        report.AppendLine("| runtime | " + string.Join(" | ", ks.Select(k => $"k={k}")) + " | k=8 at 1.3× needs |");
        report.AppendLine("| --- |" + string.Concat(ks.Select(_ => " ---: |")) + " ---: |");
        for (int v = 0; v < runtimes.Count; v++)
        {
            var (name, dtype, _, weights, _) = runtimes[v];
            // int8's products are integer multiply-adds, not float32 FMAs, and the TorchSharp rows are not the kernels: no
            // share of the FMA peak to report. llama.cpp's rows count the same two FLOPs per weight per row.
            if (name.StartsWith("TorchSharp", StringComparison.Ordinal) || dtype == "q8_0")
            {
                continue;
            }

            double Gflops(int k, double milliseconds) => 2.0 * k * weights / (milliseconds / 1e3) / 1e9;
            string needed = eight < 0 ? "-" : $"{Gflops(8, 1.3 * ms[v][0]):F0} GFLOPS ({100 * Gflops(8, 1.3 * ms[v][0]) / peak:F0}%)";
            report.AppendLine($"| {name} | " + string.Join(" | ", ks.Select((k, i) => $"{Gflops(k, ms[v][i]):F0} ({100 * Gflops(k, ms[v][i]) / peak:F0}%)")) + $" | {needed} |");
        }

        return report.ToString();
    }
}
