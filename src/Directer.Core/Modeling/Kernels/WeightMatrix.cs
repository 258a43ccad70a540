namespace Directer.Core.Modeling.Kernels;

/// <summary>A [rows, columns] matrix in one encoding, read in place from memory that outlives it.</summary>
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
    }

    public int Rows { get; }

    public int Columns { get; }

    public long Bytes => TLoad.RowBytes(Columns) * Rows;

    public void Multiply(float* x, int k, float* y, int yStride, int start, int end) =>
        MatrixKernels.Multiply<TLoad>(width, data, Columns, x, k, y, yStride, start, end);

    public void ReadRow(int row, float* destination)
    {
        byte* p = data + (TLoad.RowBytes(Columns) * row);
        for (int i = 0; i < Columns; i++)
        {
            destination[i] = TLoad.Scalar(p, i);
        }
    }
}
