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
        report.AppendLine($"1-row read-only decode step at position 96, {threads} kernel threads, median of {repeats}. Matrix products alone: the step's {shapes.Count} products over weights of the same shapes and encoding; hand-offs: {2 + (6 * spec.NumHiddenLayers)} empty parallel jobs (a step's count).");
        report.AppendLine();
        report.AppendLine("| weights | step ms | matrix products ms (GB/s) | of the step | hand-offs ms | rest ms |");
        report.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        using var pool = new KernelThreads(threads);
        int handOffs = 2 + (6 * spec.NumHiddenLayers);
        var empty = new EmptyJob();
        double sync = Median(repeats, () =>
        {
            for (int i = 0; i < handOffs; i++)
            {
                pool.Run(empty);
            }
        });

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
                float* y = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(spec.VocabSize * 4), 64);
                byte* prepared = (byte*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)matrices.Max(m => m.PreparedRowBytes) + 64, 64);
                try
                {
                    for (int i = 0; i < Math.Max(inter, hidden); i++)
                    {
                        x[i] = (i % 7) * 0.1f;
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
                    report.AppendLine($"| {name} | {step * 1e3:F1} | {products * 1e3:F1} ({bytes / products / 1e9:F1}) | {products / step:P0} | {sync * 1e3:F2} | {(step - products) * 1e3:F1} |");
                }
                finally
                {
                    System.Runtime.InteropServices.NativeMemory.AlignedFree(x);
                    System.Runtime.InteropServices.NativeMemory.AlignedFree(y);
                    System.Runtime.InteropServices.NativeMemory.AlignedFree(prepared);
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

        return report.ToString();
    }

    private static double Median(int repeats, Action action)
    {
        action();
        var times = new List<double>();
        for (int i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times.Add(clock.Elapsed.TotalSeconds);
        }

        times.Sort();
        return times[times.Count / 2];
    }
}
