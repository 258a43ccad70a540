using Directer.Core.Modeling;
using Directer.Core.Runtime;
using Directer.Core.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Core.Tests.Modeling;

public sealed class IncrementalDecodingTests
{
    private static readonly long[] Ids = { 1, 17, 42, 5, 88, 23, 9, 61, 30, 77, 4, 50, 12, 2, 66 };

    public IncrementalDecodingTests() => TorchRuntime.EnsureInitialized();

    public static TheoryData<string> Checkpoints() => GeneratedCheckpoints.All();

    // Tolerances: f32 compute differs from the full pass only in summation order (prefix + fresh
    // attention parts, matmul blocking): 1e-4 absolute on logits of magnitude ~1-10. bf16 compute
    // rounds every activation to 8 mantissa bits, so its bound is 0.1 absolute.
    [Theory]
    [MemberData(nameof(Checkpoints))]
    public void KvCachedDecodingGivesTheLogitsOfAFullForward(string name)
    {
        foreach (var (dtype, tolerance) in new[] { (ComputeDType.Float32, 1e-4), (ComputeDType.BFloat16, 1e-1) })
        {
            using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf(name), new ModelOptions { DType = dtype, MaxSequenceLength = 32 });
            using var full = FullForward(model);
            using var cache = model.CreateCache();
            using var prefix = tensor(Ids.Take(5).ToArray()).unsqueeze(0);
            using var first = model.Forward(prefix, cache, new ForwardRequest { LastPositionOnly = false });
            AssertClose(full.narrow(1, 0, 5), first, tolerance, $"{name} {dtype} prefill");
            for (int i = 5; i < Ids.Length; i++)
            {
                using var input = tensor(new[] { Ids[i] }).unsqueeze(0);
                using var step = model.Forward(input, cache);
                AssertClose(full.narrow(1, i, 1), step, tolerance, $"{name} {dtype} position {i}");
            }

            Assert.Equal(Ids.Length, cache.Length);
        }
    }

    [Theory]
    [MemberData(nameof(Checkpoints))]
    public void ABatchedReadOnlyPassReproducesTheRawStepForEveryRowAndLeavesTheCacheAlone(string name)
    {
        using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf(name), new ModelOptions { MaxSequenceLength = 32 });
        using var cache = model.CreateCache();
        using var prefix = tensor(Ids.Take(8).ToArray()).unsqueeze(0);
        model.Forward(prefix, cache).Dispose();

        using var batch = tensor(new long[] { 33, 33, 33 }).unsqueeze(1);
        using var batched = model.Forward(batch, cache, new ForwardRequest { WriteCache = false });
        Assert.Equal(8, cache.Length);

        using var single = model.Forward(tensor(new long[] { 33 }).unsqueeze(0), cache);
        Assert.Equal(9, cache.Length);
        for (int row = 0; row < 3; row++)
        {
            AssertClose(single, batched.narrow(0, row, 1), 1e-5, $"{name} row {row}");
        }
    }

    [Fact]
    public void GrowingPastTheContextIsAClearError()
    {
        using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf("llama-gqa-f32"), new ModelOptions { MaxSequenceLength = 8 });
        using var cache = model.CreateCache();
        using var ids = tensor(Ids.Take(6).ToArray()).unsqueeze(0);
        model.Forward(ids, cache).Dispose();
        var error = Assert.Throws<ContextLengthExceededException>(() => model.Forward(ids, cache));
        Assert.Contains("past the context size of 8 tokens", error.Message);
        Assert.Equal(6, cache.Length);
    }

    private static Tensor FullForward(LlamaModel model)
    {
        using var cache = model.CreateCache();
        using var all = tensor(Ids).unsqueeze(0);
        return model.Forward(all, cache, new ForwardRequest { LastPositionOnly = false });
    }

    internal static void AssertClose(Tensor expected, Tensor actual, double tolerance, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var diff = (expected - actual).abs().max();
        double max = diff.item<float>();
        Assert.True(max <= tolerance, $"{what}: max |Δlogit| = {max:G4} > {tolerance:G4}");
    }
}
