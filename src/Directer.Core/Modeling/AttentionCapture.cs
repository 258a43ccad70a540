using TorchSharp;

namespace Directer.Core.Modeling;

/// <summary>
/// Records, for the last position of a pass, each layer's attention sub-block input (the hidden
/// state after the input norm) and output (after the output projection). Used by the layer
/// sensitivity ranking. Tensors are [batch, hidden] float32 and owned by this object.
/// </summary>
public sealed class AttentionCapture : IDisposable
{
    /// <summary>Creates an empty capture for <paramref name="layers"/> layers.</summary>
    public AttentionCapture(int layers)
    {
        Inputs = new torch.Tensor?[layers];
        Outputs = new torch.Tensor?[layers];
    }

    /// <summary>Attention input per layer.</summary>
    public torch.Tensor?[] Inputs { get; }

    /// <summary>Attention output per layer.</summary>
    public torch.Tensor?[] Outputs { get; }

    internal void Record(int layer, torch.Tensor input, torch.Tensor output)
    {
        Inputs[layer]?.Dispose();
        Outputs[layer]?.Dispose();
        Inputs[layer] = LastPosition(input);
        Outputs[layer] = LastPosition(output);
    }

    /// <summary>Records from the decode kernels' float32 rows [batch·n, hidden]: the last position of each batch row.</summary>
    internal unsafe void RecordLastPositions(int layer, float* input, float* output, int batch, int n, int hidden)
    {
        Inputs[layer]?.Dispose();
        Outputs[layer]?.Dispose();
        Inputs[layer] = Gather(input, batch, n, hidden);
        Outputs[layer] = Gather(output, batch, n, hidden);
    }

    private static unsafe torch.Tensor Gather(float* rows, int batch, int n, int hidden)
    {
        var t = torch.empty(new long[] { batch, hidden }, torch.ScalarType.Float32).DetachFromDisposeScope();
        float* target = (float*)Kernels.TensorMemory.Address(t);
        for (int b = 0; b < batch; b++)
        {
            long bytes = hidden * sizeof(float);
            Buffer.MemoryCopy(rows + ((((long)b * n) + n - 1) * hidden), target + ((long)b * hidden), bytes, bytes);
        }

        return t;
    }

    private static torch.Tensor LastPosition(torch.Tensor t)
    {
        using var last = t.select(1, t.shape[1] - 1);
        return last.to_type(torch.ScalarType.Float32).clone().DetachFromDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in Inputs.Concat(Outputs))
        {
            t?.Dispose();
        }
    }
}
