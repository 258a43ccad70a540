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
    /// y[r·yStride + o] = Σᵢ W[o, i]·x[r·Columns + i] for outputs o in [start, end) and rows r &lt; k.
    /// </summary>
    void Multiply(float* x, int k, float* y, int yStride, int start, int end);

    /// <summary>Writes row <paramref name="row"/> as float32 (embedding lookups).</summary>
    void ReadRow(int row, float* destination);
}
