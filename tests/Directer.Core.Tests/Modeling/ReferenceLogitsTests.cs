using System.Text.Json;
using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Runtime;
using Directer.Core.Tests.Support;
using static TorchSharp.torch;

namespace Directer.Core.Tests.Modeling;

/// <summary>
/// Logits and greedy tokens against goldens from an independent float32 PyTorch re-implementation
/// of transformers' Llama/Qwen2/Mistral forward (reference/llama_reference.py; re-make with
/// reference/make_goldens.sh).
/// </summary>
public sealed class ReferenceLogitsTests
{
    // The reference computes in float32 over the stored weights; we compute in float32 too, so only
    // summation order differs.
    private const double Float32Tolerance = 1e-5; // seen: at most 1.6e-6 on logits up to ~5

    public ReferenceLogitsTests() => TorchRuntime.EnsureInitialized();

    // Both runtimes of the one model definition: the CPU decode kernels (default) and TorchSharp.
    public static TheoryData<string, bool> Checkpoints()
    {
        var data = new TheoryData<string, bool>();
        foreach (string name in GeneratedCheckpoints.Names)
        {
            data.Add(name, true);
            data.Add(name, false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Checkpoints))]
    public void LogitsMatchTheReference(string name, bool kernels)
    {
        var golden = Golden.Load(name);
        using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf(name), new ModelOptions { MaxSequenceLength = 32, CpuDecodeKernels = kernels });
        Assert.Equal(kernels, model.UsesDecodeKernels);
        using var cache = model.CreateCache();
        using var ids = tensor(golden.InputIds.Select(i => (long)i).ToArray()).unsqueeze(0);
        using var logits = model.Forward(ids, cache, new ForwardRequest { LastPositionOnly = false });
        using var expected = tensor(golden.Logits.SelectMany(r => r).ToArray()).reshape(1, golden.Logits.Length, -1);
        IncrementalDecodingTests.AssertClose(expected, logits, Float32Tolerance, name);
    }

    [Theory]
    [MemberData(nameof(Checkpoints))]
    public async Task GreedyTokensMatchTheReference(string name, bool kernels)
    {
        var golden = Golden.Load(name);
        using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf(name), new ModelOptions { MaxSequenceLength = 32, CpuDecodeKernels = kernels });
        using var generator = new TokenGenerator(model);
        var result = await generator.GenerateAsync(golden.InputIds, new GenerationOptions { MaxNewTokens = golden.GreedyIds.Length, EosTokenIds = [] });
        Assert.Equal(golden.GreedyIds, result.Ids);
    }

    private sealed record Golden(int[] InputIds, float[][] Logits, int[] GreedyIds)
    {
        public static Golden Load(string name)
        {
            string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "goldens", name + ".json");
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            return new Golden(
                root.GetProperty("input_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
                root.GetProperty("logits").EnumerateArray().Select(r => r.EnumerateArray().Select(e => e.GetSingle()).ToArray()).ToArray(),
                root.GetProperty("greedy_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        }
    }
}
