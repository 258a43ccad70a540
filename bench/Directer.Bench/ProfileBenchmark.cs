using System.Diagnostics;
using System.Text;
using Directer.Core.Modeling;
using Directer.Core.Modeling.Kernels;
using Directer.Core.Runtime;
using static TorchSharp.torch;

namespace Directer.Bench;

/// <summary>
/// Where a 1-row decode step's time goes on the decode kernels: the whole step through
/// <see cref="LlamaModel.Forward"/>, the same sequence of matrix products alone on the same number of
/// kernel threads (weights of the bench model's shapes and encoding), the thread hand-offs alone (empty
/// jobs, as many as a step runs), and the rest (attention, norms, rotary, logits tensor, TorchSharp calls).
/// </summary>
internal static class ProfileBenchmark
{
    private sealed class EmptyJob : IParallelJob
    {
        public void Execute(int part, int parts)
        {
        }
    }

    public static unsafe string Run(string checkpoint, bool quick, int threads)
    {
        var spec = BenchModel.Spec;
        int hidden = spec.HiddenSize;
        int inter = spec.IntermediateSize;
        int headDim = hidden / spec.NumAttentionHeads;
        int qkvOut = (spec.NumAttentionHeads + (2 * spec.NumKeyValueHeads)) * headDim;
        var shapes = new List<(int Rows, int Cols)>();
        for (int l = 0; l < spec.NumHiddenLayers; l++)
        {
            shapes.Add((qkvOut, hidden));
            shapes.Add((hidden, hidden));
            shapes.Add((2 * inter, hidden));
            shapes.Add((hidden, inter));
        }

        shapes.Add((spec.VocabSize, hidden));
        int repeats = quick ? 9 : 25;
        var report = new StringBuilder();
        report.AppendLine($"1-row read-only decode step at position 96, {threads} kernel threads, median of {repeats}. Matrix products alone: the step's {shapes.Count} products over weights of the same shapes and encoding; hand-offs: see below.");
        report.AppendLine();
        report.AppendLine("Single thread, thread CPU time (robust to other processes time-slicing the cores, not to their memory traffic): the same products on the calling thread for 1, 2, 3, 4 and 8 rows.");
        report.AppendLine();
        report.AppendLine("| weights | step ms | matrix products ms (GB/s) | of the step | hand-offs ms | rest ms | 1 thread CPU ms, 1 row (GB/s) | 2 / 3 / 4 / 8 rows × 1 row (8 rows ms) |");
        report.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        using var pool = new KernelThreads(threads);
        var ceilings = new List<string>();
        int handOffs = 2 + (6 * spec.NumHiddenLayers);
        var empty = new EmptyJob();

        // A step's hand-offs with ~10 µs of serial work between jobs (norms, rotary), that work subtracted: workers
        // that spin before sleeping against workers that sleep at once, interleaved.
        using var sleeping = new KernelThreads(threads, TimeSpan.Zero);
        double serial = Median(repeats, () => Busy(handOffs));
        double sync = 0, syncSleeping = 0;
        for (int round = 0; round < 3; round++)
        {
            sync += Median(repeats, () => HandOffs(pool, empty, handOffs)) - serial;
            syncSleeping += Median(repeats, () => HandOffs(sleeping, empty, handOffs)) - serial;
        }

        sync /= 3;
        syncSleeping /= 3;
        foreach (var (name, dtype, int8) in new[] { ("f32", ComputeDType.Float32, false), ("bf16", ComputeDType.BFloat16, false), ("int8", ComputeDType.Float32, true) })
        {
            double step;
            using (var model = LlamaModel.Load(checkpoint, new ModelOptions { DType = dtype, MaxSequenceLength = 256, Threads = threads, Int8Weights = int8 }))
            using (var cache = model.CreateCache())
            {
                int[] prompt = BenchModel.Prompt(96, 5, spec.VocabSize);
                using (var p = tensor(prompt.Select(i => (long)i).ToArray()).unsqueeze(0))
                {
                    model.Forward(p, cache).Dispose();
                }

                using var ids = tensor(new long[] { 100 }).unsqueeze(1);
                var request = new ForwardRequest { WriteCache = false };
                step = Median(repeats, () => model.Forward(ids, cache, request).Dispose());
            }

            var tensors = new List<Tensor>();
            var matrices = new List<IWeightMatrix>();
            try
            {
                foreach (var (rows, cols) in shapes)
                {
                    using var scope = NewDisposeScope();
                    var f = randn(rows, cols) * 0.02f;
                    Tensor t = int8 ? CpuDecoder.QuantizeInt8(f) : dtype == ComputeDType.BFloat16 ? f.to_type(ScalarType.BFloat16).contiguous() : f.contiguous();
                    tensors.Add(t.DetachFromDisposeScope());
                    byte* address = TensorMemory.Address(t);
                    matrices.Add(int8
                        ? new Int8Matrix(address, rows, cols, MatrixKernels.Best)
                        : dtype == ComputeDType.BFloat16 ? new WeightMatrix<BF16Load>(address, rows, cols, MatrixKernels.Best) : new WeightMatrix<F32Load>(address, rows, cols, MatrixKernels.Best));
                }

                long bytes = matrices.Sum(m => m.Bytes);
                float* x = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(Math.Max(inter, hidden) * 4), 64);
                float* y = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(spec.VocabSize * 4 * 8), 64);
                byte* prepared = (byte*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(matrices.Max(m => m.PreparedRowBytes) * 8) + 64, 64);
                float* x8 = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(Math.Max(inter, hidden) * 4 * 8), 64);
                try
                {
                    for (int i = 0; i < Math.Max(inter, hidden); i++)
                    {
                        x[i] = (i % 7) * 0.1f;
                    }

                    for (int i = 0; i < Math.Max(inter, hidden) * 8; i++)
                    {
                        x8[i] = (i % 11) * 0.1f;
                    }

                    var job = new MatrixJob();
                    double products = Median(repeats, () =>
                    {
                        foreach (var m in matrices)
                        {
                            byte* input = (byte*)x;
                            if (m.PreparedRowBytes > 0)
                            {
                                m.Prepare(x, 1, prepared);
                                input = prepared;
                            }

                            job.Set(m, input, 1, y, m.Rows);
                            pool.Run(job);
                        }
                    });
                    double[] cpu = new double[5];
                    int[] ks = { 1, 2, 3, 4, 8 };
                    for (int i = 0; i < ks.Length; i++)
                    {
                        int k = ks[i];
                        cpu[i] = MedianCpu(repeats, () =>
                        {
                            foreach (var m in matrices)
                            {
                                byte* input = (byte*)x8;
                                if (m.PreparedRowBytes > 0)
                                {
                                    m.Prepare(x8, k, prepared);
                                    input = prepared;
                                }

                                m.Multiply(input, k, y, m.Rows, 0, m.Rows);
                            }
                        });
                    }

                    // Compute ceiling: one L2-resident matrix (the first qkv rows) multiplied over and over.
                    var small = matrices[0];
                    int smallRows = 128;
                    long smallBytes = small.Bytes / small.Rows * smallRows;
                    double InCache(int k, float* source) => MedianCpu(repeats, () =>
                    {
                        byte* input = (byte*)source;
                        if (small.PreparedRowBytes > 0)
                        {
                            small.Prepare(source, k, prepared);
                            input = prepared;
                        }

                        for (int rep = 0; rep < 200; rep++)
                        {
                            small.Multiply(input, k, y, small.Rows, 0, smallRows);
                        }
                    });
                    double inCache = InCache(1, x);
                    double inCache8 = InCache(8, x8);
                    ceilings.Add($"{name} {smallBytes * 200 / inCache / 1e9:F1} GB/s (8 rows: {inCache8 / inCache:F2}× the time of 1)");
                    report.AppendLine($"| {name} | {step * 1e3:F1} | {products * 1e3:F1} ({bytes / products / 1e9:F1}) | {products / step:P0} | {sync * 1e3:F2} | {(step - products) * 1e3:F1} | {cpu[0] * 1e3:F1} ({bytes / cpu[0] / 1e9:F1}) | {string.Join(" / ", cpu.Skip(1).Select(c => $"{c / cpu[0]:F2}×"))} ({cpu[4] * 1e3:F1} ms) |");
                }
                finally
                {
                    System.Runtime.InteropServices.NativeMemory.AlignedFree(x);
                    System.Runtime.InteropServices.NativeMemory.AlignedFree(y);
                    System.Runtime.InteropServices.NativeMemory.AlignedFree(prepared);
                    System.Runtime.InteropServices.NativeMemory.AlignedFree(x8);
                }
            }
            finally
            {
                foreach (var t in tensors)
                {
                    t.Dispose();
                }
            }
        }

        report.AppendLine();
        report.AppendLine($"- Hand-offs: {handOffs} empty parallel jobs with ~10 µs of serial work between them (subtracted): {sync * 1e3:F2} ms with workers that spin {KernelThreads.DefaultSpin.TotalMicroseconds:F0} µs before sleeping, {syncSleeping * 1e3:F2} ms with workers that sleep at once.");
        report.AppendLine($"- In-cache compute ceiling, 1 thread, 1 row (a {128}-output slice of the first matrix multiplied 200 times, L2-resident; 8 rows at their FMA peak take ~4× the latency-bound 1-row time): {string.Join(", ", ceilings)}.");
        return report.ToString();
    }

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>CPU time of the calling thread (Linux CLOCK_THREAD_CPUTIME_ID); wall time elsewhere.</summary>
    private static double ThreadCpuSeconds()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(3, out var t) == 0)
        {
            return t.Seconds + (t.Nanoseconds * 1e-9);
        }

        return Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
    }

    private static double MedianCpu(int repeats, Action action)
    {
        action();
        var times = new List<double>();
        for (int i = 0; i < repeats; i++)
        {
            double start = ThreadCpuSeconds();
            action();
            times.Add(ThreadCpuSeconds() - start);
        }

        times.Sort();
        return times[times.Count / 2];
    }

    private static void HandOffs(KernelThreads pool, IParallelJob job, int count)
    {
        for (int i = 0; i < count; i++)
        {
            Busy(1);
            pool.Run(job);
        }
    }

    private static void Busy(int times)
    {
        for (int i = 0; i < times; i++)
        {
            long until = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 100_000);
            while (Stopwatch.GetTimestamp() < until)
            {
            }
        }
    }

    /// <summary>One untimed warm-up run, then <see cref="Measure.MedianSeconds"/>.</summary>
    private static double Median(int repeats, Action action)
    {
        action();
        return Measure.MedianSeconds(repeats, action);
    }
}
