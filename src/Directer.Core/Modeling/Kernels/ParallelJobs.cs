namespace Directer.Core.Modeling.Kernels;

/// <summary>y = x·Wᵀ for k rows (x as the matrix reads it, see <see cref="IWeightMatrix.PreparedRowBytes"/>), output features split across the kernel threads (reused, no allocation per op).</summary>
internal sealed unsafe class MatrixJob : IParallelJob
{
    private IWeightMatrix? matrix;
    private byte* x;
    private float* y;
    private int k;
    private int yStride;

    public void Set(IWeightMatrix weights, byte* input, int rows, float* output, int outputStride)
    {
        matrix = weights;
        x = input;
        k = rows;
        y = output;
        yStride = outputStride;
    }

    public void Execute(int part, int parts)
    {
        var (start, end) = KernelThreads.Share(matrix!.Rows, part, parts, matrix.OutputGrain);
        if (start < end)
        {
            matrix.Multiply(x, k, y, yStride, start, end);
        }
    }
}

/// <summary>A step of the attention kernel over (row, head) pairs split across the kernel threads.</summary>
internal sealed class AttentionJob : IParallelJob
{
    private Action<int, int>? body;
    private int items;

    public void Set(int count, Action<int, int> work)
    {
        items = count;
        body = work;
    }

    public void Execute(int part, int parts)
    {
        var (start, end) = KernelThreads.Share(items, part, parts, 1);
        if (start < end)
        {
            body!(start, end);
        }
    }
}
