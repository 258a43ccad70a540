using Directer.Testing;

namespace Directer.Bench;

/// <summary>The random-weight Llama checkpoint the benchmarks run on (written once, cached on disk).</summary>
internal static class BenchModel
{
    /// <summary>~125M parameters: vocab 32000, hidden 768, 12 layers, 12 heads / 4 KV heads, MLP 2048.</summary>
    public static TinyCheckpointSpec Spec { get; } = new()
    {
        Name = "bench-llama-125m",
        VocabSize = 32000,
        HiddenSize = 768,
        IntermediateSize = 2048,
        NumHiddenLayers = 12,
        NumAttentionHeads = 12,
        NumKeyValueHeads = 4,
        MaxPositionEmbeddings = 2048,
        DType = "F32",
        Seed = 7,
    };

    public static string EnsureWritten(string root)
    {
        string folder = Path.Combine(root, Spec.Name);
        if (!File.Exists(Path.Combine(folder, "model.safetensors")))
        {
            Console.Error.WriteLine($"writing {Spec.Name} to {folder} ...");
            TinyCheckpoints.Write(Spec, folder);
        }

        return folder;
    }

    /// <summary>Deterministic pseudo-random prompt ids (avoiding the first few special-ish ids).</summary>
    public static int[] Prompt(int length, int seed, int vocab)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => random.Next(4, vocab)).ToArray();
    }
}
