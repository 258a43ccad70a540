using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Runtime;
using Directer.Core.Tests.Support;

namespace Directer.Core.Tests.Serving;

/// <summary>
/// The serving loop never loses a request: a failure while a leaving run's slot is given back, or one outside any
/// run's step that stops the loop (and then in its cleanup too), reaches every caller as an exception, the count of
/// pending requests returns to zero, and the next request is served. A stuck caller shows as a timeout here, never
/// as a hung test run.
/// </summary>
public sealed class LoopFaultTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly int[] Prompt = [1, 17, 42, 5, 88, 23];
    private static readonly GenerationOptions Options = new() { MaxNewTokens = 6, EosTokenIds = [] };
    private readonly LlamaModel model;

    public LoopFaultTests()
    {
        TorchRuntime.EnsureInitialized();
        model = LlamaModel.Load(GeneratedCheckpoints.PathOf("llama-gqa-f32"), new ModelOptions { MaxSequenceLength = 64 });
    }

    public void Dispose() => model.Dispose();

    [Fact]
    public async Task A_failure_giving_back_a_finished_runs_slot_fails_that_request_forgets_its_cache_and_the_next_is_served()
    {
        // One slot: the failing request takes the clean run's slot, so whatever it leaves there is what the next one finds.
        using var generator = new TokenGenerator(model, new ServingOptions { CacheSlots = 1, MaxConcurrentRows = 1 });
        var clean = await generator.GenerateAsync(Prompt, Options).WaitAsync(Patience);

        var injected = new InvalidOperationException("injected: slot release");
        generator.OnSlotRelease = () => throw injected;
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => generator.GenerateAsync(Prompt, Options).WaitAsync(Patience));
        Assert.Same(injected, error);
        Assert.Equal(0, generator.PendingRequests);

        generator.OnSlotRelease = null;
        var next = await generator.GenerateAsync(Prompt, Options).WaitAsync(Patience);
        Assert.Equal(clean.Ids, next.Ids);
        Assert.Equal(0, generator.PendingRequests);
        Assert.Equal(0, next.CachedPromptTokens); // nothing of the failed request's sequence was kept
    }

    [Fact]
    public async Task A_failure_giving_back_a_cancelled_runs_slot_still_ends_it()
    {
        using var generator = new TokenGenerator(model);
        using var stop = new CancellationTokenSource();
        generator.OnSlotRelease = () => throw new InvalidOperationException("injected: slot release");
        int seen = 0;
        var run = generator.GenerateAsync(Prompt, Options, null, _ =>
        {
            if (++seen == 2)
            {
                stop.Cancel();
            }
        }, stop.Token);

        // The caller asked to stop: the run ends as cancelled (its cleanup failing changes nothing it could act on).
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Patience));
        Assert.Equal(0, generator.PendingRequests);

        generator.OnSlotRelease = null;
        Assert.Equal(Options.MaxNewTokens, (await generator.GenerateAsync(Prompt, Options).WaitAsync(Patience)).Ids.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_fault_that_stops_the_loop_fails_every_running_and_waiting_request_forgets_their_caches_and_a_new_loop_serves_the_next(bool cleanupFails)
    {
        // As many slots as running rows: a slot the fault does not give back leaves the next request none.
        using var generator = new TokenGenerator(model, new ServingOptions { CacheSlots = 2, MaxConcurrentRows = 2, MaxQueuedRequests = 2 });
        var clean = await generator.GenerateAsync(Prompt, Options).WaitAsync(Patience);

        // Two requests run and two wait when the loop faults outside any one run's step (a round begins): the first round
        // waits until all four are queued, so the second round's admission takes the second one.
        var fault = new InvalidOperationException("injected: loop");
        using var gate = new ManualResetEventSlim(false);
        int rounds = 0;
        generator.OnRound = () =>
        {
            if (++rounds == 1)
            {
                gate.Wait(Patience);
            }
            else if (rounds == 3)
            {
                throw fault;
            }
        };
        if (cleanupFails)
        {
            generator.OnSlotRelease = () => throw new InvalidOperationException("injected: slot release");
        }

        var seen = new int[4];
        var requests = Enumerable.Range(0, 4).Select(i => generator.GenerateAsync(Prompt, Options, null, _ => Interlocked.Increment(ref seen[i]))).ToList();
        Assert.Equal(4, generator.PendingRequests);
        gate.Set();
        foreach (var request in requests)
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => request.WaitAsync(Patience));
            Assert.Same(fault, error);
        }

        Assert.Equal(0, generator.PendingRequests);
        int[] seenWhenFailed = [.. seen];
        generator.OnRound = null;
        generator.OnSlotRelease = null;
        var next = await generator.GenerateAsync(Prompt, Options).WaitAsync(Patience);
        Assert.Equal(clean.Ids, next.Ids);
        Assert.Equal(seenWhenFailed, seen); // the failed requests produced nothing more in the new loop

        // The failed requests' caches were forgotten (both slots held the prompt's first 5 tokens), as a failed request's are.
        Assert.Equal(0, next.CachedPromptTokens);

        // The new loop owns nothing of the failed ones: once it stops (freeing the caches, the generator disposed), no
        // request is counted out twice.
        generator.Dispose();
        await CachesFreed(generator);
        await Task.Delay(100);
        Assert.Equal(0, generator.PendingRequests);
    }

    [Fact]
    public async Task Disposing_an_idle_generator_frees_its_caches()
    {
        var generator = new TokenGenerator(model);
        await generator.GenerateAsync(Prompt, Options).WaitAsync(Patience);
        Assert.Equal(1, generator.CacheSlotsInUse);

        // The loop stops once nothing is left, and then Dispose frees the caches itself (a loop still running frees them
        // when it stops: either way they go).
        await Task.Delay(200);
        generator.Dispose();
        await CachesFreed(generator);
    }

    private static async Task CachesFreed(TokenGenerator generator)
    {
        for (int i = 0; i < 100 && generator.CacheSlotsInUse > 0; i++)
        {
            await Task.Delay(50);
        }

        Assert.Equal(0, generator.CacheSlotsInUse);
    }

    [Fact]
    public async Task Disposing_the_generator_as_its_loop_faults_fails_the_request_and_frees_the_caches()
    {
        var generator = new TokenGenerator(model);
        var fault = new InvalidOperationException("injected: loop");
        generator.OnRound = () =>
        {
            generator.Dispose(); // the loop is running: the caches are its to free when it stops, here on the fault
            throw fault;
        };
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => generator.GenerateAsync(Prompt, Options).WaitAsync(Patience));
        Assert.Same(fault, error);
        Assert.Equal(0, generator.PendingRequests);
        for (int i = 0; i < 100 && generator.CacheSlotsInUse > 0; i++)
        {
            await Task.Delay(50);
        }

        Assert.Equal(0, generator.CacheSlotsInUse);
    }

    [Fact]
    public async Task Disposing_the_generator_while_a_request_runs_lets_it_finish_on_caches_that_are_freed_after()
    {
        GenerationResult clean;
        using (var reference = new TokenGenerator(model))
        {
            clean = await reference.GenerateAsync(Prompt, Options).WaitAsync(Patience);
        }

        var generator = new TokenGenerator(model);
        int seen = 0;
        var run = generator.GenerateAsync(Prompt, Options, null, _ =>
        {
            if (++seen == 2)
            {
                generator.Dispose();
            }
        });
        var result = await run.WaitAsync(Patience);
        Assert.Equal(clean.Ids, result.Ids);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => generator.GenerateAsync(Prompt, Options));

        // The loop freed the caches when it stopped.
        for (int i = 0; i < 100 && generator.CacheSlotsInUse > 0; i++)
        {
            await Task.Delay(50);
        }

        Assert.Equal(0, generator.CacheSlotsInUse);
    }
}
