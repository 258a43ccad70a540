namespace Directer.Core.Generation;

/// <summary>No steering: greedy or sampled from the raw logits.</summary>
public sealed class SamplingSelector : ITokenSelector, IRawPassFirst
{
    /// <summary>The shared instance (it holds no state).</summary>
    public static SamplingSelector Instance { get; } = new();

    /// <inheritdoc />
    public void Begin(IReadOnlyList<int> promptIds)
    {
    }

    /// <inheritdoc />
    bool IRawPassFirst.StartsWithRawPass(int index, TorchSharp.torch.Device device, bool concurrent) => true;

    /// <inheritdoc />
    public int Select(DecodeStep step)
    {
        using var logits = step.RunRawPass();
        return step.Sampler.Sample(logits);
    }
}
