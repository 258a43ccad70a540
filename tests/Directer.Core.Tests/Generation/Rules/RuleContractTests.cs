using Directer.Core.Generation;
using Directer.Core.Generation.Rules;
using Directer.Core.Modeling;
using Directer.Core.Runtime;
using Directer.Core.Tests.Support;
using static TorchSharp.torch;

namespace Directer.Core.Tests.Generation.Rules;

/// <summary>
/// The token rules' contract (<see cref="ITokenRule"/>) rule by rule: <c>Begin</c> forgets every earlier token, ids
/// outside the vocabulary (a caller's end-of-sequence ids, say) are ignored rather than indexed, and the minimum
/// length holds end-of-sequence back for exactly <c>MinNewTokens</c> steps. Expected logits are worked out by hand
/// from the formulas the rules document.
/// </summary>
public sealed class RuleContractTests : IDisposable
{
    private const int Vocab = 16;
    private readonly LlamaModel model;
    private readonly KvCache cache;

    public RuleContractTests()
    {
        TorchRuntime.EnsureInitialized();
        model = LlamaModel.Load(GeneratedCheckpoints.PathOf("llama-gqa-f32"), new ModelOptions { MaxSequenceLength = 64 });
        cache = model.CreateCache(8);
    }

    public void Dispose()
    {
        cache.Dispose();
        model.Dispose();
    }

    private DecodeStep Step(int index) => new(model, cache, new TokenSampler(new GenerationOptions()), [1], null) { Index = index };

    /// <summary>The rule's adjustment of all-zero logits at a step, or null when the rule is idle there.</summary>
    private float[]? Adjusted(ITokenRule rule, int index = 0)
    {
        using var scope = NewDisposeScope();
        if (!rule.Prepare(Step(index)))
        {
            return null;
        }

        return rule.Apply(zeros(Vocab), raw: true).data<float>().ToArray();
    }

    private static float[] Expected(params (int Id, float Value)[] changed)
    {
        var x = new float[Vocab];
        foreach (var (id, value) in changed)
        {
            x[id] = value;
        }

        return x;
    }

    [Fact]
    public void OccurrencePenaltiesForgetTheLastGenerationAtBegin()
    {
        var rule = new OccurrencePenaltyRule(0.5f, 0.25f, Vocab);
        rule.Begin([1]);
        rule.Accept(3);
        rule.Accept(3);
        rule.Accept(5);
        Assert.Equal(Expected((3, -1.25f), (5, -0.75f)), Adjusted(rule));

        rule.Begin([1]);
        Assert.Null(Adjusted(rule)); // nothing generated yet: idle
        rule.Accept(3);
        Assert.Equal(Expected((3, -0.75f)), Adjusted(rule)); // counted once, not three times
    }

    [Fact]
    public void TheRepetitionPenaltyForgetsTheLastSequenceAtBegin()
    {
        var rule = new RepetitionPenaltyRule(2, Vocab);
        rule.Begin([4]);
        rule.Accept(6);
        using (var scope = NewDisposeScope())
        {
            Assert.True(rule.Prepare(Step(1)));
            float[] penalised = rule.Apply(full(Vocab, 3f), raw: true).data<float>().ToArray();
            Assert.Equal(1.5f, penalised[4]);
            Assert.Equal(1.5f, penalised[6]);
        }

        rule.Begin([7]);
        rule.Accept(4); // seen in the last sequence, new in this one
        using (var scope = NewDisposeScope())
        {
            Assert.True(rule.Prepare(Step(1)));
            float[] penalised = rule.Apply(full(Vocab, -3f), raw: true).data<float>().ToArray();
            var expected = Enumerable.Repeat(-3f, Vocab).ToArray();
            expected[7] = -6f; // the new prompt's id
            expected[4] = -6f; // and the new generated one; 6 is forgotten
            Assert.Equal(expected, penalised);
        }
    }

    [Fact]
    public void IdsOutsideTheVocabularyAreIgnoredByThePenalties()
    {
        var repetition = new RepetitionPenaltyRule(2, Vocab);
        repetition.Begin([-1, Vocab, 2]);
        repetition.Accept(Vocab);
        repetition.Accept(-5);
        using (var scope = NewDisposeScope())
        {
            Assert.True(repetition.Prepare(Step(0)));
            Assert.Equal(Expected((2, 0f)), repetition.Apply(zeros(Vocab), raw: true).data<float>().ToArray());
        }

        var occurrence = new OccurrencePenaltyRule(1, 0, Vocab);
        occurrence.Begin([1]);
        occurrence.Accept(-1);
        occurrence.Accept(Vocab);
        Assert.Null(Adjusted(occurrence)); // nothing counted
        occurrence.Accept(Vocab - 1);
        Assert.Equal(Expected((Vocab - 1, -1f)), Adjusted(occurrence));
    }

    [Fact]
    public void TheMinimumLengthMasksEndOfSequenceForExactlyItsSteps()
    {
        var rule = new MinLengthRule(2, [3, 0]);
        rule.Begin([1]);
        float[] masked = Expected((3, float.NegativeInfinity), (0, float.NegativeInfinity));
        Assert.Equal(masked, Adjusted(rule, index: 0));
        Assert.Equal(masked, Adjusted(rule, index: 1));
        Assert.Null(Adjusted(rule, index: 2)); // two tokens generated: end-of-sequence may come now
        Assert.Null(Adjusted(rule, index: 3));
    }

    [Fact]
    public void TheChainsMinimumLengthMasksEveryEndOfSequenceIdInTheVocabularyAndIgnoresTheOthers()
    {
        // A caller's eos list may hold ids the model does not have (999 999 in GeneratorTests); 0 is a valid id.
        var options = new GenerationOptions { MaxNewTokens = 4, MinNewTokens = 1 };
        var chain = TokenRuleChain.For(options, new HashSet<int> { Vocab, -1, 0, 9, 99_999 }, Vocab, null, new StopRule(options, null, null));
        chain.Begin([1]);
        using (var scope = NewDisposeScope())
        {
            chain.Prepare(Step(0));
            float[] logits = chain.Apply(zeros(Vocab), raw: true).data<float>().ToArray();
            Assert.Equal(Expected((0, float.NegativeInfinity), (9, float.NegativeInfinity)), logits);
        }

        // Id 0 alone is an end-of-sequence id like any other.
        var zero = TokenRuleChain.For(options, new HashSet<int> { 0 }, Vocab, null, new StopRule(options, null, null));
        zero.Begin([1]);
        using (var scope = NewDisposeScope())
        {
            zero.Prepare(Step(0));
            Assert.Equal(Expected((0, float.NegativeInfinity)), zero.Apply(zeros(Vocab), raw: true).data<float>().ToArray());
        }

        // Only ids outside the vocabulary: no minimum-length rule at all (nothing to hold back).
        var outside = TokenRuleChain.For(options, new HashSet<int> { Vocab, 99_999 }, Vocab, null, new StopRule(options, null, null));
        outside.Begin([1]);
        using (var scope = NewDisposeScope())
        {
            outside.Prepare(Step(0));
            var logits = zeros(Vocab);
            Assert.Same(logits, outside.Apply(logits, raw: true));
        }
    }
}
