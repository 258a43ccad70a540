using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Directer.Core.Modeling.Kernels;

/// <summary>
/// The 512-bit block of four weight rows far apart (the quarters of a thread's share: four sequential streams) × two,
/// three or four activation rows, that <see cref="MatrixKernels"/> runs for passes of two to four rows. Four streams
/// read faster than two at the host's high bandwidth, as in the 1-row pass. Each weight vector is loaded once for every
/// activation row and each activation vector once for the four weight rows. Each (output, row) element is one
/// accumulator over the columns in order plus the same scalar tail as in every other block, so a row's result does not
/// depend on the block or on k.
/// </summary>
internal static unsafe class RowQuadKernels
{
    /// <summary>
    /// Weight rows w0, w0 + gap, w0 + 2·gap, w0 + 3·gap × activation rows x .. x + (n−1)·xStride (n =
    /// <typeparamref name="TRows"/>), into y[r·yStride + j·yGap]; lines <paramref name="ahead"/> bytes on in the four
    /// streams are asked for as it goes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Block<TLoad, TRows>(byte* w0, long gap, long ahead, int vec, int cols, float* x, int xStride, float* y, int yGap, int yStride)
        where TLoad : struct, IWeightLoad
        where TRows : struct, IRowCount
    {
        int n = TRows.Count;
        byte* w1 = w0 + gap;
        byte* w2 = w1 + gap;
        byte* w3 = w2 + gap;
        float* x0 = x;
        float* x1 = x0 + (n > 1 ? xStride : 0);
        float* x2 = x1 + (n > 2 ? xStride : 0);
        float* x3 = x2 + (n > 3 ? xStride : 0);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default;
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
        Vector512<float> d0 = default, d1 = default, d2 = default, d3 = default;
        for (int i = 0; i < vec; i += 32)
        {
            if (ahead != 0)
            {
                RowPairKernels.Prefetch<TLoad>(w0 + ahead, w1 + ahead, i);
                RowPairKernels.Prefetch<TLoad>(w2 + ahead, w3 + ahead, i);
            }

            TLoad.Load512(w0, i, out var l0, out var h0);
            TLoad.Load512(w1, i, out var l1, out var h1);
            TLoad.Load512(w2, i, out var l2, out var h2);
            TLoad.Load512(w3, i, out var l3, out var h3);
            var xl = Vector512.Load(x0 + i);
            var xh = Vector512.Load(x0 + i + 16);
            a0 = Vector512.FusedMultiplyAdd(h0, xh, Vector512.FusedMultiplyAdd(l0, xl, a0));
            a1 = Vector512.FusedMultiplyAdd(h1, xh, Vector512.FusedMultiplyAdd(l1, xl, a1));
            a2 = Vector512.FusedMultiplyAdd(h2, xh, Vector512.FusedMultiplyAdd(l2, xl, a2));
            a3 = Vector512.FusedMultiplyAdd(h3, xh, Vector512.FusedMultiplyAdd(l3, xl, a3));
            if (n > 1)
            {
                xl = Vector512.Load(x1 + i);
                xh = Vector512.Load(x1 + i + 16);
                b0 = Vector512.FusedMultiplyAdd(h0, xh, Vector512.FusedMultiplyAdd(l0, xl, b0));
                b1 = Vector512.FusedMultiplyAdd(h1, xh, Vector512.FusedMultiplyAdd(l1, xl, b1));
                b2 = Vector512.FusedMultiplyAdd(h2, xh, Vector512.FusedMultiplyAdd(l2, xl, b2));
                b3 = Vector512.FusedMultiplyAdd(h3, xh, Vector512.FusedMultiplyAdd(l3, xl, b3));
            }

            if (n > 2)
            {
                xl = Vector512.Load(x2 + i);
                xh = Vector512.Load(x2 + i + 16);
                c0 = Vector512.FusedMultiplyAdd(h0, xh, Vector512.FusedMultiplyAdd(l0, xl, c0));
                c1 = Vector512.FusedMultiplyAdd(h1, xh, Vector512.FusedMultiplyAdd(l1, xl, c1));
                c2 = Vector512.FusedMultiplyAdd(h2, xh, Vector512.FusedMultiplyAdd(l2, xl, c2));
                c3 = Vector512.FusedMultiplyAdd(h3, xh, Vector512.FusedMultiplyAdd(l3, xl, c3));
            }

            if (n > 3)
            {
                xl = Vector512.Load(x3 + i);
                xh = Vector512.Load(x3 + i + 16);
                d0 = Vector512.FusedMultiplyAdd(h0, xh, Vector512.FusedMultiplyAdd(l0, xl, d0));
                d1 = Vector512.FusedMultiplyAdd(h1, xh, Vector512.FusedMultiplyAdd(l1, xl, d1));
                d2 = Vector512.FusedMultiplyAdd(h2, xh, Vector512.FusedMultiplyAdd(l2, xl, d2));
                d3 = Vector512.FusedMultiplyAdd(h3, xh, Vector512.FusedMultiplyAdd(l3, xl, d3));
            }
        }

        Store<TLoad>(y, yGap, a0, a1, a2, a3, w0, gap, x0, vec, cols);
        if (n > 1)
        {
            Store<TLoad>(y + yStride, yGap, b0, b1, b2, b3, w0, gap, x1, vec, cols);
        }

        if (n > 2)
        {
            Store<TLoad>(y + (2L * yStride), yGap, c0, c1, c2, c3, w0, gap, x2, vec, cols);
        }

        if (n > 3)
        {
            Store<TLoad>(y + (3L * yStride), yGap, d0, d1, d2, d3, w0, gap, x3, vec, cols);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TLoad>(float* y, int yGap, Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3, byte* w0, long gap, float* x, int vec, int cols)
        where TLoad : struct, IWeightLoad
    {
        y[0] = MatrixKernels.Tail<TLoad>(Vector512.Sum(s0), w0, x, vec, cols);
        y[yGap] = MatrixKernels.Tail<TLoad>(Vector512.Sum(s1), w0 + gap, x, vec, cols);
        y[2 * yGap] = MatrixKernels.Tail<TLoad>(Vector512.Sum(s2), w0 + (2 * gap), x, vec, cols);
        y[3 * yGap] = MatrixKernels.Tail<TLoad>(Vector512.Sum(s3), w0 + (3 * gap), x, vec, cols);
    }
}
