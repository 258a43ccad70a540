using Directer.Core.Steering;

namespace Directer.Core.Tests.Steering;

/// <summary>Span merging (docs/STEERING.md: several spans at once, merged): overlapping and touching spans become one.</summary>
public sealed class EmphasisPositionsTests
{
    [Fact]
    public void TouchingSpansMergeIntoOne()
    {
        var emphasis = EmphasisPositions.Create([new TokenSpan(2, 4), new TokenSpan(0, 2)], 6);
        Assert.Equal([new TokenSpan(0, 4)], emphasis.Spans);
        Assert.Equal([0, 1, 2, 3], emphasis.Positions);
        Assert.Equal(6, emphasis.PromptLength);
    }

    [Fact]
    public void NestedAndOverlappingSpansKeepTheOuterEnd()
    {
        var emphasis = EmphasisPositions.Create([new TokenSpan(1, 5), new TokenSpan(2, 3), new TokenSpan(4, 6)], 8);
        Assert.Equal([new TokenSpan(1, 6)], emphasis.Spans);
        Assert.Equal([1, 2, 3, 4, 5], emphasis.Positions);
    }

    [Fact]
    public void SeparateSpansStaySeparate()
    {
        var emphasis = EmphasisPositions.Create([new TokenSpan(4, 5), new TokenSpan(0, 2)], 6);
        Assert.Equal([new TokenSpan(0, 2), new TokenSpan(4, 5)], emphasis.Spans);
        Assert.Equal([0, 1, 4], emphasis.Positions);
    }
}
