using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Runtime;
using Directer.Core.Steering;
using Directer.Core.Tests.Support;

namespace Directer.Core.Tests.Serving;

/// <summary>
/// A full collection with finalizers between every round changes no token: nothing the loop, the kernels or a
/// steering selector still uses (KV caches, the score buffer as it grows, logits, the selectors' tensors) is owned
/// only by a finalizer. The script mixes what eval-demo does: DIRECTER requests (sequential and batched after the
/// gate) and unsteered ones reusing each other's prefixes, a diverging prompt that truncates a kept cache, a
/// growing context (the score buffer is reallocated) and two requests decoding together.
/// </summary>
public sealed class CollectionStressTests
{
    public CollectionStressTests() => TorchRuntime.EnsureInitialized();

    // The CPU decode kernels (raw pointers into tensor storage); the TorchSharp path holds tensors only.
    [Fact]
    public async Task Collections_and_finalizers_between_rounds_change_no_token()
    {
        var (calm, _) = await Script(stress: false);
        var (stressed, collections) = await Script(stress: true);
        Assert.True(collections > 20, $"only {collections} collections ran");
        Assert.Equal(calm.Count, stressed.Count);
        for (int i = 0; i < calm.Count; i++)
        {
            Assert.True(calm[i].SequenceEqual(stressed[i]), $"request {i}: stressed {string.Join(",", stressed[i])} vs calm {string.Join(",", calm[i])}");
        }
    }

    private static async Task<(List<int[]> Outputs, int Collections)> Script(bool stress)
    {
        using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf("llama-gqa-f32"), new ModelOptions { CpuDecodeKernels = true });
        using var generator = new TokenGenerator(model, new ServingOptions { CacheSlots = 2, MaxConcurrentRows = 2 });
        int collections = 0;
        if (stress)
        {
            generator.OnRound = () =>
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                collections++;
            };
        }

        var random = new Random(11);
        int[] Ids(int n) => Enumerable.Range(0, n).Select(_ => random.Next(4, model.VocabSize)).ToArray();
        var options = new GenerationOptions { MaxNewTokens = 8, EosTokenIds = [] };
        ITokenSelector Directer(SteeringStrategy strategy) =>
            new DirecterSelector([new TokenSpan(1, 6)], new SteeringSettings { Alpha = 64, Beta = 0.3, Strategy = strategy });

        var outputs = new List<int[]>();
        async Task<int[]> Run(int[] prompt, ITokenSelector? selector)
        {
            var ids = (await generator.GenerateAsync(prompt, options, selector)).Ids.ToArray();
            outputs.Add(ids);
            return ids;
        }

        int[] prompt = Ids(12);
        var first = await Run(prompt, Directer(SteeringStrategy.Sequential));
        var turn = (int[])[.. prompt, .. first, .. Ids(5)];
        var second = await Run(turn, null);                                     // reuses the steered request's cache
        await Run([.. turn, .. second, .. Ids(30)], Directer(SteeringStrategy.BatchedAfterGate)); // longer: scores grow
        await Run([.. prompt, .. Ids(9)], Directer(SteeringStrategy.Batched));    // diverges: a kept cache is truncated
        var together = await Task.WhenAll(
            generator.GenerateAsync([.. prompt, .. Ids(3)], options),
            generator.GenerateAsync([.. Ids(7)], options, Directer(SteeringStrategy.Sequential)));
        outputs.AddRange(together.Select(r => r.Ids.ToArray()));
        return (outputs, collections);
    }
}
