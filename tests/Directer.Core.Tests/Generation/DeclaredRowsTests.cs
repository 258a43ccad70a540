using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Runtime;
using TorchSharp;

namespace Directer.Core.Tests.Generation;

/// <summary>
/// The rows a step names for the round to run (<see cref="RowsWithRawPass"/>, <see cref="SteeredRows"/>), as their
/// documentation states them: a declared pass is only the very pass the step declared (same row count, writing the
/// cache, the same steering and capture objects); steered rows are at least one row and own their steering.
/// </summary>
public sealed class DeclaredRowsTests
{
    public DeclaredRowsTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void ADeclaredPassMatchesOnlyTheSameRowsWritingTheCacheWithTheSameSteeringAndCapture()
    {
        var steering = new CountingSteering();
        using var capture = new AttentionCapture(2);
        var rows = new RowsWithRawPass(steering, 3, capture);
        var same = new ForwardRequest { Steering = steering, Capture = capture };
        Assert.True(rows.Matches(3, same));

        // Each condition alone refuses the pass (the others hold).
        Assert.False(rows.Matches(2, same));
        Assert.False(rows.Matches(4, same));
        Assert.False(rows.Matches(3, same with { WriteCache = false }));
        Assert.False(rows.Matches(3, same with { Steering = new CountingSteering() }));
        Assert.False(rows.Matches(3, same with { Steering = null }));
        using var other = new AttentionCapture(2);
        Assert.False(rows.Matches(3, same with { Capture = other }));
        Assert.False(rows.Matches(3, same with { Capture = null }));

        // Without a capture, a request without one matches.
        Assert.True(new RowsWithRawPass(steering, 1, null).Matches(1, new ForwardRequest { Steering = steering }));
    }

    [Fact]
    public void SteeredRowsAreAtLeastOneRow()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SteeredRows(new CountingSteering(), 0));
        Assert.Equal("count", error.ParamName);
        Assert.Equal(1, new SteeredRows(new CountingSteering(), 1).Count);
    }

    [Fact]
    public void DisposingSteeredRowsDisposesTheirSteering()
    {
        var steering = new CountingSteering();
        var rows = new SteeredRows(steering, 2);
        Assert.Equal(0, steering.Disposed);
        rows.Dispose();
        Assert.Equal(1, steering.Disposed);
    }

    private sealed class CountingSteering : IAttentionSteering, IDisposable
    {
        public int Disposed { get; private set; }

        public bool AffectsLayer(int layer) => false;

        public void Apply(int layer, torch.Tensor scores)
        {
        }

        public void Dispose() => Disposed++;
    }
}
