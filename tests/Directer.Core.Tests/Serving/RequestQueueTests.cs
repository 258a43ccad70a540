using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Runtime;
using Directer.Core.Tests.Support;

namespace Directer.Core.Tests.Serving;

/// <summary>
/// Backpressure: one request runs, <see cref="ServingOptions.MaxQueuedRequests"/> wait, the next is refused at once
/// with <see cref="RequestQueueFullException"/>; a waiting request whose token fires leaves the queue, freeing its place.
/// </summary>
public sealed class RequestQueueTests
{
    public RequestQueueTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public async Task The_queue_bound_refuses_the_next_request_and_a_cancelled_waiter_frees_its_place()
    {
        using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf("llama-gqa-f32"));
        using var generator = new TokenGenerator(model, new ServingOptions { MaxConcurrentRows = 1, MaxQueuedRequests = 1 });
        var options = new GenerationOptions { MaxNewTokens = 4, EosTokenIds = [] };
        int[] prompt = [1, 17, 42, 5];
        using var release = new SemaphoreSlim(0);
        using var started = new SemaphoreSlim(0);

        // The running request blocks in its first token callback until released.
        bool first = true;
        var running = generator.GenerateAsync(prompt, options, null, _ =>
        {
            if (first)
            {
                first = false;
                started.Release();
                release.Wait();
            }
        });
        Assert.True(await started.WaitAsync(TimeSpan.FromSeconds(30)));

        using var giveUp = new CancellationTokenSource();
        var waiting = generator.GenerateAsync(prompt, options, null, null, giveUp.Token);
        Assert.Equal(2, generator.PendingRequests);
        var full = await Assert.ThrowsAsync<RequestQueueFullException>(() => generator.GenerateAsync(prompt, options));
        Assert.Equal(1, full.Limit);
        Assert.Contains("MaxQueuedRequests = 1", full.Message, StringComparison.Ordinal);

        // The waiter gives up (a timeout through its token): its place is free again.
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(1, generator.PendingRequests);
        var queued = generator.GenerateAsync(prompt, options);

        release.Release();
        var a = await running;
        var b = await queued;
        Assert.Equal(a.Ids, b.Ids);
        Assert.Equal(0, generator.PendingRequests);
    }

    [Fact]
    public async Task With_no_queue_a_second_request_is_refused_while_one_runs_and_an_already_cancelled_one_is_cancelled()
    {
        using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf("llama-gqa-f32"));
        using var generator = new TokenGenerator(model, new ServingOptions { MaxConcurrentRows = 1, MaxQueuedRequests = 0 });
        var options = new GenerationOptions { MaxNewTokens = 3, EosTokenIds = [] };
        using var release = new SemaphoreSlim(0);
        using var started = new SemaphoreSlim(0);
        bool first = true;
        var running = generator.GenerateAsync([1, 2, 3], options, null, _ =>
        {
            if (first)
            {
                first = false;
                started.Release();
                release.Wait();
            }
        });
        Assert.True(await started.WaitAsync(TimeSpan.FromSeconds(30)));
        await Assert.ThrowsAsync<RequestQueueFullException>(() => generator.GenerateAsync([1, 2, 3], options));

        // A request its caller already cancelled is cancelled, not refused: the token is looked at before the bound.
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var given = generator.GenerateAsync([1, 2, 3], options, null, null, cancelled.Token);
        Assert.True(given.IsCanceled, $"status {given.Status}");
        Assert.Equal(1, generator.PendingRequests);
        release.Release();
        await running;
        Assert.Equal(3, (await generator.GenerateAsync([1, 2, 3], options)).Ids.Count);
    }
}
