using System.Runtime.CompilerServices;

namespace Directer.Core.Modeling.Kernels;

/// <summary>A [rows, columns] float matrix in one encoding, read in place from memory that outlives it.</summary>
internal sealed unsafe class WeightMatrix<TLoad> : IWeightMatrix
    where TLoad : struct, IWeightLoad
{
    private readonly byte* data;
    private readonly KernelWidth width;

    public WeightMatrix(byte* data, int rows, int columns, KernelWidth width)
    {
        this.data = data;
        this.width = width;
        Rows = rows;
        Columns = columns;
        PreparedRowBytes = TLoad.EvenOdd && width != KernelWidth.Scalar ? ((columns * sizeof(float)) + 63) & ~63 : 0;
    }

    public int Rows { get; }

    public int Columns { get; }

    public long Bytes => TLoad.RowBytes(Columns) * Rows;

    public int PreparedRowBytes { get; }

    /// <summary>Even/odd order within each step of 2·lanes columns (the order the loads widen pairs of bf16 into); the tail as is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Prepare(float* x, int k, byte* prepared)
    {
        int step = width == KernelWidth.Vector512 ? 32 : 16;
        int half = step / 2;
        int vec = Columns / step * step;
        for (int r = 0; r < k; r++)
        {
            float* src = x + ((long)r * Columns);
            float* dst = (float*)(prepared + ((long)r * PreparedRowBytes));
            for (int i = 0; i < vec; i += step)
            {
                for (int j = 0; j < half; j++)
                {
                    dst[i + j] = src[i + (2 * j)];
                    dst[i + half + j] = src[i + (2 * j) + 1];
                }
            }

            for (int i = vec; i < Columns; i++)
            {
                dst[i] = src[i];
            }
        }
    }

    public void Multiply(byte* input, int k, float* y, int yStride, int start, int end) =>
        MatrixKernels.Multiply<TLoad>(width, data, Columns, (float*)input, PreparedRowBytes == 0 ? Columns : PreparedRowBytes / sizeof(float), k, y, yStride, start, end);

    public void ReadRow(int row, float* destination)
    {
        byte* p = data + (TLoad.RowBytes(Columns) * row);
        for (int i = 0; i < Columns; i++)
        {
            destination[i] = TLoad.Scalar(p, i);
        }
    }
}
