using System.Diagnostics;
using System.Text;
using Directer.Core.Modeling;
using Directer.Core.Runtime;
using static TorchSharp.torch;

namespace Directer.Bench.Peer;

/// <summary>
/// Directer beside llama.cpp (LLamaSharp 0.30.0, CPU backend) on the same weights: greedy decode
/// after a 32-token prompt and a 128-token prefill, engines interleaved round by round (medians), the
/// memory roofline measured in the same rounds, and a check that f32 greedy ids agree.
/// </summary>
internal static class PeerBenchmark
{
    private sealed record Engine(string Name, string DType, double BytesPerToken, Func<int[], int, (int[] Ids, double Prefill, double Decode)> Greedy, IDisposable Owner);

    public static string Run(string checkpoint, string root, bool quick, int threads)
    {
        var engines = new List<Engine>();
        try
        {
            foreach (var (name, dtype, options, hugePages) in DirecterVariants())
            {
                LlamaModel model;
                HugePageTensors.Enabled = hugePages;
                try
                {
                    model = LlamaModel.Load(checkpoint, options with { MaxSequenceLength = 512, Threads = threads });
                }
                finally
                {
                    HugePageTensors.Enabled = true;
                }
                engines.Add(new Engine(name, dtype, model.WeightBytesPerToken, (p, n) => DirecterGreedy(model, p, n), model));
            }

            long parameters = ParameterCount();
            foreach (var type in new[] { GgufType.F32, GgufType.BF16, GgufType.F16, GgufType.Q8_0 })
            {
                string gguf = GgufConverter.EnsureConverted(checkpoint, type, Path.Combine(root, "gguf"));
                var peer = new LlamaCppPeer(gguf, threads, 512);
                double bytes = type switch { GgufType.F32 => 4.0, GgufType.Q8_0 => 34.0 / 32, _ => 2.0 } * parameters;
                engines.Add(new Engine($"llama.cpp {type.ToString().ToLowerInvariant()}", type.ToString().ToLowerInvariant(), bytes, peer.Greedy, peer));
            }

            return Compare(engines, quick);
        }
        finally
        {
            foreach (var e in engines)
            {
                e.Owner.Dispose();
            }
        }
    }

    /// <summary>The Directer configurations compared (fast decode kernels where the build has them).</summary>
    /// <remarks>The "4 KiB pages" rows load the same weights without huge-page advice (<see cref="HugePageTensors"/>): what it gains, in the same rounds.</remarks>
    public static IEnumerable<(string Name, string DType, ModelOptions Options, bool HugePages)> DirecterVariants()
    {
        yield return ("Directer f32", "f32", new ModelOptions { DType = ComputeDType.Float32 }, true);
        yield return ("Directer bf16", "bf16", new ModelOptions { DType = ComputeDType.BFloat16 }, true);
        yield return ("Directer int8", "q8_0", new ModelOptions { Int8Weights = true }, true);
        yield return ("Directer f32, 4 KiB pages", "-", new ModelOptions { DType = ComputeDType.Float32 }, false);
        yield return ("Directer bf16, 4 KiB pages", "-", new ModelOptions { DType = ComputeDType.BFloat16 }, false);
        yield return ("Directer f32, TorchSharp path", "-", new ModelOptions { DType = ComputeDType.Float32, CpuDecodeKernels = false }, true);
        yield return ("Directer bf16, TorchSharp path", "-", new ModelOptions { DType = ComputeDType.BFloat16, CpuDecodeKernels = false }, true);
    }

    /// <summary>Engines measured for peak RSS, each in a fresh child process.</summary>
    public static readonly string[] RssEngines = ["Directer f32", "Directer bf16", "Directer int8", "llama.cpp f32", "llama.cpp bf16", "llama.cpp q8_0"];

    /// <summary>
    /// Child-process body: loads one engine, prefills 128 tokens and decodes 64, prints the peak RSS
    /// (VmHWM, MiB) of the whole process (runtime, weights, cache, buffers).
    /// </summary>
    public static void RssChild(string checkpoint, string root, string engine, int threads)
    {
        int[] prompt = BenchModel.Prompt(128, 12, BenchModel.Spec.VocabSize);
        if (engine.StartsWith("llama.cpp", StringComparison.Ordinal))
        {
            var type = Enum.Parse<GgufType>(engine["llama.cpp ".Length..], ignoreCase: true);
            using var peer = new LlamaCppPeer(GgufConverter.EnsureConverted(checkpoint, type, Path.Combine(root, "gguf")), threads, 512);
            peer.Greedy(prompt, 64);
        }
        else
        {
            var options = DirecterVariants().First(v => v.Name == engine).Options;
            using var model = LlamaModel.Load(checkpoint, options with { MaxSequenceLength = 512, Threads = threads });
            DirecterGreedy(model, prompt, 64);
        }

        Console.WriteLine($"peak-rss-mib {Measure.PeakRssMiB():F0}");
    }

    /// <summary>Peak RSS of each engine, measured in a child process of this program.</summary>
    public static string PeakRss(string checkpoint)
    {
        var sb = new StringBuilder();
        sb.AppendLine("Peak resident memory (VmHWM) of a fresh process that loads one engine, prefills 128 tokens and decodes 64 (512-position cache; the .NET runtime and libtorch or llama.cpp included):");
        sb.AppendLine();
        sb.AppendLine("| engine | peak RSS |");
        sb.AppendLine("| --- | ---: |");
        foreach (string engine in RssEngines)
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
            if (!Environment.ProcessPath!.EndsWith("Directer.Bench", StringComparison.Ordinal))
            {
                start.ArgumentList.Add(typeof(PeerBenchmark).Assembly.Location);
            }

            start.ArgumentList.Add("rss-child");
            start.ArgumentList.Add(engine);
            using var child = Process.Start(start)!;
            child.StandardError.ReadToEndAsync();
            string output = child.StandardOutput.ReadToEnd();
            child.WaitForExit();
            string? line = output.Split('\n').FirstOrDefault(l => l.StartsWith("peak-rss-mib ", StringComparison.Ordinal));
            sb.AppendLine($"| {engine} | {(line is null ? "failed" : line["peak-rss-mib ".Length..] + " MiB")} |");
        }

        _ = checkpoint;
        return sb.ToString();
    }

    /// <summary>
    /// int8 against float32 on the same tokens (teacher-forced: a 32-token prompt plus float32's 64 greedy
    /// tokens, logits at every position): max |Δlogit|, the largest logit, and how often the argmax agrees.
    /// </summary>
    public static string Int8Error(string checkpoint, string? demo, int threads)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| model | positions | max \\|Δlogit\\| | largest \\|logit\\| | greedy agreement |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var (name, path) in new[] { (BenchModel.Spec.Name, checkpoint), ("directer-demo", demo) })
        {
            if (path is null)
            {
                continue;
            }

            using var exact = LlamaModel.Load(path, new ModelOptions { MaxSequenceLength = 256, Threads = threads });
            using var int8 = LlamaModel.Load(path, new ModelOptions { MaxSequenceLength = 256, Threads = threads, Int8Weights = true });
            int[] prompt = BenchModel.Prompt(32, 21, exact.VocabSize);
            var (generated, _, _) = DirecterGreedy(exact, prompt, 64);
            using var ids = tensor(prompt.Concat(generated).Select(i => (long)i).ToArray()).unsqueeze(0);
            var all = new ForwardRequest { LastPositionOnly = false };
            using var c1 = exact.CreateCache();
            using var c2 = int8.CreateCache();
            using var a = exact.Forward(ids, c1, all);
            using var b = int8.Forward(ids, c2, all);
            double error = (a - b).abs().max().item<float>();
            double scale = a.abs().max().item<float>();
            using var agree = a.argmax(-1).eq(b.argmax(-1)).to_type(ScalarType.Float32).mean();
            sb.AppendLine($"| {name} | {ids.shape[1]} | {error:F4} | {scale:F2} | {agree.item<float>():P1} |");
        }

        return sb.ToString();
    }

    /// <summary>Idle time before each timed run, so that no engine's worker threads from the run before still hold a core.</summary>
    private const int SettleMilliseconds = 500;

    private static string Compare(List<Engine> engines, bool quick)
    {
        int rounds = quick ? 1 : 5;
        int newTokens = quick ? 16 : 64;
        int[] decodePrompt = BenchModel.Prompt(32, 11, BenchModel.Spec.VocabSize);
        int[] prefillPrompt = BenchModel.Prompt(128, 12, BenchModel.Spec.VocabSize);
        var decode = engines.ToDictionary(e => e.Name, _ => new List<double>());
        var prefill = engines.ToDictionary(e => e.Name, _ => new List<double>());
        var bandwidth = new List<double>();
        var smallPages = new List<double>();
        var hugePages = new List<double>();
        var ids = new Dictionary<string, int[]>();
        foreach (var e in engines)
        {
            e.Greedy(decodePrompt, 4); // warm-up
        }

        for (int r = 0; r < rounds; r++)
        {
            var (small, huge) = RuntimeBenchmark.ReadBandwidths(quick: true);
            smallPages.Add(small);
            hugePages.Add(huge);
            bandwidth.Add(Math.Max(small, huge));
            foreach (var e in r % 2 == 0 ? engines : Enumerable.Reverse(engines))
            {
                // The engine before may leave worker threads spinning (libtorch's, llama.cpp's): a kernel pass timed
                // right after TorchSharp passes read 20–23 ms instead of 9–11 ms in the k-row table.
                Thread.Sleep(SettleMilliseconds);
                var run = e.Greedy(decodePrompt, newTokens);
                ids[e.Name] = run.Ids;
                decode[e.Name].Add((newTokens - 1) / run.Decode);
                Thread.Sleep(SettleMilliseconds);
                var pre = e.Greedy(prefillPrompt, 1);
                prefill[e.Name].Add(prefillPrompt.Length / pre.Prefill);
            }
        }

        double bw = Median(bandwidth);
        var report = new StringBuilder();
        report.AppendLine($"{rounds} interleaved rounds (engine order alternating, {SettleMilliseconds} ms idle before each timed run), medians; decode = greedy tokens/s after a 32-token prompt ({newTokens} tokens), prefill = 128-token prompt. Read bandwidth (torch sum over 512 MiB, same rounds, the faster of 4 KiB pages and huge pages, as the weights' pages): median {bw / 1e9:F1} GB/s (range {bandwidth.Min() / 1e9:F1}–{bandwidth.Max() / 1e9:F1}; 4 KiB pages {Median(smallPages) / 1e9:F1}, huge pages {Median(hugePages) / 1e9:F1}).");
        report.AppendLine();
        report.AppendLine("| engine | weights / token | roofline tok/s | decode tok/s | % roofline | decode × llama.cpp (same dtype) | prefill tok/s | prefill × llama.cpp |");
        report.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var e in engines)
        {
            double d = Median(decode[e.Name]);
            double p = Median(prefill[e.Name]);
            double roof = bw / e.BytesPerToken;
            var peer = engines.FirstOrDefault(x => x.Name.StartsWith("llama.cpp", StringComparison.Ordinal) && x.DType == e.DType && x != e);
            string dRatio = peer is null ? "-" : $"{d / Median(decode[peer.Name]):F2}×";
            string pRatio = peer is null ? "-" : $"{p / Median(prefill[peer.Name]):F2}×";
            report.AppendLine($"| {e.Name} | {e.BytesPerToken / 1e6:F0} MB | {roof:F1} | {d:F1} | {100 * d / roof:F0}% | {dRatio} | {p:F0} | {pRatio} |");
        }

        report.AppendLine();
        foreach (var e in engines.Where(e => !e.Name.StartsWith("llama.cpp", StringComparison.Ordinal)))
        {
            var peer = engines.FirstOrDefault(x => x.Name.StartsWith("llama.cpp", StringComparison.Ordinal) && x.DType == e.DType);
            if (peer is not null)
            {
                int same = ids[e.Name].Zip(ids[peer.Name]).TakeWhile(p => p.First == p.Second).Count();
                report.AppendLine($"- Greedy ids, {e.Name} vs {peer.Name}: first {same} of {newTokens} identical{(same == newTokens ? " (all)" : string.Empty)}.");
            }
        }

        return report.ToString();
    }

    /// <summary>Greedy decoding straight on the model (no generator): prefill, then one token per pass.</summary>
    public static (int[] Ids, double Prefill, double Decode) DirecterGreedy(LlamaModel model, int[] prompt, int newTokens)
    {
        using var cache = model.CreateCache();
        var ids = new int[newTokens];
        var clock = Stopwatch.StartNew();
        using (var input = tensor(prompt.Select(i => (long)i).ToArray()).unsqueeze(0))
        using (var logits = model.Forward(input, cache))
        using (var best = logits.argmax(-1))
        {
            ids[0] = (int)best.item<long>();
        }

        double prefill = clock.Elapsed.TotalSeconds;
        clock.Restart();
        for (int t = 1; t < newTokens; t++)
        {
            using var input = tensor(new long[] { ids[t - 1] }).unsqueeze(0);
            using var logits = model.Forward(input, cache);
            using var best = logits.argmax(-1);
            ids[t] = (int)best.item<long>();
        }

        return (ids, prefill, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Weights one decode row reads: the layers and the output head (not the embedding table).</summary>
    internal static long ParameterCount()
    {
        var s = BenchModel.Spec;
        long h = s.HiddenSize;
        long kv = (long)s.NumKeyValueHeads * (h / s.NumAttentionHeads);
        long layer = (h * h * 2) + (h * kv * 2) + (3 * h * s.IntermediateSize);
        return (layer * s.NumHiddenLayers) + ((long)s.VocabSize * h);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted[sorted.Count / 2];
    }
}
