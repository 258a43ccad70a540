using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Directer.Core.Modeling.Kernels;

/// <summary>
/// The 512-bit blocks of two adjacent weight rows × eight, four, three or two activation rows that <see cref="MatrixKernels"/>
/// runs for passes of two to eight rows. Each weight vector is loaded once for every activation row of the block and
/// each activation vector once for both weight rows: a step of eight rows is 32 FMAs for 20 loads, where one weight row
/// × four activation rows was 8 FMAs for 10 loads, bound by the loads and by each accumulator's chain of two FMAs a step.
/// The rows are adjacent and the block that first reads a pair asks for a later pair's lines, so the weights stream
/// nearly as one. Each (output, row) element is one accumulator over the columns in order plus the same scalar tail as
/// in every other block, so a row's result does not depend on the block or on k.
/// </summary>
internal static unsafe class RowPairKernels
{
    /// <summary>Weight rows w0 and w0 + rowBytes × activation rows x .. x + 7·xStride, into y[r·yStride + 0..1].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Eight<TLoad>(byte* w0, long rowBytes, long ahead, int vec, int cols, float* x, int xStride, float* y, int yStride)
        where TLoad : struct, IWeightLoad
    {
        byte* w1 = w0 + rowBytes;
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
                Prefetch<TLoad>(w0 + ahead, rowBytes, i);
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

        Store<TLoad>(y, a0, b0, w0, w1, x0, vec, cols);
        Store<TLoad>(y + yStride, a1, b1, w0, w1, x1, vec, cols);
        Store<TLoad>(y + (2L * yStride), a2, b2, w0, w1, x2, vec, cols);
        Store<TLoad>(y + (3L * yStride), a3, b3, w0, w1, x3, vec, cols);
        Store<TLoad>(y + (4L * yStride), a4, b4, w0, w1, x4, vec, cols);
        Store<TLoad>(y + (5L * yStride), a5, b5, w0, w1, x5, vec, cols);
        Store<TLoad>(y + (6L * yStride), a6, b6, w0, w1, x6, vec, cols);
        Store<TLoad>(y + (7L * yStride), a7, b7, w0, w1, x7, vec, cols);
    }

    /// <summary><see cref="Eight{TLoad}"/> for four activation rows: 16 FMAs for 12 loads a step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Four<TLoad>(byte* w0, long rowBytes, long ahead, int vec, int cols, float* x, int xStride, float* y, int yStride)
        where TLoad : struct, IWeightLoad
    {
        byte* w1 = w0 + rowBytes;
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
                Prefetch<TLoad>(w0 + ahead, rowBytes, i);
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

        Store<TLoad>(y, a0, b0, w0, w1, x0, vec, cols);
        Store<TLoad>(y + yStride, a1, b1, w0, w1, x1, vec, cols);
        Store<TLoad>(y + (2L * yStride), a2, b2, w0, w1, x2, vec, cols);
        Store<TLoad>(y + (3L * yStride), a3, b3, w0, w1, x3, vec, cols);
    }

    /// <summary><see cref="Eight{TLoad}"/> for three activation rows: 12 FMAs for 10 loads a step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Three<TLoad>(byte* w0, long rowBytes, long ahead, int vec, int cols, float* x, int xStride, float* y, int yStride)
        where TLoad : struct, IWeightLoad
    {
        byte* w1 = w0 + rowBytes;
        float* x0 = x;
        float* x1 = x0 + xStride;
        float* x2 = x1 + xStride;
        Vector512<float> a0 = default, a1 = default, a2 = default;
        Vector512<float> b0 = default, b1 = default, b2 = default;
        for (int i = 0; i < vec; i += 32)
        {
            if (ahead != 0)
            {
                Prefetch<TLoad>(w0 + ahead, rowBytes, i);
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

        Store<TLoad>(y, a0, b0, w0, w1, x0, vec, cols);
        Store<TLoad>(y + yStride, a1, b1, w0, w1, x1, vec, cols);
        Store<TLoad>(y + (2L * yStride), a2, b2, w0, w1, x2, vec, cols);
    }

    /// <summary><see cref="Eight{TLoad}"/> for two activation rows: 8 FMAs for 8 loads a step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Two<TLoad>(byte* w0, long rowBytes, long ahead, int vec, int cols, float* x, int xStride, float* y, int yStride)
        where TLoad : struct, IWeightLoad
    {
        byte* w1 = w0 + rowBytes;
        float* x0 = x;
        float* x1 = x0 + xStride;
        Vector512<float> a0 = default, a1 = default;
        Vector512<float> b0 = default, b1 = default;
        for (int i = 0; i < vec; i += 32)
        {
            if (ahead != 0)
            {
                Prefetch<TLoad>(w0 + ahead, rowBytes, i);
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

        Store<TLoad>(y, a0, b0, w0, w1, x0, vec, cols);
        Store<TLoad>(y + yStride, a1, b1, w0, w1, x1, vec, cols);
    }

    /// <summary>
    /// How far ahead of a pair <see cref="Prefetch{TLoad}"/> asks for lines, as a whole number of pairs: the first pair
    /// whose start is at least <see cref="AheadBytes"/> on, twice that for passes of two rows, which go through a pair
    /// fastest. The hardware prefetcher alone kept up with one activation row but not with four (a 4-row pass over the
    /// 125M model's matrices took 23–26 ms on one Zen 4 core, 16 ms with a prefetch ahead). At two threads on that
    /// model: 4 rows best at 6 KB ahead in f32 and bf16 (bf16 one pair on, 3 KB, cost 10–15%), 2 rows in f32 at 12 KB
    /// (6 KB: 1.07–1.26× the 1-row pass, 12 KB: 0.94–0.97×).
    /// </summary>
    public static long Ahead(long rowBytes, int rows) => 2 * rowBytes * Math.Max(1, (rows <= 2 ? 2 * AheadBytes : AheadBytes) / (2 * rowBytes));

    private const long AheadBytes = 6144;

    /// <summary>
    /// Asks for the lines of step i of the pair at <paramref name="w0"/> (a pair ahead of the one computed, see
    /// <see cref="Ahead"/>) into L2. Past the matrix's end it is harmless (a hint, never a fault).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Prefetch<TLoad>(byte* w0, long rowBytes, int i)
        where TLoad : struct, IWeightLoad
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        byte* at = w0 + TLoad.RowBytes(i);
        for (long line = 0; line < TLoad.RowBytes(32); line += 64)
        {
            Sse.Prefetch1(at + line);
            Sse.Prefetch1(at + rowBytes + line);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TLoad>(float* y, Vector512<float> s0, Vector512<float> s1, byte* w0, byte* w1, float* x, int vec, int cols)
        where TLoad : struct, IWeightLoad
    {
        y[0] = MatrixKernels.Tail<TLoad>(Vector512.Sum(s0), w0, x, vec, cols);
        y[1] = MatrixKernels.Tail<TLoad>(Vector512.Sum(s1), w1, x, vec, cols);
    }
}
