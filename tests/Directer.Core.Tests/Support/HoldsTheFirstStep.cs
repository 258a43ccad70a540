using Directer.Core.Generation;

namespace Directer.Core.Tests.Support;

/// <summary>
/// Greedy; its first step waits (with the serving loop held in it) until <see cref="Release"/> is set, after signalling
/// <see cref="Started"/>: requests queued meanwhile are all admitted together in the next round.
/// </summary>
internal sealed class HoldsTheFirstStep : ITokenSelector, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public ManualResetEventSlim Started { get; } = new();

    public ManualResetEventSlim Release { get; } = new();

    public void Begin(IReadOnlyList<int> promptIds)
    {
    }

    public int Select(DecodeStep step)
    {
        Started.Set();
        Release.Wait(Patience);
        using var logits = step.RunRawPass();
        return TokenSampler.ArgMax(logits);
    }

    public void Dispose()
    {
        Started.Dispose();
        Release.Dispose();
    }
}
