using System.Diagnostics;
using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Runtime;
using Directer.Core.Steering;
using Directer.Core.Tests.Support;
using Directer.Testing;

namespace Directer.Core.Tests.Generation;

/// <summary>
/// What <see cref="TokenGenerator"/> checks and reports around every request, at its edges: token ids exactly at the
/// vocabulary size, a selector that caches more than its one position, the timings of the result, and which
/// cancellation token a cancelled request reports (found as mutation survivors of the generation target, issue 19).
/// </summary>
public sealed class GenerationRunContractTests : TinyGeneratorTests
{
    private static readonly int[] Prompt = { 1, 17, 42, 5, 88, 23 };

    [Fact]
    public async Task APromptIdEqualToTheVocabularySizeIsOutsideIt()
    {
        int v = Model.VocabSize;
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Generator.GenerateAsync(new[] { 1, v }));
        Assert.Contains($"Prompt token id {v} is outside the vocabulary [0, {v})", error.Message, StringComparison.Ordinal);

        // The last id inside is fine.
        var result = await Generator.GenerateAsync(new[] { 1, v - 1 }, new GenerationOptions { MaxNewTokens = 1, EosTokenIds = [] });
        Assert.Single(result.Ids);
    }

    [Fact]
    public async Task APromptIdBelowZeroIsOutsideTheVocabularyAndZeroIsInside()
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Generator.GenerateAsync(new[] { 1, -1, 5 }));
        Assert.Contains("Prompt token id -1 is outside the vocabulary", error.Message, StringComparison.Ordinal);

        var result = await Generator.GenerateAsync(new[] { 0, 17, 0 }, new GenerationOptions { MaxNewTokens = 1, EosTokenIds = [] });
        Assert.Single(result.Ids);
    }

    [Fact]
    public async Task APromptThatFillsTheWholeContextDecodesOneToken()
    {
        // 64 positions: the first 63 prompt tokens are prefilled, the last is the first step's input at position 63,
        // and then the cache is full. One token more is refused before anything runs.
        Assert.Equal(64, Model.ContextLength);
        var options = new GenerationOptions { MaxNewTokens = 10, EosTokenIds = [] };
        var result = await Generator.GenerateAsync(Enumerable.Repeat(3, 64).ToArray(), options);
        Assert.Equal(StopReason.ContextFull, result.StopReason);
        Assert.Equal(1, result.DecodedTokens);
        Assert.Single(result.Ids);
        await Assert.ThrowsAsync<ContextLengthExceededException>(() => Generator.GenerateAsync(Enumerable.Repeat(3, 65).ToArray(), options));
    }

    [Fact]
    public async Task ARequestSteeredAfterItsRawPassEndsWithContextFullWhereAPlainOneDoes()
    {
        // Static key scaling declares steered rows at every step; alone, a step without room must end the request as a
        // plain one ends (positions 59..63 are decode inputs: 5 tokens), not run its raw pass past the cache.
        int[] prompt = Enumerable.Repeat(3, 60).ToArray();
        var options = new GenerationOptions { MaxNewTokens = 100, EosTokenIds = [] };
        var selector = new SteeringSettings { Method = SteeringMethod.Static, Alpha = 8 }.CreateSelector([new TokenSpan(1, 5)], Model.LayerCount);
        var result = await Generator.GenerateAsync(prompt, options, selector);
        Assert.Equal(StopReason.ContextFull, result.StopReason);
        Assert.Equal(5, result.DecodedTokens);
    }

    [Fact]
    public async Task AnEmptyPromptIsRefusedSayingWhatIsMissing()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Generator.GenerateAsync(Array.Empty<int>()));
        Assert.Contains("at least one token", error.Message, StringComparison.Ordinal);
        Assert.Equal("promptIds", error.ParamName);
    }

    [Fact]
    public async Task AOneTokenPromptHasNothingToPrefillAndDecodesFromItsToken()
    {
        // The single prompt token is the first decode step's input: nothing runs before it, and the tokens equal a
        // generation whose prompt is that token followed by the first generated one, minus that one.
        var options = new GenerationOptions { MaxNewTokens = 5, EosTokenIds = [] };
        var one = await Generator.GenerateAsync(new[] { 17 }, options);
        Assert.Equal(5, one.Ids.Count);
        Assert.Equal(1, one.PromptTokens);
        var continued = await Generator.GenerateAsync(new[] { 17, one.Ids[0] }, options with { MaxNewTokens = 4 });
        Assert.Equal(one.Ids.Skip(1), continued.Ids);
    }

    [Fact]
    public async Task ASelectorChoosingTheVocabularySizeIsRefusedNamingIt()
    {
        int v = Model.VocabSize;
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Generator.GenerateAsync(Prompt, new GenerationOptions { MaxNewTokens = 4, EosTokenIds = [] }, new ChoosesAtTheSecondStep(v)));
        Assert.Contains($"chose token {v}, outside the vocabulary [0, {v})", error.Message, StringComparison.Ordinal);

        var fine = await Generator.GenerateAsync(Prompt, new GenerationOptions { MaxNewTokens = 4, EosTokenIds = [] }, new ChoosesAtTheSecondStep(v - 1));
        Assert.Equal(v - 1, fine.Ids[1]);
    }

    [Fact]
    public async Task ASelectorThatCachesTwoPositionsInOneStepIsRefused()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Generator.GenerateAsync(Prompt, new GenerationOptions { MaxNewTokens = 4, EosTokenIds = [] }, new RunsTheRawPassTwice()));
        Assert.Contains("must append exactly one position to the cache per step", error.Message, StringComparison.Ordinal);
        Assert.Contains($"the cache went from {Prompt.Length - 1} to {Prompt.Length + 1}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheResultTimesThePrefillAndTheDecoding()
    {
        var result = await Generator.GenerateAsync(Prompt, new GenerationOptions { MaxNewTokens = 6, EosTokenIds = [] });
        Assert.True(result.PrefillTime > TimeSpan.Zero, "prefill time not measured");
        Assert.True(result.DecodeTime > TimeSpan.Zero, "decode time not measured");
    }

    [Fact]
    public async Task ThePrefillAndTheDecodeTimesAreSeparatePartsOfTheTimeTheCallerWaited()
    {
        // Each step sleeps 30 ms, so the decoding outlasts the rest of the request: a prefill clock still running
        // through the decoding would make the two times add up to more than the whole request took.
        var options = new GenerationOptions { MaxNewTokens = 8, EosTokenIds = [] };
        await Generator.GenerateAsync(Prompt, options);
        var waited = Stopwatch.StartNew();
        var result = await Generator.GenerateAsync(Prompt, options, new CountingSelector());
        waited.Stop();
        Assert.True(result.PrefillTime + result.DecodeTime <= waited.Elapsed, $"prefill {result.PrefillTime} + decode {result.DecodeTime} > {waited.Elapsed} waited");
    }

    [Fact]
    public async Task ARequestWhoseTokenIsAlreadyCancelledIsCancelledAtOnceWithThatToken()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var request = Generator.GenerateAsync(Prompt, new GenerationOptions { MaxNewTokens = 4, EosTokenIds = [] }, cancellationToken: cts.Token);

        // As an async method that checks its token first: a cancelled task, not a faulted one, and nothing queued.
        Assert.True(request.IsCanceled, $"status {request.Status}");
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        Assert.Equal(cts.Token, error.CancellationToken);
        Assert.Equal(0, Generator.PendingRequests);
    }

    [Fact]
    public async Task ACancelledRequestReportsTheCallersToken()
    {
        using var cts = new CancellationTokenSource();
        int produced = 0;
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Generator.GenerateAsync(
            Prompt, new GenerationOptions { MaxNewTokens = 50, EosTokenIds = [] }, onToken: _ => { if (++produced == 2) cts.Cancel(); }, cancellationToken: cts.Token));
        Assert.Equal(cts.Token, error.CancellationToken);
    }

    [Fact]
    public async Task ASelectorsOwnCancellationCancelsTheRequestWithACancelledToken()
    {
        // The caller never cancelled: the request still ends cancelled (not faulted), and the token it reports is a
        // cancelled one, as an OperationCanceledException's token is where the cancellation was requested.
        using var never = new CancellationTokenSource();
        var request = Generator.GenerateAsync(Prompt, new GenerationOptions { MaxNewTokens = 4, EosTokenIds = [] }, new GivesUpAtTheSecondStep(), cancellationToken: never.Token);
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        Assert.True(request.IsCanceled, $"status {request.Status}");
        Assert.True(error.CancellationToken.IsCancellationRequested, "the reported token was never cancelled");
        Assert.Equal(0, Generator.PendingRequests);
    }

    [Fact]
    public async Task AnIdHeldBackForAStopSequenceReachesTheCallbackWhenTheBudgetEndsTheRequest()
    {
        var options = new GenerationOptions { MaxNewTokens = 6, EosTokenIds = [] };
        var plain = await Generator.GenerateAsync(Prompt, options);

        // A stop sequence that begins with the last id and goes on with an id never generated: the last id is held back
        // (it might begin the stop sequence) until the budget decides it.
        int never = Enumerable.Range(0, Model.VocabSize).First(id => !plain.Ids.Contains(id));
        var held = options with { StopSequences = [[plain.Ids[^1], never]] };
        var seen = new List<int>();
        var result = await Generator.GenerateAsync(Prompt, held, onToken: seen.Add);
        Assert.Equal(plain.Ids, result.Ids);
        Assert.Equal(result.Ids, seen);

        // A callback failing on that last id fails the request with its error, as it would during a step.
        var failure = new InvalidOperationException("injected: callback");
        int count = 0;
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Generator.GenerateAsync(Prompt, held, onToken: _ =>
        {
            if (++count == plain.Ids.Count)
            {
                throw failure;
            }
        }).WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Same(failure, error);
        Assert.Equal(0, Generator.PendingRequests);
    }

    [Fact]
    public async Task AStreamCancelledWithIdsAlreadyQueuedYieldsNoneOfThem()
    {
        // The consumer reads one id, stays away while the decoder queues more, then cancels: nothing queued may follow.
        using var cts = new CancellationTokenSource();
        var options = new GenerationOptions { MaxNewTokens = 40, EosTokenIds = [] };
        await using var stream = Generator.StreamAsync(Prompt, options, cancellationToken: cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await stream.MoveNextAsync());
        await Task.Delay(300);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await stream.MoveNextAsync());
    }

    [Fact]
    public async Task LeavingAStreamEarlyStopsTheDecoderBeforeTheEnumerationEnds()
    {
        var counting = new CountingSelector();
        var options = new GenerationOptions { MaxNewTokens = 50, EosTokenIds = [] };
        await foreach (int _ in Generator.StreamAsync(Prompt, options, counting))
        {
            break;
        }

        // Disposing the enumerator cancelled the request and waited for it: no step runs after this point, and the
        // decoder stopped long before its 50-token budget.
        int steps = counting.Steps;
        Assert.True(steps < 50, $"the decoder ran {steps} steps after the consumer left");
        Assert.Equal(0, Generator.PendingRequests);
        await Task.Delay(100);
        Assert.Equal(steps, counting.Steps);
    }

    /// <summary>Greedy, counting its steps; each step takes at least 30 ms, so the 50 steps would take 1.5 s.</summary>
    private sealed class CountingSelector : ITokenSelector
    {
        private int steps;

        public int Steps => Volatile.Read(ref steps);

        public void Begin(IReadOnlyList<int> promptIds)
        {
        }

        public int Select(DecodeStep step)
        {
            Interlocked.Increment(ref steps);
            Thread.Sleep(30);
            using var logits = step.RunRawPass();
            return TokenSampler.ArgMax(logits);
        }
    }

    /// <summary>Greedy, except that the second step chooses <c>token</c>.</summary>
    private sealed class ChoosesAtTheSecondStep(int token) : ITokenSelector
    {
        public void Begin(IReadOnlyList<int> promptIds)
        {
        }

        public int Select(DecodeStep step)
        {
            using var logits = step.RunRawPass();
            return step.Index == 1 ? token : TokenSampler.ArgMax(logits);
        }
    }

    /// <summary>Greedy; at the second step it gives up with an <see cref="OperationCanceledException"/> of its own.</summary>
    private sealed class GivesUpAtTheSecondStep : ITokenSelector
    {
        public void Begin(IReadOnlyList<int> promptIds)
        {
        }

        public int Select(DecodeStep step)
        {
            using var logits = step.RunRawPass();
            return step.Index == 1 ? throw new OperationCanceledException("the selector gave up") : TokenSampler.ArgMax(logits);
        }
    }

    /// <summary>Runs the raw pass twice in one step: two positions cached where the step owns one.</summary>
    private sealed class RunsTheRawPassTwice : ITokenSelector
    {
        public void Begin(IReadOnlyList<int> promptIds)
        {
        }

        public int Select(DecodeStep step)
        {
            using (step.RunRawPass())
            {
            }

            using var logits = step.RunRawPass();
            return TokenSampler.ArgMax(logits);
        }
    }
}
