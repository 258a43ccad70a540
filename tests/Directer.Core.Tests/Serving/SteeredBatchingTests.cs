using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Runtime;
using Directer.Core.Steering;
using Directer.Core.Tests.Support;

namespace Directer.Core.Tests.Serving;

/// <summary>
/// Steered passes of concurrent requests run together: the rows each step declares after its raw pass (DIRECTER's
/// candidates after the gate, static key scaling's row) share one pass per round. Each request's tokens equal its solo
/// run (greedy and sampled), when requests start together, join or leave mid-way, or one is cancelled; the number of
/// shared steered passes is exactly what the requests' own traces say it must be.
/// </summary>
public sealed class SteeredBatchingTests
{
    private const int Tokens = 8;

    public SteeredBatchingTests() => TorchRuntime.EnsureInitialized();

    public static TheoryData<string, bool> Cases() => new()
    {
        { "llama-gqa-f32", true }, { "llama-gqa-f32", false }, { "qwen2-bias-tied-bf16", true }, { "qwen3-tied-bf16", true },
        { "phi3-fused-f32", true }, { "llama-bias-f32", false },
    };

    /// <summary>A request, and whether its step k declared steered rows (from its trace; <c>kernels</c>: Auto batches after every gate there).</summary>
    private sealed record Job(int[] Prompt, GenerationOptions Options, Func<ISteeringSelector?> Selector, Func<IReadOnlyList<SteeringStep>, int, bool, bool> Declares);

    private static Job[] Jobs(LlamaModel model)
    {
        var random = new Random(model.VocabSize + (7 * model.LayerCount));
        int[] Ids(int n) => Enumerable.Range(0, n).Select(_ => random.Next(4, model.VocabSize)).ToArray();
        int layers = model.LayerCount;
        var greedy = new GenerationOptions { MaxNewTokens = Tokens, EosTokenIds = [] };
        return
        [
            new(Ids(9), greedy, () => new SteeringSettings { Method = SteeringMethod.Static, Alpha = 8 }.CreateSelector([new TokenSpan(1, 5)], layers), (_, _, _) => true),
            new(Ids(12), greedy, () => new DirecterSelector([new TokenSpan(2, 7)], new SteeringSettings { Alpha = 16, Beta = 0.05, Strategy = SteeringStrategy.BatchedAfterGate }),
                (trace, k, _) => k > 0 && !trace[k].Gated),
            new(Ids(7), greedy, () => new DirecterSelector([new TokenSpan(0, 4)], new SteeringSettings { Alpha = 64, Beta = 0.1 }),
                (trace, k, kernels) => k > 0 && !trace[k].Gated && (kernels || trace[k - 1].Gated)),
            new(Ids(10), greedy, () => new SteeringSettings { Method = SteeringMethod.Static, Alpha = 0.25, Gate = true, Beta = 0.2, StaticLayers = [0] }.CreateSelector([new TokenSpan(3, 8)], layers),
                (trace, k, _) => !trace[k].Gated),
            new(Ids(11), greedy with { Temperature = 0.8f, TopK = 30, Seed = 7 }, () => new DirecterSelector([new TokenSpan(1, 6)], new SteeringSettings { Alpha = 32, Beta = 0.05, Strategy = SteeringStrategy.BatchedAfterGate }),
                (trace, k, _) => k > 0 && !trace[k].Gated),
            new(Ids(8), greedy, () => new SteeringSettings { Method = SteeringMethod.Pasta, Gate = true, Beta = 0.3 }.CreateSelector([new TokenSpan(2, 5)], layers), (_, _, _) => false),
            new(Ids(6), greedy, () => null, (_, _, _) => false),
        ];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Requests_started_together_share_each_rounds_steered_pass_and_equal_their_solo_runs(string name, bool kernels)
    {
        using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf(name), new ModelOptions { CpuDecodeKernels = kernels });
        var jobs = Jobs(model);
        var alone = await Solo(model, jobs);

        using var together = new TokenGenerator(model, new ServingOptions { CacheSlots = 9, MaxConcurrentRows = 9, ReusePrefixes = false });
        var selectors = jobs.Select(j => j.Selector()).ToArray();

        // A plain request holds the loop on its first token until every job is queued, so all are admitted at once and
        // decode step k in the same round k.
        using var queued = new ManualResetEventSlim();
        var gate = together.GenerateAsync([5, 6, 7], new GenerationOptions { MaxNewTokens = 2, EosTokenIds = [] }, null, _ => queued.Wait(TimeSpan.FromMinutes(1)));
        var running = jobs.Select((j, i) => together.GenerateAsync(j.Prompt, j.Options, selectors[i])).ToArray();
        queued.Set();
        var results = await Task.WhenAll(running);
        await gate;

        for (int i = 0; i < jobs.Length; i++)
        {
            Assert.True(alone[i].Ids.SequenceEqual(results[i].Ids), $"{name} kernels {kernels} job {i}: together {string.Join(",", results[i].Ids)} vs alone {string.Join(",", alone[i].Ids)}");
        }

        // Round k shares one steered pass when two or more requests declared rows at their step k.
        var declaring = Enumerable.Range(0, Tokens)
            .Select(k => jobs.Select((j, i) => selectors[i] is { } s && j.Declares(s.Trace, k, kernels)).Count(d => d))
            .ToArray();
        int expectedPasses = declaring.Count(n => n >= 2);
        Assert.True(expectedPasses > 0, $"{name}: no round had two requests with steered rows; the test proves nothing here");
        Assert.Equal(expectedPasses, together.BatchedSteeredPasses);
        Assert.Equal(declaring.Max(), together.PeakSteeredRequests);
        Assert.Equal(0, results[^2].PeakSteeredBatchRequests); // PASTA runs its steered pass per request
        Assert.Equal(0, results[^1].PeakSteeredBatchRequests); // plain
        Assert.Equal(declaring.Max(), results[0].PeakSteeredBatchRequests); // static, ungated: in every shared pass

        // The three DIRECTER requests' first steps (the layer ranking: raw row + one probe per layer) rode in the first
        // round's shared raw pass, and so did the Auto request's raw row + candidates steps (after a steered step) where
        // it runs them: not on the kernels, where Auto runs after the gate while other requests share the round.
        int autoBatchedSteps = kernels ? 0 : Enumerable.Range(1, Tokens - 1).Count(k => !selectors[2]!.Trace[k - 1].Gated);
        Assert.Equal(3 + autoBatchedSteps, together.SharedStepsWithDeclaredRows);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Steered_requests_that_join_leave_or_are_cancelled_mid_way_leave_the_others_unchanged(bool kernels)
    {
        using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf("llama-gqa-f32"), new ModelOptions { CpuDecodeKernels = kernels });
        var jobs = Jobs(model).Take(5).Select((j, i) => j with { Options = j.Options with { MaxNewTokens = 6 + (3 * i) } }).ToArray();
        var alone = await Solo(model, jobs);

        using var together = new TokenGenerator(model, new ServingOptions { CacheSlots = 8, MaxConcurrentRows = 8, ReusePrefixes = false });
        using var cancel = new CancellationTokenSource();
        Task<GenerationResult>? late = null;
        int firstSeen = 0, cancelledSeen = 0;
        var first = together.GenerateAsync(jobs[0].Prompt, jobs[0].Options, jobs[0].Selector(), _ =>
        {
            if (++firstSeen == 3)
            {
                late = together.GenerateAsync(jobs[4].Prompt, jobs[4].Options, jobs[4].Selector()); // joins mid-way
            }
        });
        var second = together.GenerateAsync(jobs[1].Prompt, jobs[1].Options, jobs[1].Selector());
        var cancelled = together.GenerateAsync(jobs[3].Prompt, jobs[3].Options with { MaxNewTokens = 20 }, jobs[3].Selector(), _ =>
        {
            if (++cancelledSeen == 4)
            {
                cancel.Cancel();
            }
        }, cancel.Token);
        var third = together.GenerateAsync(jobs[2].Prompt, jobs[2].Options, jobs[2].Selector());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(4, cancelledSeen);
        Assert.Equal(alone[0].Ids, (await first).Ids);
        Assert.Equal(alone[1].Ids, (await second).Ids);
        Assert.Equal(alone[2].Ids, (await third).Ids);
        Assert.NotNull(late);
        Assert.Equal(alone[4].Ids, (await late).Ids);
        Assert.True(together.BatchedSteeredPasses > 0, "no steered pass served several requests");
        Assert.Equal(0, together.PendingRequests);
    }

    private static async Task<List<GenerationResult>> Solo(LlamaModel model, Job[] jobs)
    {
        using var solo = new TokenGenerator(model, new ServingOptions { MaxConcurrentRows = 1, ReusePrefixes = false });
        var alone = new List<GenerationResult>();
        foreach (var job in jobs)
        {
            var result = await solo.GenerateAsync(job.Prompt, job.Options, job.Selector());
            Assert.Equal(0, result.PeakSteeredBatchRequests);
            alone.Add(result);
        }

        Assert.Equal(0, solo.BatchedSteeredPasses);
        return alone;
    }
}
