using Directer.Core.Generation;
using Directer.Core.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Bench;

/// <summary>Prefill and decode throughput in f32 and bf16 beside the memory-bandwidth roofline.</summary>
internal static class RuntimeBenchmark
{
    public static async Task<string> RunAsync(string checkpoint, bool quick)
    {
        double bandwidth = ReadBandwidthBytesPerSecond(quick);
        var report = new System.Text.StringBuilder();
        report.AppendLine($"Model: {BenchModel.Spec.Name} (random weights, Llama layout: vocab {BenchModel.Spec.VocabSize}, hidden {BenchModel.Spec.HiddenSize}, {BenchModel.Spec.NumHiddenLayers} layers, {BenchModel.Spec.NumAttentionHeads} heads / {BenchModel.Spec.NumKeyValueHeads} KV heads, MLP {BenchModel.Spec.IntermediateSize}), torch threads {torch.get_num_threads()}, {Environment.ProcessorCount} logical CPUs.");
        report.AppendLine($"Measured read bandwidth (torch sum over a 512 MiB float32 tensor, the faster of 4 KiB and huge pages): {bandwidth / 1e9:F2} GB/s.");
        report.AppendLine();
        report.AppendLine("| dtype | weights read / token | roofline decode tok/s | decode tok/s | % of roofline | prefill tok/s (128-token prompt) |");
        report.AppendLine("| --- | --- | --- | --- | --- | --- |");
        int[] prompt = BenchModel.Prompt(129, 1, BenchModel.Spec.VocabSize);
        int decodeTokens = quick ? 16 : 64;
        foreach (var dtype in new[] { ComputeDType.Float32, ComputeDType.BFloat16 })
        {
            using var model = LlamaModel.Load(checkpoint, new ModelOptions { DType = dtype, MaxSequenceLength = 512 });
            using var generator = new TokenGenerator(model);
            var options = new GenerationOptions { MaxNewTokens = decodeTokens, EosTokenIds = [] };
            await generator.GenerateAsync(prompt, options with { MaxNewTokens = 4 }); // warm-up
            var runs = new List<GenerationResult>();
            for (int i = 0; i < (quick ? 1 : 3); i++)
            {
                runs.Add(await generator.GenerateAsync(prompt, options));
            }

            double decode = runs.Select(r => r.DecodeTokensPerSecond).OrderBy(x => x).ElementAt(runs.Count / 2);
            double prefill = runs.Select(r => r.PrefillTokensPerSecond).OrderBy(x => x).ElementAt(runs.Count / 2);
            double bytes = model.WeightBytesPerToken;
            double roofline = bandwidth / bytes;
            report.AppendLine($"| {dtype} | {bytes / 1e6:F0} MB | {roofline:F1} | {decode:F1} | {100 * decode / roofline:F0}% | {prefill:F0} |");
        }

        return report.ToString();
    }

    /// <summary>
    /// Bytes per second torch reads when summing a 512 MiB float32 tensor with its threads, on libtorch's own 4 KiB
    /// pages and on transparent huge pages (where the model's weights live, <see cref="Directer.Core.Runtime.HugePageTensors"/>;
    /// the larger of the two is the roofline).
    /// </summary>
    public static (double SmallPages, double HugePages) ReadBandwidths(bool quick)
    {
        long count = 128L * 1024 * 1024; // 512 MiB of float32
        using var small = ones(count, ScalarType.Float32);
        using var huge = Directer.Core.Runtime.HugePageTensors.Empty([count], ScalarType.Float32);
        huge.fill_(1f);
        return (Sum(small, quick), Sum(huge, quick));
    }

    /// <summary>The roofline's bandwidth: the faster of <see cref="ReadBandwidths"/>.</summary>
    public static double ReadBandwidthBytesPerSecond(bool quick)
    {
        var (small, huge) = ReadBandwidths(quick);
        return Math.Max(small, huge);
    }

    private static double Sum(Tensor big, bool quick)
    {
        using (var warm = big.sum())
        {
        }

        double seconds = Measure.MedianSeconds(quick ? 3 : 7, () =>
        {
            using var s = big.sum();
            s.item<float>();
        });
        return big.NumberOfElements * 4 / seconds;
    }
}
