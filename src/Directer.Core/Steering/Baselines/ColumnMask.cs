using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Core.Steering.Baselines;

/// <summary>0/1 masks over key columns, limited to cached positions (before the pass's start).</summary>
internal static class ColumnMask
{
    /// <summary>1 at emphasised cached positions.</summary>
    public static Tensor Emphasised(EmphasisPositions emphasis, int start, int totalKeys, Device device)
    {
        var mask = new float[totalKeys];
        foreach (int p in emphasis.Positions.Where(p => p < start))
        {
            mask[p] = 1;
        }

        return tensor(mask, ScalarType.Float32).to(device).DetachFromDisposeScope();
    }

    /// <summary>1 at cached prompt positions that are not emphasised.</summary>
    public static Tensor PromptOutsideEmphasis(EmphasisPositions emphasis, int start, int totalKeys, Device device)
    {
        var mask = new float[totalKeys];
        for (int p = 0; p < Math.Min(start, emphasis.PromptLength); p++)
        {
            mask[p] = 1;
        }

        foreach (int p in emphasis.Positions)
        {
            mask[p] = 0;
        }

        return tensor(mask, ScalarType.Float32).to(device).DetachFromDisposeScope();
    }
}
