using Directer.Core.Generation;

namespace Directer.Core.Tests.Generation;

/// <summary>
/// The generator's settings and results without a model, at their edges: the serving options' rules and messages,
/// the throughput figures of a result, the non-finite-logits error's wording, the stop settings' errors.
/// </summary>
public sealed class GenerationEdgeTests
{
    [Fact]
    public void ServingOptionsAcceptEveryValueAtItsValidEdge()
    {
        Assert.Empty(new ServingOptions().GetValidationErrors());
        Assert.Empty(new ServingOptions { CacheSlots = 1, MaxConcurrentRows = 1, MaxQueuedRequests = 0 }.GetValidationErrors());
        Assert.Empty(new ServingOptions { CacheSlots = 3, MaxConcurrentRows = 3 }.GetValidationErrors()); // rows == slots
    }

    [Fact]
    public void ServingDefaultsAreTheDocumentedOnes()
    {
        var options = new ServingOptions();
        Assert.Equal(ServingOptions.DefaultCacheSlots, options.CacheSlots);
        Assert.Equal(ServingOptions.DefaultMaxConcurrentRows, options.MaxConcurrentRows);
        Assert.Equal(ServingOptions.DefaultMaxQueuedRequests, options.MaxQueuedRequests);
        Assert.True(options.ReusePrefixes);    // "on by default"
        Assert.True(options.BatchSteeredRows); // shared steered passes unless the benchmark turns them off
    }

    [Fact]
    public void EachServingRuleGivesOneErrorNamingTheSettingAndTheValue()
    {
        Assert.Equal(
            ["p.CacheSlots must be at least 1 (one KV cache per kept sequence); got 0."],
            new ServingOptions { CacheSlots = 0, MaxConcurrentRows = 1 }.GetValidationErrors("p."));
        Assert.Equal(
            ["p.MaxConcurrentRows must be at least 1; got 0."],
            new ServingOptions { MaxConcurrentRows = 0 }.GetValidationErrors("p."));
        Assert.Equal(
            ["p.MaxConcurrentRows (4) must not exceed CacheSlots (3): every running request needs its own KV cache."],
            new ServingOptions { CacheSlots = 3, MaxConcurrentRows = 4 }.GetValidationErrors("p."));
        Assert.Equal(
            ["MaxConcurrentRows (2) must not exceed CacheSlots (1): every running request needs its own KV cache."],
            new ServingOptions { CacheSlots = 1, MaxConcurrentRows = 2 }.GetValidationErrors()); // one slot is a valid count to compare with
        Assert.Equal(
            ["p.MaxQueuedRequests must be 0 or more (requests allowed to wait while one runs); got -1."],
            new ServingOptions { MaxQueuedRequests = -1 }.GetValidationErrors("p."));
        Assert.Equal(
            ["MaxConcurrentRows must be at least 1; got -2."],
            new ServingOptions { MaxConcurrentRows = -2 }.GetValidationErrors());
    }

    [Fact]
    public void TooFewCacheSlotsIsOneErrorNotAlsoTooManyRows()
    {
        // With no valid slot count, comparing the rows with it would only repeat the slots' error.
        var errors = new ServingOptions { CacheSlots = 0, MaxConcurrentRows = 4 }.GetValidationErrors();
        Assert.Equal(["CacheSlots must be at least 1 (one KV cache per kept sequence); got 0."], errors);
    }

    [Fact]
    public void InvalidServingOptionsThrowEveryErrorWithTheTypesPrefix()
    {
        var options = new ServingOptions { CacheSlots = 0, MaxConcurrentRows = 0, MaxQueuedRequests = -1 };
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(string.Join(" ", options.GetValidationErrors("ServingOptions.")), error.Message);
        Assert.Equal(3, options.GetValidationErrors().Count);
        new ServingOptions().Validate(); // valid: no exception
    }

    [Fact]
    public void ThroughputIsTokensOverTimeAndZeroWithoutTime()
    {
        var result = Result(decoded: 30, decode: TimeSpan.FromSeconds(1.5), prompt: 21, cached: 4, prefill: TimeSpan.FromSeconds(0.5));
        Assert.Equal(20.0, result.DecodeTokensPerSecond, 9);
        Assert.Equal(32.0, result.PrefillTokensPerSecond, 9); // (21 - 1 - 4) prefilled tokens / 0.5 s: the last prompt token is decode input

        var none = Result(decoded: 30, decode: TimeSpan.Zero, prompt: 21, cached: 0, prefill: TimeSpan.Zero);
        Assert.Equal(0, none.DecodeTokensPerSecond);
        Assert.Equal(0, none.PrefillTokensPerSecond);

        // A prompt served entirely from the cache prefilled nothing: zero, never negative.
        var cached = Result(decoded: 1, decode: TimeSpan.FromSeconds(1), prompt: 5, cached: 5, prefill: TimeSpan.FromSeconds(1));
        Assert.Equal(0, cached.PrefillTokensPerSecond);
        Assert.Equal(1, cached.DecodeTokensPerSecond);
    }

    [Fact]
    public void ANewResultWasDecodedAloneWithNoSharedSteeredPass()
    {
        var result = Result(decoded: 1, decode: TimeSpan.Zero, prompt: 1, cached: 0, prefill: TimeSpan.Zero);
        Assert.Equal(1, result.PeakConcurrentRequests);
        Assert.Equal(0, result.PeakSteeredBatchRequests);
        Assert.Equal(0, result.ConstrainedSteps);
        Assert.Null(result.Text);
    }

    [Theory]
    [InlineData(float.NaN, "NaN logits")]
    [InlineData(float.PositiveInfinity, "infinite logits")]
    public void TheNonFiniteErrorSaysWhichKindAndWhere(float maximum, string kind)
    {
        var error = new NonFiniteLogitsException(2, 9, maximum);
        Assert.Equal(2, error.Step);
        Assert.Equal(9, error.Position);
        Assert.StartsWith($"Decode step 2 (sequence position 9) produced {kind}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("ModelOptions.CheckWeights", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("or compute in float32 if a bfloat16 activation overflowed.", error.Message, StringComparison.Ordinal);
        Assert.Equal("custom", new NonFiniteLogitsException("custom").Message);
    }

    [Fact]
    public void StopSettingsAreCheckedWithTheirOwnMessages()
    {
        var empty = Assert.Throws<ArgumentException>(() => new GenerationOptions { StopStrings = ["ok", ""] }.Validate());
        Assert.Equal("StopStrings", empty.ParamName);
        Assert.StartsWith("A stop string must be non-empty.", empty.Message, StringComparison.Ordinal);

        var noTokenizer = Assert.Throws<ArgumentException>(() => new GenerationOptions { StopStrings = ["ok"] }.Validate());
        Assert.Equal("StopStrings", noTokenizer.ParamName);
        Assert.StartsWith("Stop strings are matched on the decoded text: set GenerationOptions.Tokenizer too.", noTokenizer.Message, StringComparison.Ordinal);

        var emptySequence = Assert.Throws<ArgumentException>(() => new GenerationOptions { StopSequences = [[3], []] }.Validate());
        Assert.Equal("StopSequences", emptySequence.ParamName);
        Assert.StartsWith("A stop sequence must hold at least one token id.", emptySequence.Message, StringComparison.Ordinal);

        new GenerationOptions { StopSequences = [[3]] }.Validate(); // one token is enough
    }

    [Fact]
    public void MinNewTokensIsInZeroToMaxNewTokensInclusive()
    {
        new GenerationOptions { MaxNewTokens = 5, MinNewTokens = 0 }.Validate();
        new GenerationOptions { MaxNewTokens = 5, MinNewTokens = 5 }.Validate();
        var below = Assert.Throws<ArgumentOutOfRangeException>(() => new GenerationOptions { MaxNewTokens = 5, MinNewTokens = -1 }.Validate());
        Assert.Equal("MinNewTokens", below.ParamName);
        var above = Assert.Throws<ArgumentOutOfRangeException>(() => new GenerationOptions { MaxNewTokens = 5, MinNewTokens = 6 }.Validate());
        Assert.Equal("MinNewTokens", above.ParamName);
        Assert.StartsWith("MinNewTokens must be in [0, MaxNewTokens = 5].", above.Message, StringComparison.Ordinal);
    }

    private static GenerationResult Result(int decoded, TimeSpan decode, int prompt, int cached, TimeSpan prefill) => new()
    {
        Ids = [],
        StopReason = StopReason.MaxTokens,
        PromptTokens = prompt,
        CachedPromptTokens = cached,
        DecodedTokens = decoded,
        PrefillTime = prefill,
        DecodeTime = decode,
    };
}
