namespace Directer.Core.Checkpoints;

/// <summary>One tensor listed in a safetensors header.</summary>
/// <param name="Name">The tensor's name, e.g. <c>model.layers.0.self_attn.q_proj.weight</c>.</param>
/// <param name="DType">The safetensors dtype string, e.g. <c>F32</c>, <c>BF16</c>, <c>F16</c>.</param>
/// <param name="Shape">The tensor's shape (empty for a scalar).</param>
/// <param name="DataBegin">Start of the tensor's bytes, relative to the start of the data block.</param>
/// <param name="DataEnd">End (exclusive) of the tensor's bytes, relative to the start of the data block.</param>
public sealed record SafetensorsEntry(string Name, string DType, long[] Shape, long DataBegin, long DataEnd)
{
    /// <summary>The number of bytes the tensor occupies.</summary>
    public long ByteLength => DataEnd - DataBegin;

    /// <summary>The number of elements (product of the shape; 1 for a scalar).</summary>
    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (long dimension in Shape)
            {
                count *= dimension;
            }

            return count;
        }
    }
}
