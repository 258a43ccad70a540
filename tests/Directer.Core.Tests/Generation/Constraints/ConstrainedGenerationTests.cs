using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Runtime;
using Directer.Core.Steering;
using Directer.Core.Steering.Baselines;
using Directer.Core.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Core.Tests.Generation.Constraints;

/// <summary>The generator with a constraint, on a tiny random checkpoint (vocabulary 96).</summary>
public sealed class ConstrainedGenerationTests : TinyGeneratorTests
{
    private const int Steps = 14;
    private static readonly int[] Prompt = { 1, 17, 42, 5, 88, 23, 9, 61, 30, 77 };
    private static readonly TokenSpan[] Instruction = { new(2, 6) };

    /// <summary>Step k allows four ids that move with k (or, where <paramref name="unconstrained"/> says so, everything).</summary>
    private static RecordingConstraint Rotating(Func<int, bool>? unconstrained = null) => new(step =>
        unconstrained?.Invoke(step) == true ? null : [(step * 11 + 3) % 96, (step * 29 + 50) % 96, (step * 7 + 90) % 96, (step * 13 + 21) % 96]);

    private GenerationOptions Options(ITokenConstraint constraint, float temperature = 0, long? seed = null, int? topK = null, float? topP = null) =>
        new() { MaxNewTokens = Steps, EosTokenIds = [], Constraint = constraint, Temperature = temperature, Seed = seed, TopK = topK, TopP = topP };

    private static void AssertEveryTokenAllowed(RecordingConstraint constraint, GenerationResult result)
    {
        Assert.Equal(1, constraint.Begins);
        Assert.Equal(result.DecodedTokens, constraint.Masks.Count);    // asked once per step
        Assert.Equal(result.Ids, constraint.Accepted);                 // told every token, in order
        for (int step = 0; step < result.Ids.Count; step++)
        {
            var mask = constraint.Masks[step];
            Assert.True(mask is null || mask[result.Ids[step]], $"step {step}: token {result.Ids[step]} is not allowed");
        }

        Assert.Equal(constraint.Masks.Count(m => m is not null), result.ConstrainedSteps);
    }

    [Fact]
    public async Task GreedyPicksTheMostLikelyAllowedTokenAndCountsOverrides()
    {
        var constraint = Rotating();
        var result = await Generator.GenerateAsync(Prompt, Options(constraint));
        Assert.Equal(Steps, result.DecodedTokens);
        Assert.Equal(Steps, result.ConstrainedSteps);
        AssertEveryTokenAllowed(constraint, result);

        // Independently: a full forward over the prompt and the tokens so far, at every step.
        int overrides = 0;
        for (int step = 0; step < Steps; step++)
        {
            float[] logits = LastLogits(Prompt.Concat(result.Ids.Take(step)));
            var mask = constraint.Masks[step]!;
            int best = Enumerable.Range(0, logits.Length).Where(i => mask[i]).MaxBy(i => logits[i]);
            Assert.Equal(best, result.Ids[step]);
            overrides += mask[Array.IndexOf(logits, logits.Max())] ? 0 : 1;
        }

        Assert.Equal(overrides, result.ConstraintOverrides);
        Assert.True(overrides > 0, "four allowed ids out of 96 should override the model at least once");
    }

    [Fact]
    public async Task StepsWithoutAMaskAreNotCounted()
    {
        var constraint = Rotating(step => step % 3 == 1);
        var result = await Generator.GenerateAsync(Prompt, Options(constraint));
        AssertEveryTokenAllowed(constraint, result);
        Assert.Equal(Steps - ((Steps + 1) / 3), result.ConstrainedSteps);
        var free = await Generator.GenerateAsync(Prompt, new GenerationOptions { MaxNewTokens = Steps, EosTokenIds = [] });
        Assert.Equal(0, free.ConstrainedSteps);
        Assert.Equal(0, free.ConstraintOverrides);
    }

    [Fact]
    public async Task AMaskThatBansOnlyTheGreedyTokenOnceOverridesExactlyOnce()
    {
        var plain = await Generator.GenerateAsync(Prompt, new GenerationOptions { MaxNewTokens = Steps, EosTokenIds = [] });
        int greedyFirst = plain.Ids[0];
        var constraint = new RecordingConstraint(step => step == 0 ? Enumerable.Range(0, 96).Where(i => i != greedyFirst).ToArray() : Enumerable.Range(0, 96).ToArray());
        var result = await Generator.GenerateAsync(Prompt, Options(constraint));
        AssertEveryTokenAllowed(constraint, result);
        Assert.Equal(Steps, result.ConstrainedSteps);
        Assert.Equal(1, result.ConstraintOverrides);
        float[] logits = LastLogits(Prompt);
        int second = Enumerable.Range(0, logits.Length).Where(i => i != greedyFirst).MaxBy(i => logits[i]);
        Assert.Equal(second, result.Ids[0]);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(2, null)]
    [InlineData(null, 0.5f)]
    public async Task SamplingOnlyDrawsAllowedTokensAndIsReproducible(int? topK, float? topP)
    {
        var first = Rotating();
        var a = await Generator.GenerateAsync(Prompt, Options(first, temperature: 1, seed: 11, topK: topK, topP: topP));
        AssertEveryTokenAllowed(first, a);
        Assert.Equal(Steps, a.ConstrainedSteps);
        var second = Rotating();
        var b = await Generator.GenerateAsync(Prompt, Options(second, temperature: 1, seed: 11, topK: topK, topP: topP));
        Assert.Equal(a.Ids, b.Ids);
    }

    [Fact]
    public async Task SamplingCoversTheAllowedSetRatherThanAlwaysTheSameToken()
    {
        // A fixed set of five ids every step: with temperature 1 over 40 steps several of them must appear.
        var constraint = new RecordingConstraint(_ => [4, 33, 58, 71, 90]);
        var result = await Generator.GenerateAsync(Prompt, Options(constraint, temperature: 1, seed: 3) with { MaxNewTokens = 40 });
        AssertEveryTokenAllowed(constraint, result);
        Assert.True(result.Ids.Distinct().Count() >= 3, $"only {string.Join(",", result.Ids.Distinct())} drawn");
    }

    public static TheoryData<SteeringStrategy, float, double> DirecterCases() => new()
    {
        { SteeringStrategy.Sequential, 0, 1e-12 },
        { SteeringStrategy.Batched, 0, 1e-12 },
        { SteeringStrategy.BatchedAfterGate, 0, 1e-12 },
        { SteeringStrategy.BatchedAfterGate, 0, 0.3 },
        { SteeringStrategy.Batched, 1, 1e-12 },
        { SteeringStrategy.Sequential, 1, 0.3 },
    };

    [Theory]
    [MemberData(nameof(DirecterCases))]
    public async Task DirecterOnlyEverSeesAndChoosesAllowedTokens(SteeringStrategy strategy, float temperature, double beta)
    {
        var constraint = Rotating();
        var selector = new DirecterSelector(Instruction, new SteeringSettings { Alpha = 1e4, Beta = beta, Strategy = strategy });
        var result = await Generator.GenerateAsync(Prompt, Options(constraint, temperature, seed: 5), selector);
        AssertEveryTokenAllowed(constraint, result);
        Assert.Equal(Steps, result.ConstrainedSteps);
        Assert.Equal(Steps, selector.Trace.Count);
        Assert.Equal(result.Ids, selector.Trace.Select(s => s.ChosenToken));
        foreach (var s in selector.Trace)
        {
            var mask = constraint.Masks[s.Index]!;
            Assert.True(mask[s.RawToken], $"step {s.Index}: the raw pass chose {s.RawToken}, which is not allowed");
            Assert.True(mask[s.ChosenToken], $"step {s.Index}: steering chose {s.ChosenToken}, which is not allowed");
        }

        if (beta < 1e-6)
        {
            Assert.All(selector.Trace.Skip(1), s => Assert.True(s.Steered));
        }
    }

    public static TheoryData<string, bool> BaselineCases() => new()
    {
        { "static", false }, { "pasta", false }, { "spotlight", false }, { "instaboost", false }, { "static", true },
    };

    [Theory]
    [MemberData(nameof(BaselineCases))]
    public async Task BaselinesOnlyChooseAllowedTokens(string name, bool gated)
    {
        ISteeringMethod method = name switch
        {
            "static" => new StaticKeyScaling(1e4, null, Model.LayerCount),
            "pasta" => new PastaSteering(Model.LayerCount, a: 1e-4),
            "spotlight" => new SpotLightSteering(target: 0.9),
            _ => new InstABoostSteering(multiplier: 1e4),
        };
        var constraint = Rotating();
        var selector = new BaselineSelector(method, Instruction, gated, beta: 0.2);
        var result = await Generator.GenerateAsync(Prompt, Options(constraint), selector);
        AssertEveryTokenAllowed(constraint, result);
        Assert.Equal(Steps, result.ConstrainedSteps);
        Assert.All(selector.Trace, s =>
        {
            Assert.True(constraint.Masks[s.Index]![s.RawToken]);
            Assert.True(constraint.Masks[s.Index]![s.ChosenToken]);
        });
    }

    [Fact]
    public async Task EveryPassOfAStepIsMaskedTheSameWay()
    {
        var constraint = Rotating();
        var probe = new ProbeSelector();
        var result = await Generator.GenerateAsync(Prompt, Options(constraint), probe);
        AssertEveryTokenAllowed(constraint, result);
        Assert.Equal(Steps, probe.Checked);
        for (int step = 0; step < Steps; step++)
        {
            Assert.Equal(constraint.Masks[step], probe.SeenAllowed[step]);
        }
    }

    [Fact]
    public async Task ASelectorThatIgnoresTheMaskIsStopped()
    {
        var constraint = Rotating();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Generator.GenerateAsync(Prompt, Options(constraint), new RogueSelector()));
        Assert.Contains(nameof(RogueSelector), error.Message);
        Assert.Contains("constraint", error.Message);
        int banned = Enumerable.Range(0, 96).First(i => !constraint.Masks[0]![i]);
        Assert.Contains($"token {banned}", error.Message);
        Assert.Empty(constraint.Accepted);

        // The generator is still usable afterwards.
        var again = Rotating();
        var result = await Generator.GenerateAsync(Prompt, Options(again));
        AssertEveryTokenAllowed(again, result);
    }

    [Fact]
    public void BestContinuationIsTheHighestSummedLogProbability()
    {
        float[] start = LastLogits(Prompt);
        int first = Array.IndexOf(start, start.Max());
        int worst = Array.IndexOf(start, start.Min());
        int runnerUp = Enumerable.Range(0, 96).Where(i => i != first).MaxBy(i => start[i]);
        int[] greedy3 = Chain(first, 3);
        int[] mid2 = Chain(runnerUp, 2);
        int[] worst1 = [worst];

        var sets = new List<int[][]> { new[] { worst1, mid2, greedy3 }, new[] { greedy3, worst1, mid2 }, new[] { mid2, greedy3, worst1 } };

        // A second batch (more than eight rows): the best one last.
        var random = new Random(9);
        var many = Enumerable.Range(0, 10).Select(i => Enumerable.Range(0, 1 + (i % 4)).Select(_ => random.Next(96)).ToArray()).ToList();
        many.Add(greedy3);
        many.Add([first]);
        var scored = many.Select(c => (c, Score(c))).OrderBy(x => x.Item2).Select(x => x.c).ToArray();
        sets.Add(scored);
        sets.Add(Enumerable.Reverse(scored).ToArray());

        // A pair where the sum and the mean per token disagree (a short, unlikely one against a long, likelier one).
        var pool = many.Concat([mid2, Chain(runnerUp, 4), Chain(worst, 3), [runnerUp]]).Select(c => (Tokens: c, Sum: Score(c))).ToList();
        var split = (from x in pool
                     from y in pool
                     where x.Sum - y.Sum > 0.05 && (y.Sum / y.Tokens.Length) - (x.Sum / x.Tokens.Length) > 0.05
                     select new[] { y.Tokens, x.Tokens }).FirstOrDefault();
        Assert.NotNull(split);
        sets.Add(split);

        using var cache = Model.CreateCache(32);
        Prefill(cache);
        var step = Step(cache);
        foreach (var set in sets)
        {
            double[] scores = set.Select(Score).ToArray();
            int expected = Array.IndexOf(scores, scores.Max());
            double runner = scores.Where((_, i) => i != expected).Max();
            Assert.True(scores[expected] - runner > 1e-3, $"scores too close to tell apart: {string.Join(", ", scores)}");
            Assert.Equal(expected, step.BestContinuation(set));
            Assert.Equal(Prompt.Length - 1, cache.Length); // read-only: the cache is untouched
        }

        // Not simply the shortest: the single least likely token loses to longer, likelier continuations.
        Assert.NotEqual(0, step.BestContinuation(sets[0]));
        Assert.Equal(sets[3].Length - 1, step.BestContinuation(sets[3]));
        Assert.Equal(0, step.BestContinuation(sets[4]));
        Assert.Equal(1, step.BestContinuation(sets[5])); // the higher sum, not the higher mean
    }

    [Fact]
    public async Task DirecterRequestsWhoseFirstPassRideInASharedRawPassCountTheirOverridesAsAlone()
    {
        // The mask of step 0 bans the raw pass's most likely token: an override at the ranking step, whose pass is
        // declared and, with another request in the round, runs as rows of the shared raw pass.
        float[] first = LastLogits(Prompt);
        Assert.False(Rotating().AllowedNext(96)![Array.IndexOf(first, first.Max())], "step 0's mask allows the greedy token: no override to count");
        DirecterSelector Steered() => new(Instruction, new SteeringSettings { Alpha = 16, Beta = 0.3 });
        var alone = await Generator.GenerateAsync(Prompt, Options(Rotating()), Steered());
        Assert.True(alone.ConstraintOverrides > 0);

        using var holder = new HoldsTheFirstStep();
        var held = Generator.GenerateAsync([5, 6], new GenerationOptions { MaxNewTokens = 1, EosTokenIds = [] }, holder);
        Assert.True(holder.Started.Wait(TimeSpan.FromSeconds(60)), "the holding request never started");
        var runs = new[] { Generator.GenerateAsync(Prompt, Options(Rotating()), Steered()), Generator.GenerateAsync(Prompt, Options(Rotating()), Steered()) };
        holder.Release.Set();
        await held;
        var results = await Task.WhenAll(runs);
        Assert.True(Generator.SharedStepsWithDeclaredRows >= 2, "the ranking steps never rode in a shared raw pass");
        Assert.All(results, r =>
        {
            Assert.Equal(alone.Ids, r.Ids);
            Assert.Equal(alone.ConstraintOverrides, r.ConstraintOverrides);
        });
    }

    [Fact]
    public void BestContinuationScoresExactlyOnePassOfEightAndAnEmptyContinuationAsZero()
    {
        var random = new Random(21);
        int[][] eight = Enumerable.Range(0, 8).Select(i => Enumerable.Range(0, 1 + (i % 3)).Select(_ => random.Next(96)).ToArray()).ToArray();
        double[] scores = eight.Select(Score).ToArray();
        int expected = Array.IndexOf(scores, scores.Max());
        Assert.True(scores[expected] - scores.Where((_, i) => i != expected).Max() > 1e-3, $"scores too close to tell apart: {string.Join(", ", scores)}");

        using var cache = Model.CreateCache(32);
        Prefill(cache);
        var step = Step(cache);
        Assert.Equal(expected, step.BestContinuation(eight));

        // The sum over no tokens is 0, above every continuation's (each log-probability is below 0).
        Assert.Equal(1, step.BestContinuation([eight[expected], []]));
        Assert.Equal(Prompt.Length - 1, cache.Length);
    }

    [Fact]
    public void BestContinuationGivesUpWhenTheLongestDoesNotFitTheCache()
    {
        int[][] set = [[3], [4, 5, 6]];
        using (var tight = Model.CreateCache(Prompt.Length - 1 + 1 + 3 - 1))
        {
            Prefill(tight);
            Assert.Equal(-1, Step(tight).BestContinuation(set));
        }

        using var fits = Model.CreateCache(Prompt.Length - 1 + 1 + 3);
        Prefill(fits);
        double[] scores = set.Select(Score).ToArray();
        Assert.Equal(Array.IndexOf(scores, scores.Max()), Step(fits).BestContinuation(set));
    }

    [Fact]
    public async Task AChoiceConstraintIsToldTheModelsBestContinuationAndThenWritesIt()
    {
        int[][] choices = [[7, 8], [12], [40, 41, 42], [3, 3]];
        double[] scores = choices.Select(Score).ToArray();
        int expected = Array.IndexOf(scores, scores.Max());
        var constraint = new ChoosingConstraint(choices);
        var result = await Generator.GenerateAsync(Prompt, new GenerationOptions { MaxNewTokens = 6, EosTokenIds = [], Constraint = constraint });
        Assert.Equal(new[] { expected }, constraint.Chosen);
        Assert.Equal(choices[expected], result.Ids.Take(choices[expected].Length));
        Assert.Equal(choices[expected].Length, result.ConstrainedSteps);
    }

    private int[] Chain(int first, int length)
    {
        var chain = new List<int> { first };
        while (chain.Count < length)
        {
            float[] logits = LastLogits(Prompt.Concat(chain));
            chain.Add(Array.IndexOf(logits, logits.Max()));
        }

        return chain.ToArray();
    }

    private void Prefill(KvCache cache)
    {
        using var scope = NewDisposeScope();
        Model.Forward(tensor(Prompt.Take(Prompt.Length - 1).Select(i => (long)i).ToArray()).unsqueeze(0), cache);
    }

    private DecodeStep Step(KvCache cache) =>
        new(Model, cache, new TokenSampler(new GenerationOptions()), Prompt) { Index = 0, InputToken = Prompt[^1], Position = cache.Length };

    /// <summary>The independent reference: one full forward (fresh cache, every position's logits) over prompt + continuation.</summary>
    private double Score(int[] continuation)
    {
        using var scope = NewDisposeScope();
        using var cache = Model.CreateCache(Prompt.Length + continuation.Length);
        var ids = tensor(Prompt.Concat(continuation).Select(i => (long)i).ToArray()).unsqueeze(0);
        var logProbs = Model.Forward(ids, cache, new ForwardRequest { LastPositionOnly = false })[0].to_type(ScalarType.Float64).log_softmax(-1);
        double sum = 0;
        for (int j = 0; j < continuation.Length; j++)
        {
            sum += logProbs[Prompt.Length - 1 + j, continuation[j]].item<double>();
        }

        return sum;
    }

    private float[] LastLogits(IEnumerable<int> sequence)
    {
        using var scope = NewDisposeScope();
        long[] ids = sequence.Select(i => (long)i).ToArray();
        using var cache = Model.CreateCache(ids.Length);
        var logits = Model.Forward(tensor(ids).unsqueeze(0), cache, new ForwardRequest { LastPositionOnly = false });
        return logits[0, ids.Length - 1].data<float>().ToArray();
    }

    private sealed class RecordingConstraint(Func<int, int[]?> allowedAt) : ITokenConstraint
    {
        public int Begins { get; private set; }

        public List<bool[]?> Masks { get; } = new();

        public List<int> Accepted { get; } = new();

        public void Begin()
        {
            Begins++;
            Masks.Clear();
            Accepted.Clear();
        }

        public bool[]? AllowedNext(int vocabSize)
        {
            Assert.Equal(Masks.Count, Accepted.Count); // one question per step, after the previous token was accepted
            int[]? ids = allowedAt(Accepted.Count);
            bool[]? flags = null;
            if (ids is not null)
            {
                flags = new bool[vocabSize];
                foreach (int id in ids)
                {
                    flags[id] = true;
                }
            }

            Masks.Add(flags);
            return flags;
        }

        public void Accept(int tokenId) => Accepted.Add(tokenId);
    }

    /// <summary>Offers <c>choices</c> before the first step, then allows exactly the chosen continuation.</summary>
    private sealed class ChoosingConstraint(int[][] choices) : IChoiceConstraint
    {
        private readonly List<int> accepted = new();

        public List<int> Chosen { get; } = new();

        public void Begin()
        {
            accepted.Clear();
            Chosen.Clear();
        }

        public IReadOnlyList<IReadOnlyList<int>> PendingChoices() => accepted.Count == 0 && Chosen.Count == 0 ? choices : [];

        public void Choose(int index) => Chosen.Add(index);

        public bool[]? AllowedNext(int vocabSize)
        {
            Assert.Single(Chosen);
            var chosen = choices[Chosen[0]];
            if (accepted.Count >= chosen.Length)
            {
                return null;
            }

            var flags = new bool[vocabSize];
            flags[chosen[accepted.Count]] = true;
            return flags;
        }

        public void Accept(int tokenId) => accepted.Add(tokenId);
    }

    /// <summary>Runs a writing batch and a read-only batch and checks that both are masked exactly where the step says.</summary>
    private sealed class ProbeSelector : ITokenSelector
    {
        public int Checked { get; private set; }

        public List<bool[]?> SeenAllowed { get; } = new();

        public void Begin(IReadOnlyList<int> promptIds)
        {
            Checked = 0;
            SeenAllowed.Clear();
        }

        public int Select(DecodeStep step)
        {
            bool[]? allowed = step.Allowed?.ToArray();
            SeenAllowed.Add(allowed);
            using var written = step.RunBatch(3, new ForwardRequest { WriteCache = true });
            using var readOnly = step.RunBatch(2, new ForwardRequest { WriteCache = false });
            foreach (var rows in new[] { written, readOnly })
            {
                float[] values = rows.data<float>().ToArray();
                int vocab = (int)rows.shape[1];
                for (int i = 0; i < values.Length; i++)
                {
                    bool ok = allowed is null || allowed[i % vocab];
                    Assert.True(ok ? float.IsFinite(values[i]) : float.IsNegativeInfinity(values[i]), $"step {step.Index}, id {i % vocab}: logit {values[i]} (allowed: {ok})");
                }
            }

            Checked++;
            return TokenSampler.ArgMax(written[0]);
        }
    }

    /// <summary>Runs the raw pass, then returns a token the step does not allow.</summary>
    private sealed class RogueSelector : ITokenSelector
    {
        public void Begin(IReadOnlyList<int> promptIds)
        {
        }

        public int Select(DecodeStep step)
        {
            using var logits = step.RunRawPass();
            var allowed = step.Allowed ?? throw new InvalidOperationException("expected a mask");
            return Enumerable.Range(0, allowed.Count).First(i => !allowed[i]);
        }
    }
}
