using System.Runtime.InteropServices;

namespace Directer.Core.Modeling.Kernels;

/// <summary>
/// A weight matrix [rows = out features, columns = in features] the decode kernels multiply a few
/// activation rows by, read where it lives (a torch tensor's memory or a block-quantised copy made
/// once at load). Every output element is computed the same way whatever the number of rows, so a
/// row's result does not depend on the batch it is in.
/// </summary>
internal unsafe interface IWeightMatrix
{
    /// <summary>Output features.</summary>
    int Rows { get; }

    /// <summary>Input features.</summary>
    int Columns { get; }

    /// <summary>Bytes read by one full multiplication.</summary>
    long Bytes { get; }

    /// <summary>
    /// Bytes of one activation row in the form <see cref="Multiply"/> reads, a multiple of 64 (0: it reads the float32
    /// rows themselves). Converting once per product, before the work is split across threads, keeps the per-weight
    /// work of the kernels small (int8 activations, bf16's even/odd column order).
    /// </summary>
    int PreparedRowBytes { get; }

    /// <summary>Outputs a thread's share of a product is a multiple of (but for the last share): the kernel's tile.</summary>
    int OutputGrain => 4;

    /// <summary>Writes <paramref name="k"/> float32 rows as <see cref="Multiply"/> reads them (only when <see cref="PreparedRowBytes"/> &gt; 0).</summary>
    void Prepare(float* x, int k, byte* prepared);

    /// <summary>
    /// y[r·yStride + o] = Σᵢ W[o, i]·x[r, i] for outputs o in [start, end) and rows r &lt; k, reading the rows
    /// <paramref name="input"/> as <see cref="Prepare"/> wrote them (or the float32 rows when nothing is prepared).
    /// </summary>
    void Multiply(byte* input, int k, float* y, int yStride, int start, int end);

    /// <summary>Writes row <paramref name="row"/> as float32 (embedding lookups).</summary>
    void ReadRow(int row, float* destination);

    /// <summary>Prepares and multiplies on the calling thread (tests, one-off products).</summary>
    void MultiplyRows(float* x, int k, float* y, int yStride, int start, int end)
    {
        if (PreparedRowBytes == 0)
        {
            Multiply((byte*)x, k, y, yStride, start, end);
            return;
        }

        byte* prepared = (byte*)NativeMemory.AlignedAlloc((nuint)((long)PreparedRowBytes * k), 64);
        try
        {
            Prepare(x, k, prepared);
            Multiply(prepared, k, y, yStride, start, end);
        }
        finally
        {
            NativeMemory.AlignedFree(prepared);
        }
    }
}
