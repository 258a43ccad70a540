using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Directer.Core.Modeling.Kernels;

/// <summary>
/// The 512-bit blocks of two weight rows × eight, four, three, two or one activation rows that <see cref="MatrixKernels"/>
/// runs for passes of one to eight rows. Each weight vector is loaded once for every activation row of the block and
/// each activation vector once for both weight rows: a step of eight rows is 32 FMAs for 20 loads, where one weight row
/// × four activation rows was 8 FMAs for 10 loads, bound by the loads and by each accumulator's chain of two FMAs a step.
/// The two rows are far apart (the two halves of a thread's share, outputs y[0] and y[yGap]), so the weights stream as
/// two sequential streams, and the block that first reads a pair asks for lines <see cref="AheadBytes"/> on in both.
/// Each (output, row) element is one accumulator over the columns in order plus the same scalar tail as in every other
/// block, so a row's result does not depend on the block or on k.
/// </summary>
internal static unsafe class RowPairKernels
{
    /// <summary>Weight rows w0 and w1 × activation rows x .. x + 7·xStride, into y[r·yStride] and y[r·yStride + yGap].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Eight<TLoad>(byte* w0, byte* w1, long ahead, int vec, int cols, float* x, int xStride, float* y, int yGap, int yStride)
        where TLoad : struct, IWeightLoad
    {
        float* x0 = x;
        float* x1 = x0 + xStride;
        float* x2 = x1 + xStride;
        float* x3 = x2 + xStride;
        float* x4 = x3 + xStride;
        float* x5 = x4 + xStride;
        float* x6 = x5 + xStride;
        float* x7 = x6 + xStride;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
        for (int i = 0; i < vec; i += 32)
        {
            if (ahead != 0)
            {
                Prefetch<TLoad>(w0 + ahead, w1 + ahead, i);
            }

            TLoad.Load512(w0, i, out var l0, out var h0);
            TLoad.Load512(w1, i, out var l1, out var h1);
            var xl = Vector512.Load(x0 + i);
            var xh = Vector512.Load(x0 + i + 16);
            a0 = Vector512.FusedMultiplyAdd(h0, xh, Vector512.FusedMultiplyAdd(l0, xl, a0));
            b0 = Vector512.FusedMultiplyAdd(h1, xh, Vector512.FusedMultiplyAdd(l1, xl, b0));
            xl = Vector512.Load(x1 + i);
            xh = Vector512.Load(x1 + i + 16);
            a1 = Vector512.FusedMultiplyAdd(h0, xh, Vector512.FusedMultiplyAdd(l0, xl, a1));
            b1 = Vector512.FusedMultiplyAdd(h1, xh, Vector512.FusedMultiplyAdd(l1, xl, b1));
            xl = Vector512.Load(x2 + i);
            xh = Vector512.Load(x2 + i + 16);
            a2 = Vector512.FusedMultiplyAdd(h0, xh, Vector512.FusedMultiplyAdd(l0, xl, a2));
            b2 = Vector512.FusedMultiplyAdd(h1, xh, Vector512.FusedMultiplyAdd(l1, xl, b2));
            xl = Vector512.Load(x3 + i);
            xh = Vector512.Load(x3 + i + 16);
            a3 = Vector512.FusedMultiplyAdd(h0, xh, Vector512.FusedMultiplyAdd(l0, xl, a3));
            b3 = Vector512.FusedMultiplyAdd(h1, xh, Vector512.FusedMultiplyAdd(l1, xl, b3));
            xl = Vector512.Load(x4 + i);
            xh = Vector512.Load(x4 + i + 16);
            a4 = Vector512.FusedMultiplyAdd(h0, xh, Vector512.FusedMultiplyAdd(l0, xl, a4));
            b4 = Vector512.FusedMultiplyAdd(h1, xh, Vector512.FusedMultiplyAdd(l1, xl, b4));
            xl = Vector512.Load(x5 + i);
            xh = Vector512.Load(x5 + i + 16);
            a5 = Vector512.FusedMultiplyAdd(h0, xh, Vector512.FusedMultiplyAdd(l0, xl, a5));
            b5 = Vector512.FusedMultiplyAdd(h1, xh, Vector512.FusedMultiplyAdd(l1, xl, b5));
            xl = Vector512.Load(x6 + i);
            xh = Vector512.Load(x6 + i + 16);
            a6 = Vector512.FusedMultiplyAdd(h0, xh, Vector512.FusedMultiplyAdd(l0, xl, a6));
            b6 = Vector512.FusedMultiplyAdd(h1, xh, Vector512.FusedMultiplyAdd(l1, xl, b6));
            xl = Vector512.Load(x7 + i);
            xh = Vector512.Load(x7 + i + 16);
            a7 = Vector512.FusedMultiplyAdd(h0, xh, Vector512.FusedMultiplyAdd(l0, xl, a7));
            b7 = Vector512.FusedMultiplyAdd(h1, xh, Vector512.FusedMultiplyAdd(l1, xl, b7));
        }

        Store<TLoad>(y, yGap, a0, b0, w0, w1, x0, vec, cols);
        Store<TLoad>(y + yStride, yGap, a1, b1, w0, w1, x1, vec, cols);
        Store<TLoad>(y + (2L * yStride), yGap, a2, b2, w0, w1, x2, vec, cols);
        Store<TLoad>(y + (3L * yStride), yGap, a3, b3, w0, w1, x3, vec, cols);
        Store<TLoad>(y + (4L * yStride), yGap, a4, b4, w0, w1, x4, vec, cols);
        Store<TLoad>(y + (5L * yStride), yGap, a5, b5, w0, w1, x5, vec, cols);
        Store<TLoad>(y + (6L * yStride), yGap, a6, b6, w0, w1, x6, vec, cols);
        Store<TLoad>(y + (7L * yStride), yGap, a7, b7, w0, w1, x7, vec, cols);
    }

    /// <summary><see cref="Eight{TLoad}"/> for four activation rows: 16 FMAs for 12 loads a step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Four<TLoad>(byte* w0, byte* w1, long ahead, int vec, int cols, float* x, int xStride, float* y, int yGap, int yStride)
        where TLoad : struct, IWeightLoad
    {
        float* x0 = x;
        float* x1 = x0 + xStride;
        float* x2 = x1 + xStride;
        float* x3 = x2 + xStride;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default;
        for (int i = 0; i < vec; i += 32)
        {
            if (ahead != 0)
            {
                Prefetch<TLoad>(w0 + ahead, w1 + ahead, i);
            }

            TLoad.Load512(w0, i, out var l0, out var h0);
            TLoad.Load512(w1, i, out var l1, out var h1);
            var xl = Vector512.Load(x0 + i);
            var xh = Vector512.Load(x0 + i + 16);
            a0 = Vector512.FusedMultiplyAdd(h0, xh, Vector512.FusedMultiplyAdd(l0, xl, a0));
            b0 = Vector512.FusedMultiplyAdd(h1, xh, Vector512.FusedMultiplyAdd(l1, xl, b0));
            xl = Vector512.Load(x1 + i);
            xh = Vector512.Load(x1 + i + 16);
            a1 = Vector512.FusedMultiplyAdd(h0, xh, Vector512.FusedMultiplyAdd(l0, xl, a1));
            b1 = Vector512.FusedMultiplyAdd(h1, xh, Vector512.FusedMultiplyAdd(l1, xl, b1));
            xl = Vector512.Load(x2 + i);
            xh = Vector512.Load(x2 + i + 16);
            a2 = Vector512.FusedMultiplyAdd(h0, xh, Vector512.FusedMultiplyAdd(l0, xl, a2));
            b2 = Vector512.FusedMultiplyAdd(h1, xh, Vector512.FusedMultiplyAdd(l1, xl, b2));
            xl = Vector512.Load(x3 + i);
            xh = Vector512.Load(x3 + i + 16);
            a3 = Vector512.FusedMultiplyAdd(h0, xh, Vector512.FusedMultiplyAdd(l0, xl, a3));
            b3 = Vector512.FusedMultiplyAdd(h1, xh, Vector512.FusedMultiplyAdd(l1, xl, b3));
        }

        Store<TLoad>(y, yGap, a0, b0, w0, w1, x0, vec, cols);
        Store<TLoad>(y + yStride, yGap, a1, b1, w0, w1, x1, vec, cols);
        Store<TLoad>(y + (2L * yStride), yGap, a2, b2, w0, w1, x2, vec, cols);
        Store<TLoad>(y + (3L * yStride), yGap, a3, b3, w0, w1, x3, vec, cols);
    }

    /// <summary><see cref="Eight{TLoad}"/> for three activation rows: 12 FMAs for 10 loads a step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Three<TLoad>(byte* w0, byte* w1, long ahead, int vec, int cols, float* x, int xStride, float* y, int yGap, int yStride)
        where TLoad : struct, IWeightLoad
    {
        float* x0 = x;
        float* x1 = x0 + xStride;
        float* x2 = x1 + xStride;
        Vector512<float> a0 = default, a1 = default, a2 = default;
        Vector512<float> b0 = default, b1 = default, b2 = default;
        for (int i = 0; i < vec; i += 32)
        {
            if (ahead != 0)
            {
                Prefetch<TLoad>(w0 + ahead, w1 + ahead, i);
            }

            TLoad.Load512(w0, i, out var l0, out var h0);
            TLoad.Load512(w1, i, out var l1, out var h1);
            var xl = Vector512.Load(x0 + i);
            var xh = Vector512.Load(x0 + i + 16);
            a0 = Vector512.FusedMultiplyAdd(h0, xh, Vector512.FusedMultiplyAdd(l0, xl, a0));
            b0 = Vector512.FusedMultiplyAdd(h1, xh, Vector512.FusedMultiplyAdd(l1, xl, b0));
            xl = Vector512.Load(x1 + i);
            xh = Vector512.Load(x1 + i + 16);
            a1 = Vector512.FusedMultiplyAdd(h0, xh, Vector512.FusedMultiplyAdd(l0, xl, a1));
            b1 = Vector512.FusedMultiplyAdd(h1, xh, Vector512.FusedMultiplyAdd(l1, xl, b1));
            xl = Vector512.Load(x2 + i);
            xh = Vector512.Load(x2 + i + 16);
            a2 = Vector512.FusedMultiplyAdd(h0, xh, Vector512.FusedMultiplyAdd(l0, xl, a2));
            b2 = Vector512.FusedMultiplyAdd(h1, xh, Vector512.FusedMultiplyAdd(l1, xl, b2));
        }

        Store<TLoad>(y, yGap, a0, b0, w0, w1, x0, vec, cols);
        Store<TLoad>(y + yStride, yGap, a1, b1, w0, w1, x1, vec, cols);
        Store<TLoad>(y + (2L * yStride), yGap, a2, b2, w0, w1, x2, vec, cols);
    }

    /// <summary><see cref="Eight{TLoad}"/> for two activation rows: 8 FMAs for 8 loads a step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Two<TLoad>(byte* w0, byte* w1, long ahead, int vec, int cols, float* x, int xStride, float* y, int yGap, int yStride)
        where TLoad : struct, IWeightLoad
    {
        float* x0 = x;
        float* x1 = x0 + xStride;
        Vector512<float> a0 = default, a1 = default;
        Vector512<float> b0 = default, b1 = default;
        for (int i = 0; i < vec; i += 32)
        {
            if (ahead != 0)
            {
                Prefetch<TLoad>(w0 + ahead, w1 + ahead, i);
            }

            TLoad.Load512(w0, i, out var l0, out var h0);
            TLoad.Load512(w1, i, out var l1, out var h1);
            var xl = Vector512.Load(x0 + i);
            var xh = Vector512.Load(x0 + i + 16);
            a0 = Vector512.FusedMultiplyAdd(h0, xh, Vector512.FusedMultiplyAdd(l0, xl, a0));
            b0 = Vector512.FusedMultiplyAdd(h1, xh, Vector512.FusedMultiplyAdd(l1, xl, b0));
            xl = Vector512.Load(x1 + i);
            xh = Vector512.Load(x1 + i + 16);
            a1 = Vector512.FusedMultiplyAdd(h0, xh, Vector512.FusedMultiplyAdd(l0, xl, a1));
            b1 = Vector512.FusedMultiplyAdd(h1, xh, Vector512.FusedMultiplyAdd(l1, xl, b1));
        }

        Store<TLoad>(y, yGap, a0, b0, w0, w1, x0, vec, cols);
        Store<TLoad>(y + yStride, yGap, a1, b1, w0, w1, x1, vec, cols);
    }

    /// <summary>Weight rows w0 and w1 × one activation row x, into y[0] and y[yGap].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void One<TLoad>(byte* w0, byte* w1, long ahead, int vec, int cols, float* x, float* y, int yGap)
        where TLoad : struct, IWeightLoad
    {
        Vector512<float> a0 = default, b0 = default;
        for (int i = 0; i < vec; i += 32)
        {
            if (ahead != 0)
            {
                Prefetch<TLoad>(w0 + ahead, w1 + ahead, i);
            }

            TLoad.Load512(w0, i, out var l0, out var h0);
            TLoad.Load512(w1, i, out var l1, out var h1);
            var xl = Vector512.Load(x + i);
            var xh = Vector512.Load(x + i + 16);
            a0 = Vector512.FusedMultiplyAdd(h0, xh, Vector512.FusedMultiplyAdd(l0, xl, a0));
            b0 = Vector512.FusedMultiplyAdd(h1, xh, Vector512.FusedMultiplyAdd(l1, xl, b0));
        }

        Store<TLoad>(y, yGap, a0, b0, w0, w1, x, vec, cols);
    }

    /// <summary>
    /// How far ahead along each of the pair's two streams <see cref="Prefetch{TLoad}"/> asks for lines. The hardware
    /// prefetcher alone kept up with one activation row but not with four (far-apart pairs without it, 2 threads, 125M
    /// model's products at the host's high bandwidth: 4 rows 14.9 against 10.4 ms f32, 8 rows 21.3 against 12.8); 3, 6
    /// and 12 KB ahead measured within a few percent of each other, 6 KB best for 4 and 8 rows.
    /// </summary>
    public const long AheadBytes = 6144;

    /// <summary>
    /// Asks for the lines of step i of the rows at <paramref name="w0"/> and <paramref name="w1"/> (<see cref="AheadBytes"/>
    /// past the pair computed) into L2; <see cref="RowQuadKernels"/> asks for its four rows as two pairs. Past the
    /// matrix's end it is harmless (a hint, never a fault).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Prefetch<TLoad>(byte* w0, byte* w1, int i)
        where TLoad : struct, IWeightLoad
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        long at = TLoad.RowBytes(i);
        for (long line = 0; line < TLoad.RowBytes(32); line += 64)
        {
            Sse.Prefetch1(w0 + at + line);
            Sse.Prefetch1(w1 + at + line);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TLoad>(float* y, int yGap, Vector512<float> s0, Vector512<float> s1, byte* w0, byte* w1, float* x, int vec, int cols)
        where TLoad : struct, IWeightLoad
    {
        y[0] = MatrixKernels.Tail<TLoad>(Vector512.Sum(s0), w0, x, vec, cols);
        y[yGap] = MatrixKernels.Tail<TLoad>(Vector512.Sum(s1), w1, x, vec, cols);
    }
}
