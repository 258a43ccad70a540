using System.Diagnostics;
using Directer.Core.Modeling;
using Directer.Core.Tests.Support;
using Directer.Testing;
using static TorchSharp.torch;

namespace Directer.Core.Tests.Modeling;

/// <summary>
/// The measured pass times DIRECTER's <c>Auto</c> strategy compares: per row count the fastest of the last sixteen
/// passes once five were measured, and which of the model's passes count (one-token passes on the CPU decode kernels without
/// attention capture).
/// </summary>
public sealed class DecodePassCostsTests
{
    private static long Ticks(double seconds) => (long)Math.Round(seconds * Stopwatch.Frequency);

    [Fact]
    public void TheCostIsTheFastestOfTheLastSixteenPassesOnceFiveWereMeasuredSoABusyStretchDoesNotMoveIt()
    {
        var costs = new DecodePassCosts();
        costs.Record(3, Ticks(0.030)); // the first pass: freshly compiled code
        costs.Record(3, Ticks(0.008));
        costs.Record(3, Ticks(0.004));
        costs.Record(3, Ticks(0.006));
        Assert.Null(costs.Of(3)); // four passes: not yet
        costs.Record(3, Ticks(0.150)); // a pass that lost its core for a time slice
        Assert.Equal(0.004, costs.Of(3)!.Value, 9);
        for (int i = 0; i < 10; i++)
        {
            costs.Record(3, Ticks(0.050)); // a busy stretch: most recent passes slow
        }

        Assert.Equal(0.004, costs.Of(3)!.Value, 9); // 15 passes, the fastest still among them
        costs.Record(3, Ticks(0.050));
        costs.Record(3, Ticks(0.050));
        costs.Record(3, Ticks(0.050));
        Assert.Equal(0.004, costs.Of(3)!.Value, 9); // 18: the first two have left the window, 0.004 (the third) has not
        costs.Record(3, Ticks(0.050));
        Assert.Equal(0.006, costs.Of(3)!.Value, 9); // 19: 0.004 has left, 0.006 (the fourth) is the fastest
        for (int i = 0; i < DecodePassCosts.Window; i++)
        {
            costs.Record(3, Ticks(0.009 - (i * 0.0001)));
        }

        Assert.Equal(0.0075, costs.Of(3)!.Value, 9); // the sixteen newest only: 0.0090 … 0.0075
        Assert.Null(costs.Of(2));
        Assert.Null(costs.Of(4));
    }

    [Fact]
    public void RowCountsOutsideTheTableAreIgnored()
    {
        var costs = new DecodePassCosts();
        costs.Record(0, Ticks(1));
        costs.Record(DecodePassCosts.MaxRows + 1, Ticks(1));
        for (int i = 0; i < DecodePassCosts.MinimumPasses; i++)
        {
            costs.Record(DecodePassCosts.MaxRows, Ticks(0.5));
        }

        Assert.Null(costs.Of(0));
        Assert.Null(costs.Of(DecodePassCosts.MaxRows + 1));
        Assert.Equal(0.5, costs.Of(DecodePassCosts.MaxRows)!.Value, 9);
    }

    [Fact]
    public void OneTokenKernelPassesAreCountedByRowsAndPrefillsAndCapturingPassesAreNot()
    {
        using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf(TinyCheckpoints.LlamaGqaF32.Name), new ModelOptions { MaxSequenceLength = 32 });
        using var cache = model.CreateCache();
        using var prompt = tensor(new long[] { 1, 17, 42, 5 }).unsqueeze(0);
        using var one = tensor(new long[] { 9 }).unsqueeze(0);
        using var three = tensor(new long[] { 3, 4, 5 }).unsqueeze(1);
        for (int i = 0; i < DecodePassCosts.MinimumPasses; i++)
        {
            model.Forward(prompt, cache, new ForwardRequest { WriteCache = false, StartPosition = 0 }).Dispose();
            using var capture = new AttentionCapture(model.LayerCount);
            model.Forward(three, cache, new ForwardRequest { WriteCache = false, StartPosition = 0, Capture = capture }).Dispose();
        }

        // Four tokens in one pass are a prefill, and the ranking's capturing pass is not a candidate pass.
        Assert.Null(model.DecodePassCosts.Of(1));
        Assert.Null(model.DecodePassCosts.Of(3));
        for (int i = 0; i < DecodePassCosts.MinimumPasses; i++)
        {
            Assert.Null(model.DecodePassCosts.Of(1));
            model.Forward(one, cache, new ForwardRequest { WriteCache = false, StartPosition = 0 }).Dispose();
            Assert.Null(model.DecodePassCosts.Of(3));
            model.Forward(three, cache, new ForwardRequest { WriteCache = false, StartPosition = 0 }).Dispose();
        }

        Assert.NotNull(model.DecodePassCosts.Of(1));
        Assert.NotNull(model.DecodePassCosts.Of(3));
        Assert.Null(model.DecodePassCosts.Of(2));
    }

    [Fact]
    public void TheTorchSharpPathRecordsNothing()
    {
        using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf(TinyCheckpoints.LlamaGqaF32.Name), new ModelOptions { MaxSequenceLength = 32, CpuDecodeKernels = false });
        using var cache = model.CreateCache();
        using var one = tensor(new long[] { 9 }).unsqueeze(0);
        for (int i = 0; i < DecodePassCosts.MinimumPasses; i++)
        {
            model.Forward(one, cache, new ForwardRequest { WriteCache = false, StartPosition = 0 }).Dispose();
        }

        Assert.Null(model.DecodePassCosts.Of(1));
    }
}
