using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Runtime;
using Directer.Core.Tests.Support;
using TorchSharp;

namespace Directer.Core.Tests.Serving;

/// <summary>
/// What the serving loop holds a selector to when its passes are shared with other requests (the contracts of
/// <see cref="DecodeStep"/>, <see cref="IRawPassFirst"/>, <see cref="IRunsRowsWithRawPass"/>, <see cref="ISteersAfterRawPass"/>):
/// a step whose raw row already ran takes it with <see cref="DecodeStep.RunRawPass"/> and nothing else first; a declared pass
/// is run, and exactly as declared; a two-phase step's token is in the vocabulary and its steered rows are disposed
/// after the step, whatever happens. A broken selector fails its own request, named; the others finish as alone. A shared
/// pass that fails ends every request in it; a round that ends with one request's rows is not counted as shared.
/// </summary>
public sealed class SelectorContractTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly int[] Prompt = [1, 17, 42, 5, 88, 23];
    private static readonly int[] Other = [3, 8, 9, 30];
    private static readonly GenerationOptions Options = new() { MaxNewTokens = 5, EosTokenIds = [] };
    private readonly SemaphoreSlim queued = new(0);
    private readonly LlamaModel model;
    private readonly TokenGenerator generator;

    public SelectorContractTests()
    {
        TorchRuntime.EnsureInitialized();
        model = LlamaModel.Load(GeneratedCheckpoints.PathOf("llama-gqa-f32"), new ModelOptions { MaxSequenceLength = 64 });
        generator = new TokenGenerator(model, new ServingOptions { ReusePrefixes = false });
    }

    public void Dispose()
    {
        generator.Dispose();
        model.Dispose();
        queued.Dispose();
    }

    [Fact]
    public async Task AStepThatDeclaredItsPassButDidNotRunItIsRefused()
    {
        var error = await FailsBesideAPlainRequest(new Declares(rows => _ => 0));
        Assert.Contains($"{nameof(Declares)} did not run the pass it declared", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStepThatAsksForAnotherPassThanItDeclaredIsRefused()
    {
        var error = await FailsBesideAPlainRequest(new Declares(rows => step =>
        {
            using var logits = step.RunBatch(rows.Count + 1, new ForwardRequest { Steering = rows.Steering });
            return 0;
        }));
        Assert.Contains("already ran with the rows it declared; a different pass was asked for", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStepThatRanItsDeclaredPassAndARawPassOfItsOwnIsRefused()
    {
        var error = await FailsBesideAPlainRequest(new Declares(rows => step =>
        {
            using var declared = step.RunBatch(rows.Count, new ForwardRequest { Steering = rows.Steering });
            using var again = step.RunRawPass();
            return 0;
        }));
        Assert.Contains("must append exactly one position to the cache per step", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStepWithADeclaredPassChoosingTheVocabularySizeIsRefusedNamingIt()
    {
        int v = model.VocabSize;
        var error = await FailsBesideAPlainRequest(new Declares(rows => step =>
        {
            using var declared = step.RunBatch(rows.Count, new ForwardRequest { Steering = rows.Steering });
            return v;
        }));
        Assert.Contains($"{nameof(Declares)} chose token {v}, outside the vocabulary [0, {v})", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASelectorWhoseBeginFailsFailsItsRequestWithThatErrorAndTheNextIsServed()
    {
        var failure = new InvalidOperationException("injected: begin");
        Assert.Same(failure, await Assert.ThrowsAsync<InvalidOperationException>(() => generator.GenerateAsync(Prompt, Options, new BeginFails(failure)).WaitAsync(Patience)));
        Assert.Equal(0, generator.PendingRequests);
        Assert.Equal(Options.MaxNewTokens, (await generator.GenerateAsync(Prompt, Options).WaitAsync(Patience)).Ids.Count);
    }

    [Fact]
    public async Task ARoundLeftWithOneRequestAfterTheOtherFailedToDeclareRunsItsPassUnshared()
    {
        // Both declare their pass in the second round; one fails, so the round's pass holds one request's rows: not a
        // pass shared by several requests, nor a step whose declared rows rode in one.
        var runs = Start([(Prompt, new Declares(RunsTheDeclaredPass)), (Other, new Declares(RunsTheDeclaredPass, new InvalidOperationException("injected: declare")))]);
        await Assert.ThrowsAsync<InvalidOperationException>(() => runs[1].WaitAsync(Patience));
        Assert.Equal(Options.MaxNewTokens, (await runs[0].WaitAsync(Patience)).Ids.Count);
        Assert.Equal(0, generator.BatchedPasses);
        Assert.Equal(0, generator.SharedStepsWithDeclaredRows);
    }

    [Fact]
    public async Task AStepWhoseRawRowRanInASharedPassMustTakeItBeforeAnyOtherPass()
    {
        var error = await FailsBesideAPlainRequest(new RawPassFirst(step =>
        {
            using var logits = step.RunBatch(2, new ForwardRequest { WriteCache = false });
            return 0;
        }));
        Assert.Contains("raw pass already ran in a batch of sequences: take it with RunRawPass", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStepWhoseRawRowRanInASharedPassMustTakeIt()
    {
        var error = await FailsBesideAPlainRequest(new RawPassFirst(_ => 0));
        Assert.Contains($"{nameof(RawPassFirst)} did not take the step's raw pass", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATwoPhaseStepChoosingTheVocabularySizeIsRefusedNamingIt()
    {
        int v = model.VocabSize;
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            generator.GenerateAsync(Prompt, Options, new TwoPhase(new CountingSteering(), chosen: v)).WaitAsync(Patience));
        Assert.Contains($"{nameof(TwoPhase)} chose token {v}, outside the vocabulary [0, {v})", error.Message, StringComparison.Ordinal);

        var fine = await generator.GenerateAsync(Prompt, Options, new TwoPhase(new CountingSteering(), chosen: v - 1)).WaitAsync(Patience);
        Assert.All(fine.Ids, id => Assert.Equal(v - 1, id));
    }

    [Fact]
    public async Task SteeredRowsAreDisposedAfterEveryStepAloneOrShared()
    {
        var alone = new CountingSteering();
        var result = await generator.GenerateAsync(Prompt, Options, new TwoPhase(alone)).WaitAsync(Patience);
        Assert.Equal(Options.MaxNewTokens, alone.Disposed);

        // Admitted together behind a plain request held in its first step (the first-token callback of Together let the
        // first request run ahead now and then in a full suite run: no shared steered pass).
        var steerings = new[] { new CountingSteering(), new CountingSteering() };
        using var holder = new HoldsTheFirstStep();
        var held = generator.GenerateAsync([5, 6], new GenerationOptions { MaxNewTokens = 1, EosTokenIds = [] }, holder);
        Assert.True(holder.Started.Wait(Patience), "the holding request never started");
        var runs = new[] { generator.GenerateAsync(Prompt, Options, new TwoPhase(steerings[0])), generator.GenerateAsync(Other, Options, new TwoPhase(steerings[1])) };
        holder.Release.Set();
        await held.WaitAsync(Patience);
        var results = await Task.WhenAll(runs).WaitAsync(Patience);
        Assert.True(generator.BatchedSteeredPasses > 0, "the steered rows never shared a pass");
        Assert.All(steerings, s => Assert.Equal(Options.MaxNewTokens, s.Disposed));
        Assert.Equal(result.Ids, results[0].Ids);
    }

    /// <summary>
    /// A request completes only after its last step's steered rows are disposed, alone and in a shared pass: a caller
    /// woken by the result finds them freed. (Before 2026-12-05 the request was settled first and the rows disposed
    /// after it, so reading the count at once saw one disposal short, now and then, in CI's AVX2 run.)
    /// </summary>
    [Fact]
    public async Task ARequestCompletesOnlyAfterItsStepsSteeredRowsAreDisposed()
    {
        var alone = new CountingSteering();
        var task = generator.GenerateAsync(Prompt, Options, new TwoPhase(alone));
        alone.Request = task;
        await task.WaitAsync(Patience);
        Assert.Equal(Options.MaxNewTokens, alone.Disposed);
        Assert.Equal(0, alone.DisposedAfterCompletion);

        var together = new[] { new CountingSteering(), new CountingSteering() };
        using var holder = new HoldsTheFirstStep();
        var held = generator.GenerateAsync([5, 6], new GenerationOptions { MaxNewTokens = 1, EosTokenIds = [] }, holder);
        Assert.True(holder.Started.Wait(Patience), "the holding request never started");
        var runs = new[] { generator.GenerateAsync(Prompt, Options, new TwoPhase(together[0])), generator.GenerateAsync(Other, Options, new TwoPhase(together[1])) };
        together[0].Request = runs[0];
        together[1].Request = runs[1];
        holder.Release.Set();
        await held.WaitAsync(Patience);
        await Task.WhenAll(runs).WaitAsync(Patience);
        Assert.True(generator.BatchedSteeredPasses > 0, "the steered rows never shared a pass");
        Assert.All(together, s => Assert.Equal(Options.MaxNewTokens, s.Disposed));
        Assert.All(together, s => Assert.Equal(0, s.DisposedAfterCompletion));
    }

    [Fact]
    public async Task TheStepWhoseSharedRawPassFillsTheCacheStillSharesItsSteeredPass()
    {
        // Two 60-token prompts in a context of 64, both declaring steered rows at every step, admitted together (a
        // plain request holds round 1): steps 0..4 in rounds 2..6, one shared steered pass each, round 6's too, where
        // the shared raw pass has just filled both caches (steered rows are read-only and need no room).
        int[] a = Enumerable.Range(0, 60).Select(i => 4 + (i * 7 % 90)).ToArray();
        int[] b = Enumerable.Range(0, 60).Select(i => 4 + (i * 11 % 90)).ToArray();
        using var holder = new HoldsTheFirstStep();
        var held = generator.GenerateAsync([5, 6], new GenerationOptions { MaxNewTokens = 1, EosTokenIds = [] }, holder);
        Assert.True(holder.Started.Wait(Patience), "the holding request never started");
        var runs = new[] { generator.GenerateAsync(a, Options, new TwoPhase(new CountingSteering())), generator.GenerateAsync(b, Options, new TwoPhase(new CountingSteering())) };
        holder.Release.Set();
        await held.WaitAsync(Patience);
        var results = await Task.WhenAll(runs).WaitAsync(Patience);
        Assert.All(results, r => Assert.Equal(Options.MaxNewTokens, r.Ids.Count));
        Assert.Equal(5, generator.BatchedSteeredPasses);
        Assert.All(results, r => Assert.Equal(2, r.PeakSteeredBatchRequests));
    }

    [Fact]
    public async Task SteeredRowsDeclaredByAStepThatBrokeTheRawPassContractAreDisposed()
    {
        // BeginStep declares its rows without running the raw pass: nothing was cached for the step.
        var steering = new CountingSteering();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            generator.GenerateAsync(Prompt, Options, new TwoPhase(steering, skipRawPass: true)).WaitAsync(Patience));
        Assert.Contains("must append exactly one position to the cache per step", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, steering.Disposed);
    }

    [Fact]
    public async Task ASelectorFailingToDeclareItsPassInASharedRoundFailsAloneAndTheOthersFinishAsAlone()
    {
        int[] thirdPrompt = [7, 7, 2, 11, 4];
        var first = await generator.GenerateAsync(Prompt, Options).WaitAsync(Patience);
        var third = await generator.GenerateAsync(thirdPrompt, Options).WaitAsync(Patience);
        var failure = new InvalidOperationException("injected: declare");
        var runs = Start([(Prompt, null), (Other, new Declares(_ => _ => 0, failure)), (thirdPrompt, null)]);
        Assert.Same(failure, await Assert.ThrowsAsync<InvalidOperationException>(() => runs[1].WaitAsync(Patience)));
        Assert.Equal(first.Ids, (await runs[0].WaitAsync(Patience)).Ids);
        Assert.Equal(third.Ids, (await runs[2].WaitAsync(Patience)).Ids);
        Assert.Equal(3, (await runs[2]).PeakConcurrentRequests);
        Assert.Equal(0, generator.PendingRequests);
    }

    [Fact]
    public async Task ASharedRawPassThatFailsEndsEveryRequestInItWithItsErrorAndTheNextIsServed()
    {
        // The declared rows' steering fails inside the round's one raw pass: no request in it has its logits.
        var fault = new InvalidOperationException("injected: declared rows");
        var greedy = await generator.GenerateAsync(Prompt, Options).WaitAsync(Patience);
        var declares = new Declares(rows => step => TokenSampler.ArgMax(step.RunBatch(rows.Count, new ForwardRequest { Steering = rows.Steering })[0]), steering: new FailingSteering(fault));
        var runs = Start([(Prompt, null), (Other, declares)]);
        foreach (var run in runs)
        {
            Assert.Same(fault, await Assert.ThrowsAsync<InvalidOperationException>(() => run.WaitAsync(Patience)));
        }

        Assert.Equal(0, generator.PendingRequests);
        Assert.Equal(greedy.Ids, (await generator.GenerateAsync(Prompt, Options).WaitAsync(Patience)).Ids);
    }

    [Fact]
    public async Task ASharedSteeredPassThatFailsEndsTheRequestsWhoseRowsWereInIt()
    {
        var fault = new InvalidOperationException("injected: steered rows");
        var greedy = await generator.GenerateAsync(Prompt, Options).WaitAsync(Patience);
        var runs = Start([(Prompt, null), (Other, new TwoPhase(new FailingSteering(fault))), (Other, new TwoPhase(new FailingSteering(fault)))]);
        Assert.Same(fault, await Assert.ThrowsAsync<InvalidOperationException>(() => runs[1].WaitAsync(Patience)));
        Assert.Same(fault, await Assert.ThrowsAsync<InvalidOperationException>(() => runs[2].WaitAsync(Patience)));
        Assert.Equal(greedy.Ids, (await runs[0].WaitAsync(Patience)).Ids);
        Assert.Equal(0, generator.PendingRequests);
    }

    /// <summary>
    /// Runs <paramref name="selector"/>'s request beside a plain one in shared rounds; returns its error (the plain one
    /// must finish with the tokens it gets alone).
    /// </summary>
    private async Task<InvalidOperationException> FailsBesideAPlainRequest(ITokenSelector selector)
    {
        var alone = await generator.GenerateAsync(Prompt, Options).WaitAsync(Patience);
        var runs = Start([(Prompt, null), (Other, selector)]);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runs[1].WaitAsync(Patience));
        Assert.Equal(alone.Ids, (await runs[0].WaitAsync(Patience)).Ids);
        Assert.Equal(0, generator.PendingRequests);
        return error;
    }

    private async Task<GenerationResult[]> Together((int[] Prompt, ITokenSelector? Selector)[] jobs) => await Task.WhenAll(Start(jobs)).WaitAsync(Patience);

    /// <summary>Starts the requests so that they decode in shared rounds: the first waits in its first token's callback until the others are queued.</summary>
    private Task<GenerationResult>[] Start((int[] Prompt, ITokenSelector? Selector)[] jobs)
    {
        bool first = true;
        var head = generator.GenerateAsync(jobs[0].Prompt, Options, jobs[0].Selector, _ =>
        {
            if (first)
            {
                first = false;
                queued.Wait(Patience);
            }
        });
        var rest = jobs.Skip(1).Select(j => generator.GenerateAsync(j.Prompt, Options, j.Selector));
        Task<GenerationResult>[] runs = [head, .. rest];
        queued.Release();
        return runs;
    }

    /// <summary>Greedy; every step declares a raw row and one steered row, then runs <c>select</c> (or fails to declare).</summary>
    private sealed class Declares(Func<RowsWithRawPass, Func<DecodeStep, int>> select, Exception? declareFails = null, IAttentionSteering? steering = null) : ITokenSelector, IRunsRowsWithRawPass
    {
        private RowsWithRawPass? rows;

        public void Begin(IReadOnlyList<int> promptIds)
        {
        }

        public bool DeclaresRowsWithRawPass(int index, torch.Device device, bool concurrent) => true;

        public RowsWithRawPass DeclareRowsWithRawPass(DecodeStep step)
        {
            if (declareFails is not null)
            {
                throw declareFails;
            }

            rows = new RowsWithRawPass(steering ?? new CountingSteering(), 2, null);
            return rows;
        }

        public int Select(DecodeStep step)
        {
            if (rows is { } declared)
            {
                rows = null;
                return select(declared)(step);
            }

            using var logits = step.RunRawPass();
            return TokenSampler.ArgMax(logits);
        }
    }

    private static Func<DecodeStep, int> RunsTheDeclaredPass(RowsWithRawPass rows) => step =>
    {
        using var logits = step.RunBatch(rows.Count, new ForwardRequest { Steering = rows.Steering });
        return TokenSampler.ArgMax(logits[0]);
    };

    /// <summary>Greedy, but its <see cref="ITokenSelector.Begin"/> fails.</summary>
    private sealed class BeginFails(Exception failure) : ITokenSelector
    {
        public void Begin(IReadOnlyList<int> promptIds) => throw failure;

        public int Select(DecodeStep step)
        {
            using var logits = step.RunRawPass();
            return TokenSampler.ArgMax(logits);
        }
    }

    /// <summary>Says each step begins with the raw pass, then runs <c>select</c> in a shared round (greedy alone).</summary>
    private sealed class RawPassFirst(Func<DecodeStep, int> shared) : ITokenSelector, IRawPassFirst
    {
        public void Begin(IReadOnlyList<int> promptIds)
        {
        }

        public bool StartsWithRawPass(int index, torch.Device device, bool concurrent) => true;

        public int Select(DecodeStep step)
        {
            if (step.PrecomputedRawLogits is not null)
            {
                return shared(step);
            }

            using var logits = step.RunRawPass();
            return TokenSampler.ArgMax(logits);
        }
    }

    /// <summary>Two phases: the raw pass (unless told to skip it) and one steered row, then greedy on the raw pass or <c>chosen</c>.</summary>
    private sealed class TwoPhase(IAttentionSteering steering, int? chosen = null, bool skipRawPass = false) : ITokenSelector, ISteersAfterRawPass
    {
        private int raw;

        public void Begin(IReadOnlyList<int> promptIds)
        {
        }

        public bool StartsWithRawPass(int index, torch.Device device, bool concurrent) => true;

        public bool DeclaresSteeredRows(int index, torch.Device device, bool concurrent) => true;

        public SteeredRows? BeginStep(DecodeStep step)
        {
            if (!skipRawPass)
            {
                using var logits = step.RunRawPass();
                raw = TokenSampler.ArgMax(logits);
            }

            return new SteeredRows(steering, 1);
        }

        public int EndStep(DecodeStep step, torch.Tensor? steered) => chosen ?? raw;

        public int Select(DecodeStep step)
        {
            var twoPhase = (ISteersAfterRawPass)this;
            using var rows = twoPhase.BeginStep(step);
            return twoPhase.EndStep(step, rows is null ? null : step.RunSteeredRows(rows));
        }
    }

    /// <summary>Fails every pass it steers.</summary>
    private sealed class FailingSteering(Exception failure) : IAttentionSteering
    {
        public bool AffectsLayer(int layer) => true;

        public void Apply(int layer, torch.Tensor scores) => throw failure;
    }

    /// <summary>
    /// Steers nothing; counts its disposals (steered rows own their steering), and those that came after its request, when
    /// given, had already completed.
    /// </summary>
    private sealed class CountingSteering : IAttentionSteering, IDisposable
    {
        private int disposed;
        private int afterCompletion;

        /// <summary>The request's task, set as soon as the generator returns it (its first steps may run before).</summary>
        public volatile Task? Request;

        public int Disposed => Volatile.Read(ref disposed);

        public int DisposedAfterCompletion => Volatile.Read(ref afterCompletion);

        public bool AffectsLayer(int layer) => false;

        public void Apply(int layer, torch.Tensor scores)
        {
        }

        public void Dispose()
        {
            Interlocked.Increment(ref disposed);
            if (Request is { IsCompleted: true })
            {
                Interlocked.Increment(ref afterCompletion);
            }
        }
    }
}
