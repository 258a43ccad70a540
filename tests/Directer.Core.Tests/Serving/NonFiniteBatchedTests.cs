using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Runtime;
using Directer.Core.Steering;
using Directer.Core.Tests.Checkpoints;
using Directer.Core.Tests.Support;
using Directer.Testing;
using TorchSharp;

namespace Directer.Core.Tests.Serving;

/// <summary>
/// NaN logits end a request with <see cref="NonFiniteLogitsException"/> naming its first step (issue 13) however the
/// step's passes ran: as rows of a raw pass shared by several requests, as a pass the step declared before it and that
/// rode in the shared raw pass (DIRECTER's layer ranking), or as steered rows run after the raw pass, alone or shared.
/// </summary>
public sealed class NonFiniteBatchedTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly GenerationOptions Options = new() { MaxNewTokens = 4, EosTokenIds = [] };
    private static readonly int[][] Prompts = [[1, 17, 42, 5], [3, 8, 9, 30, 12], [7, 7, 2]];
    private readonly TempFolder temp = new();

    public NonFiniteBatchedTests() => TorchRuntime.EnsureInitialized();

    public void Dispose() => temp.Dispose();

    private LlamaModel Poisoned()
    {
        TinyCheckpoints.Write(TinyCheckpoints.LlamaGqaF32, temp.Path);
        CheckpointPoison.Fill(temp.Path, "model.norm.weight", float.NaN);
        return LlamaModel.Load(temp.Path);
    }

    [Fact]
    public async Task PlainRequestsSharingARawPassEachFailAtTheirFirstStep()
    {
        using var model = Poisoned();
        using var generator = new TokenGenerator(model, new ServingOptions { ReusePrefixes = false });
        var requests = await Together(generator, Prompts.Select(p => (p, (ITokenSelector?)null)).ToArray());
        await ExpectFirstStepFails(requests);
        Assert.True(generator.BatchedPasses > 0, "the requests never shared a raw pass");
    }

    [Fact]
    public async Task SteeredRequestsWhosePassRodeInTheSharedRawPassEachFailAtTheirFirstStep()
    {
        using var model = Poisoned();
        using var generator = new TokenGenerator(model, new ServingOptions { ReusePrefixes = false });
        var settings = new SteeringSettings { Alpha = 16, Beta = 0.3 };
        var requests = await Together(generator, Prompts.Select(p => (p, (ITokenSelector?)new DirecterSelector([new TokenSpan(0, 2)], settings))).ToArray());
        await ExpectFirstStepFails(requests);
        Assert.True(generator.SharedStepsWithDeclaredRows > 0, "no declared pass rode in a shared raw pass");
    }

    [Fact]
    public async Task NonFiniteSteeredRowsFailTheRequestAloneAndInASharedSteeredPass()
    {
        using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf("llama-gqa-f32"));
        using var generator = new TokenGenerator(model, new ServingOptions { ReusePrefixes = false });
        await ExpectFirstStepFails([(Prompts[0], generator.GenerateAsync(Prompts[0], Options, new NaNSteeredRows()))]);
        Assert.Equal(0, generator.BatchedSteeredPasses);

        var requests = await Together(generator, Prompts.Select(p => (p, (ITokenSelector?)new NaNSteeredRows())).ToArray());
        await ExpectFirstStepFails(requests);
        Assert.True(generator.BatchedSteeredPasses > 0, "the steered rows never shared a pass");
    }

    /// <summary>
    /// Starts the requests while a greedy request on a healthy path holds the loop in its first step, so that the next
    /// round admits them all at once.
    /// </summary>
    private static async Task<(int[] Prompt, Task<GenerationResult> Run)[]> Together(TokenGenerator generator, (int[] Prompt, ITokenSelector? Selector)[] jobs)
    {
        using var holder = new HoldsTheFirstStep();
        var held = generator.GenerateAsync([5, 6], new GenerationOptions { MaxNewTokens = 1, EosTokenIds = [] }, holder);
        Assert.True(holder.Started.Wait(Patience), "the holding request never started");
        var runs = jobs.Select(j => (j.Prompt, generator.GenerateAsync(j.Prompt, Options, j.Selector))).ToArray();
        holder.Release.Set();
        try
        {
            await held.WaitAsync(Patience);
        }
        catch (NonFiniteLogitsException)
        {
            // On the poisoned model the holding request fails too, alone; it only held the loop.
        }

        return runs;
    }

    private static async Task ExpectFirstStepFails((int[] Prompt, Task<GenerationResult> Run)[] requests)
    {
        foreach (var (prompt, run) in requests)
        {
            var error = await Assert.ThrowsAsync<NonFiniteLogitsException>(() => run.WaitAsync(Patience));
            Assert.Equal(0, error.Step);
            Assert.Equal(prompt.Length - 1, error.Position);
        }
    }

    /// <summary>Takes the raw pass, then declares one steered row whose attention scores are all NaN; keeps the raw choice.</summary>
    private sealed class NaNSteeredRows : ITokenSelector, ISteersAfterRawPass
    {
        private int raw;

        public void Begin(IReadOnlyList<int> promptIds)
        {
        }

        public bool StartsWithRawPass(int index, torch.Device device, bool concurrent) => true;

        public bool DeclaresSteeredRows(int index, torch.Device device, bool concurrent) => true;

        public SteeredRows? BeginStep(DecodeStep step)
        {
            using var logits = step.RunRawPass();
            raw = TokenSampler.ArgMax(logits);
            return new SteeredRows(new NaNScores(), 1);
        }

        public int EndStep(DecodeStep step, torch.Tensor? steered) => raw;

        public int Select(DecodeStep step)
        {
            var twoPhase = (ISteersAfterRawPass)this;
            using var rows = twoPhase.BeginStep(step);
            return twoPhase.EndStep(step, rows is null ? null : step.RunSteeredRows(rows));
        }
    }

    private sealed class NaNScores : IAttentionSteering
    {
        public bool AffectsLayer(int layer) => true;

        public void Apply(int layer, torch.Tensor scores) => scores.fill_(float.NaN);
    }
}
