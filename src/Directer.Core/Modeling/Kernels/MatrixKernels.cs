using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Directer.Core.Modeling.Kernels;

/// <summary>Which instruction width the kernels use (tests force the narrower ones).</summary>
internal enum KernelWidth
{
    /// <summary>Plain scalar loops (no usable SIMD).</summary>
    Scalar,

    /// <summary>256-bit vectors (AVX2).</summary>
    Vector256,

    /// <summary>512-bit vectors (AVX-512).</summary>
    Vector512,
}

/// <summary>
/// Weights × a few activation rows. On 512-bit vectors up to eight rows (<see cref="RowByRowMaxRows"/>) go two weight
/// rows far apart (one activation row) or two adjacent ones (<see cref="RowPairKernels"/>) at a time; otherwise outputs four at a time and rows two at a time:
/// each weight vector is loaded once per pair of rows and feeds eight independent accumulators
/// (enough to hide FMA latency at one row), and for k &gt; 2 the next row pairs re-read the same four
/// weight rows from L1 instead of memory, so a k-row pass streams the weights once. Every
/// (output, row) element is one accumulator over the columns in order plus the same scalar tail,
/// whichever block computes it, so results do not depend on k. Row r of the activations starts at
/// x + r·xStride (encodings that read prepared rows, see <see cref="IWeightLoad.EvenOdd"/>, have their own stride).
/// </summary>
internal static unsafe class MatrixKernels
{
    /// <summary>The widest width this CPU runs natively.</summary>
    public static KernelWidth Best { get; } =
        Vector512.IsHardwareAccelerated ? KernelWidth.Vector512 :
        Vector256.IsHardwareAccelerated ? KernelWidth.Vector256 : KernelWidth.Scalar;

    public static void Multiply<TLoad>(KernelWidth width, byte* w, int cols, float* x, int xStride, int k, float* y, int yStride, int start, int end)
        where TLoad : struct, IWeightLoad
    {
        switch (width)
        {
            case KernelWidth.Vector512:
                Multiply512<TLoad>(w, cols, x, xStride, k, y, yStride, start, end);
                break;
            case KernelWidth.Vector256:
                Multiply256<TLoad>(w, cols, x, xStride, k, y, yStride, start, end);
                break;
            default:
                MultiplyScalar<TLoad>(w, cols, x, xStride, k, y, yStride, start, end);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyScalar<TLoad>(byte* w, int cols, float* x, int xStride, int k, float* y, int yStride, int start, int end)
        where TLoad : struct, IWeightLoad
    {
        long rowBytes = TLoad.RowBytes(cols);
        for (int o = start; o < end; o++)
        {
            byte* row = w + (o * rowBytes);
            for (int r = 0; r < k; r++)
            {
                y[(r * yStride) + o] = Tail<TLoad>(0f, row, x + ((long)r * xStride), 0, cols);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Tail<TLoad>(float sum, byte* row, float* x, int from, int cols)
        where TLoad : struct, IWeightLoad
    {
        for (int i = from; i < cols; i++)
        {
            sum += TLoad.Scalar(row, i) * x[i];
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Multiply512<TLoad>(byte* w, int cols, float* x, int xStride, int k, float* y, int yStride, int start, int end)
        where TLoad : struct, IWeightLoad
    {
        if (k <= RowByRowMaxRows)
        {
            RowByRow512<TLoad>(w, cols, x, xStride, k, y, yStride, start, end);
            return;
        }

        long rowBytes = TLoad.RowBytes(cols);
        int vec = cols & ~31;
        int o = start;
        for (; o + 4 <= end; o += 4)
        {
            byte* w0 = w + (o * rowBytes);
            byte* w1 = w0 + rowBytes;
            byte* w2 = w1 + rowBytes;
            byte* w3 = w2 + rowBytes;
            int r = 0;
            for (; r + 4 <= k; r += 4)
            {
                Four512x4<TLoad>(w0, w1, w2, w3, vec, cols, x + ((long)r * xStride), xStride, y + ((long)r * yStride) + o, yStride);
            }

            for (; r + 2 <= k; r += 2)
            {
                float* xa = x + ((long)r * xStride);
                float* xb = xa + xStride;
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default;
                long ahead = 4 * rowBytes;
                for (int i = 0; i < vec; i += 32)
                {
                    if (r == 0)
                    {
                        PrefetchStep<TLoad>(w0 + ahead, w1 + ahead, w2 + ahead, w3 + ahead, i);
                    }

                    var xal = Vector512.Load(xa + i);
                    var xah = Vector512.Load(xa + i + 16);
                    var xbl = Vector512.Load(xb + i);
                    var xbh = Vector512.Load(xb + i + 16);
                    TLoad.Load512(w0, i, out var l, out var h);
                    a0 = Vector512.FusedMultiplyAdd(h, xah, Vector512.FusedMultiplyAdd(l, xal, a0));
                    b0 = Vector512.FusedMultiplyAdd(h, xbh, Vector512.FusedMultiplyAdd(l, xbl, b0));
                    TLoad.Load512(w1, i, out l, out h);
                    a1 = Vector512.FusedMultiplyAdd(h, xah, Vector512.FusedMultiplyAdd(l, xal, a1));
                    b1 = Vector512.FusedMultiplyAdd(h, xbh, Vector512.FusedMultiplyAdd(l, xbl, b1));
                    TLoad.Load512(w2, i, out l, out h);
                    a2 = Vector512.FusedMultiplyAdd(h, xah, Vector512.FusedMultiplyAdd(l, xal, a2));
                    b2 = Vector512.FusedMultiplyAdd(h, xbh, Vector512.FusedMultiplyAdd(l, xbl, b2));
                    TLoad.Load512(w3, i, out l, out h);
                    a3 = Vector512.FusedMultiplyAdd(h, xah, Vector512.FusedMultiplyAdd(l, xal, a3));
                    b3 = Vector512.FusedMultiplyAdd(h, xbh, Vector512.FusedMultiplyAdd(l, xbl, b3));
                }

                float* ya = y + ((long)r * yStride) + o;
                float* yb = ya + yStride;
                ya[0] = Tail<TLoad>(Vector512.Sum(a0), w0, xa, vec, cols);
                ya[1] = Tail<TLoad>(Vector512.Sum(a1), w1, xa, vec, cols);
                ya[2] = Tail<TLoad>(Vector512.Sum(a2), w2, xa, vec, cols);
                ya[3] = Tail<TLoad>(Vector512.Sum(a3), w3, xa, vec, cols);
                yb[0] = Tail<TLoad>(Vector512.Sum(b0), w0, xb, vec, cols);
                yb[1] = Tail<TLoad>(Vector512.Sum(b1), w1, xb, vec, cols);
                yb[2] = Tail<TLoad>(Vector512.Sum(b2), w2, xb, vec, cols);
                yb[3] = Tail<TLoad>(Vector512.Sum(b3), w3, xb, vec, cols);
            }

            if (r < k)
            {
                float* xa = x + ((long)r * xStride);
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                long ahead = 4 * rowBytes;
                for (int i = 0; i < vec; i += 32)
                {
                    if (r == 0)
                    {
                        PrefetchStep<TLoad>(w0 + ahead, w1 + ahead, w2 + ahead, w3 + ahead, i);
                    }

                    var xal = Vector512.Load(xa + i);
                    var xah = Vector512.Load(xa + i + 16);
                    TLoad.Load512(w0, i, out var l, out var h);
                    a0 = Vector512.FusedMultiplyAdd(h, xah, Vector512.FusedMultiplyAdd(l, xal, a0));
                    TLoad.Load512(w1, i, out l, out h);
                    a1 = Vector512.FusedMultiplyAdd(h, xah, Vector512.FusedMultiplyAdd(l, xal, a1));
                    TLoad.Load512(w2, i, out l, out h);
                    a2 = Vector512.FusedMultiplyAdd(h, xah, Vector512.FusedMultiplyAdd(l, xal, a2));
                    TLoad.Load512(w3, i, out l, out h);
                    a3 = Vector512.FusedMultiplyAdd(h, xah, Vector512.FusedMultiplyAdd(l, xal, a3));
                }

                float* ya = y + ((long)r * yStride) + o;
                ya[0] = Tail<TLoad>(Vector512.Sum(a0), w0, xa, vec, cols);
                ya[1] = Tail<TLoad>(Vector512.Sum(a1), w1, xa, vec, cols);
                ya[2] = Tail<TLoad>(Vector512.Sum(a2), w2, xa, vec, cols);
                ya[3] = Tail<TLoad>(Vector512.Sum(a3), w3, xa, vec, cols);
            }
        }

        for (; o < end; o++)
        {
            byte* w0 = w + (o * rowBytes);
            for (int r = 0; r < k; r++)
            {
                float* xa = x + ((long)r * xStride);
                Vector512<float> a0 = default;
                for (int i = 0; i < vec; i += 32)
                {
                    TLoad.Load512(w0, i, out var l, out var h);
                    a0 = Vector512.FusedMultiplyAdd(h, Vector512.Load(xa + i + 16), Vector512.FusedMultiplyAdd(l, Vector512.Load(xa + i), a0));
                }

                y[((long)r * yStride) + o] = Tail<TLoad>(Vector512.Sum(a0), w0, xa, vec, cols);
            }
        }
    }

    /// <summary>
    /// Up to this many activation rows, the 512-bit product goes one weight row or one pair of rows at a time
    /// (<see cref="RowByRow512{TLoad}"/>). On one Zen 4 core over the 125M model's matrices, one weight row beat the blocks
    /// of four (4 rows 17–21 vs 24–26 ms f32, 9–12 vs 19–21 bf16); from 13 rows on the blocks win (13: 41–49 vs 53 ms
    /// f32 with one weight row; 13 and 16 rows as pairs of weight rows: 3–10% slower than the blocks).
    /// </summary>
    private const int RowByRowMaxRows = 8;



    /// <summary>
    /// One activation row: four weight rows far apart at a time (<see cref="OneRow512{TLoad}"/>), the weights read as four
    /// sequential streams. Two to eight rows: two such streams (outputs q and q + half of the share), each pair of
    /// weight rows multiplied by every activation row (a block of eight or four rows, then one of three, two or one, all
    /// but the first reading the pair from L1), with a prefetch ahead in both streams (<see cref="RowPairKernels"/>).
    /// The blocks of four weight rows read them as four interleaved streams, which on AMD Zen 4 came at 15–16 GB/s where
    /// one stream reads at 23–26 GB/s, as fast as a plain sum over the same memory (one core, 125M-model shapes, f32); in
    /// cache (the demo model's 13 MB) one stream is faster too (1 row: 0.19 vs 0.24 ms). Pairs halve the loads per FMA
    /// of one weight row: one core, the 125M model's matrices (bench `profile`), f32 / bf16 × the 1-row products, 4 rows
    /// 1.39 → 1.13 / 1.54 → 1.45, 8 rows 1.85 → 1.48 / 3.17 → 2.72; in L2, 8 rows 76 → 96 GFLOPS (768 columns), 46 → 82
    /// (2048). Far-apart pairs against adjacent ones (each with its best prefetch), 2 threads, the 125M model's
    /// products, medians of four interleaved runs at the host's high bandwidth: f32 2 / 3 / 4 / 8 rows 11.4 / 11.6 / 11.7
    /// / 14.9 → 10.5 / 10.6 / 10.8 / 13.8 ms, bf16 5.7 / 6.7 / 7.8 / 13.4 → 5.1 / 5.7 / 7.2 / 12.7 ms (1 row 9.5 and 4.6–5.0
    /// ms). Each element is the same single accumulator over the columns as in the blocks, so the values do not change.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowByRow512<TLoad>(byte* w, int cols, float* x, int xStride, int k, float* y, int yStride, int start, int end)
        where TLoad : struct, IWeightLoad
    {
        if (k == 1)
        {
            OneRow512<TLoad>(w, cols, x, y, start, end);
            return;
        }

        long rowBytes = TLoad.RowBytes(cols);
        int vec = cols & ~31;
        // Two to four rows: four weight streams far apart (RowQuadKernels), where bfloat16's three and four rows, bound by
        // the FMA peak and their widening, gained nothing (2 threads, the 125M model's products, interleaved in one
        // process at the host's high / low bandwidth: f32 2 / 3 / 4 rows 10.1 / 10.4 / 10.6 → 9.3 / 9.7 / 10.0 ms and
        // 12.5 / 12.6 / 12.8 → 12.1 / 12.2 / 12.2 ms; bf16 2 rows 5.1 → 4.9 and 5.9 → 5.6 ms, 4 rows 7.4 → 7.4 and 6.7 → 6.9).
        if (k == 2 || (k <= 4 && !TLoad.EvenOdd))
        {
            int quarter = (end - start) / 4;
            long gap = quarter * rowBytes;
            for (int q = start; q < start + quarter; q++)
            {
                byte* w0 = w + (q * rowBytes);
                switch (k)
                {
                    case 2:
                        RowQuadKernels.Block<TLoad, Rows2>(w0, gap, RowPairKernels.AheadBytes, vec, cols, x, xStride, y + q, quarter, yStride);
                        break;
                    case 3:
                        RowQuadKernels.Block<TLoad, Rows3>(w0, gap, RowPairKernels.AheadBytes, vec, cols, x, xStride, y + q, quarter, yStride);
                        break;
                    default:
                        RowQuadKernels.Block<TLoad, Rows4>(w0, gap, RowPairKernels.AheadBytes, vec, cols, x, xStride, y + q, quarter, yStride);
                        break;
                }
            }

            start += 4 * quarter;
        }

        int half = (end - start) / 2;
        long ahead = RowPairKernels.AheadBytes;
        for (int q = start; q < start + half; q++)
        {
            // k ≤ RowByRowMaxRows = 8: a block of eight or four rows, then one of the three, two or one left; the first
            // prefetches. Outputs q and q + half: two streams far apart.
            byte* w0 = w + (q * rowBytes);
            byte* w1 = w0 + (half * rowBytes);
            int r = 0;
            if (k >= 8)
            {
                RowPairKernels.Eight<TLoad>(w0, w1, ahead, vec, cols, x, xStride, y + q, half, yStride);
                r = 8;
            }
            else if (k >= 4)
            {
                RowPairKernels.Four<TLoad>(w0, w1, ahead, vec, cols, x, xStride, y + q, half, yStride);
                r = 4;
            }

            long next = r == 0 ? ahead : 0;
            float* xr = x + ((long)r * xStride);
            float* yr = y + ((long)r * yStride) + q;
            switch (k - r)
            {
                case 3:
                    RowPairKernels.Three<TLoad>(w0, w1, next, vec, cols, xr, xStride, yr, half, yStride);
                    break;
                case 2:
                    RowPairKernels.Two<TLoad>(w0, w1, next, vec, cols, xr, xStride, yr, half, yStride);
                    break;
                case 1:
                    RowPairKernels.One<TLoad>(w0, w1, next, vec, cols, xr, yr, half);
                    break;
            }
        }

        int o = start + (2 * half);
        // An odd output left (a share's end is a multiple of four unless the matrix's is not): every row alone.
        for (; o < end; o++)
        {
            for (int r = 0; r < k; r++)
            {
                OneRow512<TLoad>(w, cols, x + ((long)r * xStride), y + ((long)r * yStride), o, o + 1);
            }
        }
    }

    /// <summary>
    /// <see cref="RowByRow512{TLoad}"/> for one activation row: the four quarters of [start, end) side by side, outputs
    /// q, q + quarter, q + 2·quarter and q + 3·quarter in one loop, so the weights are four sequential streams far apart
    /// and each step feeds four independent accumulator chains. One weight row at a time was bound by its single chain of
    /// two dependent FMAs a step (in L2 45 GFLOPS f32, 42 bf16, against 54 and 60 with two; over the 125M model, 2
    /// threads, at the host's low bandwidth: f32 12.3–13.0 → 8.3–10.4 ms, bf16 6.3–7.1 → 5.2–5.7 ms with two streams).
    /// Four streams against two, the 125M model's products, 2 threads, 60 interleaved repeats, medians of six runs: f32
    /// 12.6 / 12.7 / 9.5 / 12.6 / 9.7 / 9.3 → 12.0 / 12.0 / 8.5 / 12.0 / 8.6 / 8.4 ms, bf16 6.0 / 5.7 / 5.0 / 6.1 / 4.8
    /// / 4.6 → 5.8 / 5.6 / 4.5 / 5.9 / 4.4 / 4.3 ms; eight streams were no faster than two. Adjacent rows side by side read
    /// at half the rate, the hardware prefetcher taking them for one stream. No software prefetch: asking for lines ahead
    /// made the 1-row f32 pass 15% slower. Each element is still one accumulator over the columns in order, so the
    /// values do not change.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OneRow512<TLoad>(byte* w, int cols, float* x, float* y, int start, int end)
        where TLoad : struct, IWeightLoad
    {
        long rowBytes = TLoad.RowBytes(cols);
        int vec = cols & ~31;
        int quarter = (end - start) / 4;
        long d = quarter * rowBytes;
        for (int q = start; q < start + quarter; q++)
        {
            byte* w0 = w + (q * rowBytes);
            Vector512<float> a = default, b = default, c = default, e = default;
            for (int i = 0; i < vec; i += 32)
            {
                var xl = Vector512.Load(x + i);
                var xh = Vector512.Load(x + i + 16);
                TLoad.Load512(w0, i, out var l0, out var h0);
                TLoad.Load512(w0 + d, i, out var l1, out var h1);
                TLoad.Load512(w0 + (2 * d), i, out var l2, out var h2);
                TLoad.Load512(w0 + (3 * d), i, out var l3, out var h3);
                a = Vector512.FusedMultiplyAdd(h0, xh, Vector512.FusedMultiplyAdd(l0, xl, a));
                b = Vector512.FusedMultiplyAdd(h1, xh, Vector512.FusedMultiplyAdd(l1, xl, b));
                c = Vector512.FusedMultiplyAdd(h2, xh, Vector512.FusedMultiplyAdd(l2, xl, c));
                e = Vector512.FusedMultiplyAdd(h3, xh, Vector512.FusedMultiplyAdd(l3, xl, e));
            }

            y[q] = Tail<TLoad>(Vector512.Sum(a), w0, x, vec, cols);
            y[q + quarter] = Tail<TLoad>(Vector512.Sum(b), w0 + d, x, vec, cols);
            y[q + (2 * quarter)] = Tail<TLoad>(Vector512.Sum(c), w0 + (2 * d), x, vec, cols);
            y[q + (3 * quarter)] = Tail<TLoad>(Vector512.Sum(e), w0 + (3 * d), x, vec, cols);
        }

        // The one to three outputs left: two far apart, then one alone.
        start += 4 * quarter;
        int half = (end - start) / 2;
        for (int q = start; q < start + half; q++)
        {
            byte* w0 = w + (q * rowBytes);
            RowPairKernels.One<TLoad>(w0, w0 + (half * rowBytes), 0, vec, cols, x, y + q, half);
        }

        // An odd output left over: alone.
        for (int o = start + (2 * half); o < end; o++)
        {
            byte* w0 = w + (o * rowBytes);
            Vector512<float> a = default;
            for (int i = 0; i < vec; i += 32)
            {
                TLoad.Load512(w0, i, out var l, out var h);
                a = Vector512.FusedMultiplyAdd(h, Vector512.Load(x + i + 16), Vector512.FusedMultiplyAdd(l, Vector512.Load(x + i), a));
            }

            y[o] = Tail<TLoad>(Vector512.Sum(a), w0, x, vec, cols);
        }
    }

    /// <summary>
    /// Four outputs × four rows: sixteen accumulators, each weight vector loaded once for four rows (half the loads per
    /// FMA of the two-row block, so k ≥ 4 rows stay near the one-row cost). Same per-element arithmetic as the others.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Four512x4<TLoad>(byte* w0, byte* w1, byte* w2, byte* w3, int vec, int cols, float* x, int xStride, float* y, int yStride)
        where TLoad : struct, IWeightLoad
    {
        float* xa = x;
        float* xb = xa + xStride;
        float* xc = xb + xStride;
        float* xd = xc + xStride;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default;
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
        Vector512<float> d0 = default, d1 = default, d2 = default, d3 = default;
        for (int i = 0; i < vec; i += 32)
        {
            var xal = Vector512.Load(xa + i);
            var xah = Vector512.Load(xa + i + 16);
            var xbl = Vector512.Load(xb + i);
            var xbh = Vector512.Load(xb + i + 16);
            var xcl = Vector512.Load(xc + i);
            var xch = Vector512.Load(xc + i + 16);
            var xdl = Vector512.Load(xd + i);
            var xdh = Vector512.Load(xd + i + 16);
            TLoad.Load512(w0, i, out var l, out var h);
            a0 = Vector512.FusedMultiplyAdd(h, xah, Vector512.FusedMultiplyAdd(l, xal, a0));
            b0 = Vector512.FusedMultiplyAdd(h, xbh, Vector512.FusedMultiplyAdd(l, xbl, b0));
            c0 = Vector512.FusedMultiplyAdd(h, xch, Vector512.FusedMultiplyAdd(l, xcl, c0));
            d0 = Vector512.FusedMultiplyAdd(h, xdh, Vector512.FusedMultiplyAdd(l, xdl, d0));
            TLoad.Load512(w1, i, out l, out h);
            a1 = Vector512.FusedMultiplyAdd(h, xah, Vector512.FusedMultiplyAdd(l, xal, a1));
            b1 = Vector512.FusedMultiplyAdd(h, xbh, Vector512.FusedMultiplyAdd(l, xbl, b1));
            c1 = Vector512.FusedMultiplyAdd(h, xch, Vector512.FusedMultiplyAdd(l, xcl, c1));
            d1 = Vector512.FusedMultiplyAdd(h, xdh, Vector512.FusedMultiplyAdd(l, xdl, d1));
            TLoad.Load512(w2, i, out l, out h);
            a2 = Vector512.FusedMultiplyAdd(h, xah, Vector512.FusedMultiplyAdd(l, xal, a2));
            b2 = Vector512.FusedMultiplyAdd(h, xbh, Vector512.FusedMultiplyAdd(l, xbl, b2));
            c2 = Vector512.FusedMultiplyAdd(h, xch, Vector512.FusedMultiplyAdd(l, xcl, c2));
            d2 = Vector512.FusedMultiplyAdd(h, xdh, Vector512.FusedMultiplyAdd(l, xdl, d2));
            TLoad.Load512(w3, i, out l, out h);
            a3 = Vector512.FusedMultiplyAdd(h, xah, Vector512.FusedMultiplyAdd(l, xal, a3));
            b3 = Vector512.FusedMultiplyAdd(h, xbh, Vector512.FusedMultiplyAdd(l, xbl, b3));
            c3 = Vector512.FusedMultiplyAdd(h, xch, Vector512.FusedMultiplyAdd(l, xcl, c3));
            d3 = Vector512.FusedMultiplyAdd(h, xdh, Vector512.FusedMultiplyAdd(l, xdl, d3));
        }

        Store4<TLoad>(y, a0, a1, a2, a3, w0, w1, w2, w3, xa, vec, cols);
        Store4<TLoad>(y + yStride, b0, b1, b2, b3, w0, w1, w2, w3, xb, vec, cols);
        Store4<TLoad>(y + (2L * yStride), c0, c1, c2, c3, w0, w1, w2, w3, xc, vec, cols);
        Store4<TLoad>(y + (3L * yStride), d0, d1, d2, d3, w0, w1, w2, w3, xd, vec, cols);
    }

    /// <summary>
    /// Asks for the next four weight rows' bytes of step i while this step computes: the rows of a block are read as
    /// four short interleaved streams, which the hardware prefetchers pick up late at one or two rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchStep<TLoad>(byte* n0, byte* n1, byte* n2, byte* n3, int i)
        where TLoad : struct, IWeightLoad
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        long at = TLoad.RowBytes(i);
        for (long line = 0; line < TLoad.RowBytes(32); line += 64)
        {
            Sse.Prefetch0(n0 + at + line);
            Sse.Prefetch0(n1 + at + line);
            Sse.Prefetch0(n2 + at + line);
            Sse.Prefetch0(n3 + at + line);
        }
    }

    /// <summary>
    /// <see cref="PrefetchStep{TLoad}"/> for the 256-bit steps of 16 columns: one line per weight row whenever a step
    /// starts a new 64-byte line (every step in float32, every other one in bfloat16).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchStep256<TLoad>(byte* n0, byte* n1, byte* n2, byte* n3, int i)
        where TLoad : struct, IWeightLoad
    {
        long at = TLoad.RowBytes(i);
        if (!Sse.IsSupported || (at & 63) != 0)
        {
            return;
        }

        Sse.Prefetch0(n0 + at);
        Sse.Prefetch0(n1 + at);
        Sse.Prefetch0(n2 + at);
        Sse.Prefetch0(n3 + at);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store4<TLoad>(float* y, Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3, byte* w0, byte* w1, byte* w2, byte* w3, float* x, int vec, int cols)
        where TLoad : struct, IWeightLoad
    {
        y[0] = Tail<TLoad>(Vector512.Sum(s0), w0, x, vec, cols);
        y[1] = Tail<TLoad>(Vector512.Sum(s1), w1, x, vec, cols);
        y[2] = Tail<TLoad>(Vector512.Sum(s2), w2, x, vec, cols);
        y[3] = Tail<TLoad>(Vector512.Sum(s3), w3, x, vec, cols);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Multiply256<TLoad>(byte* w, int cols, float* x, int xStride, int k, float* y, int yStride, int start, int end)
        where TLoad : struct, IWeightLoad
    {
        if (k > 2)
        {
            Rows256<TLoad>(w, cols, x, xStride, k, y, yStride, start, end);
            return;
        }

        long rowBytes = TLoad.RowBytes(cols);
        int vec = cols & ~15;
        int o = start;
        for (; o + 4 <= end; o += 4)
        {
            byte* w0 = w + (o * rowBytes);
            byte* w1 = w0 + rowBytes;
            byte* w2 = w1 + rowBytes;
            byte* w3 = w2 + rowBytes;
            int r = 0;
            for (; r + 2 <= k; r += 2)
            {
                float* xa = x + ((long)r * xStride);
                float* xb = xa + xStride;
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default;
                long ahead = 4 * rowBytes;
                for (int i = 0; i < vec; i += 16)
                {
                    if (r == 0)
                    {
                        PrefetchStep256<TLoad>(w0 + ahead, w1 + ahead, w2 + ahead, w3 + ahead, i);
                    }

                    var xal = Vector256.Load(xa + i);
                    var xah = Vector256.Load(xa + i + 8);
                    var xbl = Vector256.Load(xb + i);
                    var xbh = Vector256.Load(xb + i + 8);
                    TLoad.Load256(w0, i, out var l, out var h);
                    a0 = Vector256.FusedMultiplyAdd(h, xah, Vector256.FusedMultiplyAdd(l, xal, a0));
                    b0 = Vector256.FusedMultiplyAdd(h, xbh, Vector256.FusedMultiplyAdd(l, xbl, b0));
                    TLoad.Load256(w1, i, out l, out h);
                    a1 = Vector256.FusedMultiplyAdd(h, xah, Vector256.FusedMultiplyAdd(l, xal, a1));
                    b1 = Vector256.FusedMultiplyAdd(h, xbh, Vector256.FusedMultiplyAdd(l, xbl, b1));
                    TLoad.Load256(w2, i, out l, out h);
                    a2 = Vector256.FusedMultiplyAdd(h, xah, Vector256.FusedMultiplyAdd(l, xal, a2));
                    b2 = Vector256.FusedMultiplyAdd(h, xbh, Vector256.FusedMultiplyAdd(l, xbl, b2));
                    TLoad.Load256(w3, i, out l, out h);
                    a3 = Vector256.FusedMultiplyAdd(h, xah, Vector256.FusedMultiplyAdd(l, xal, a3));
                    b3 = Vector256.FusedMultiplyAdd(h, xbh, Vector256.FusedMultiplyAdd(l, xbl, b3));
                }

                float* ya = y + ((long)r * yStride) + o;
                float* yb = ya + yStride;
                ya[0] = Tail<TLoad>(Vector256.Sum(a0), w0, xa, vec, cols);
                ya[1] = Tail<TLoad>(Vector256.Sum(a1), w1, xa, vec, cols);
                ya[2] = Tail<TLoad>(Vector256.Sum(a2), w2, xa, vec, cols);
                ya[3] = Tail<TLoad>(Vector256.Sum(a3), w3, xa, vec, cols);
                yb[0] = Tail<TLoad>(Vector256.Sum(b0), w0, xb, vec, cols);
                yb[1] = Tail<TLoad>(Vector256.Sum(b1), w1, xb, vec, cols);
                yb[2] = Tail<TLoad>(Vector256.Sum(b2), w2, xb, vec, cols);
                yb[3] = Tail<TLoad>(Vector256.Sum(b3), w3, xb, vec, cols);
            }

            if (r < k)
            {
                float* xa = x + ((long)r * xStride);
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                long ahead = 4 * rowBytes;
                for (int i = 0; i < vec; i += 16)
                {
                    if (r == 0)
                    {
                        PrefetchStep256<TLoad>(w0 + ahead, w1 + ahead, w2 + ahead, w3 + ahead, i);
                    }

                    var xal = Vector256.Load(xa + i);
                    var xah = Vector256.Load(xa + i + 8);
                    TLoad.Load256(w0, i, out var l, out var h);
                    a0 = Vector256.FusedMultiplyAdd(h, xah, Vector256.FusedMultiplyAdd(l, xal, a0));
                    TLoad.Load256(w1, i, out l, out h);
                    a1 = Vector256.FusedMultiplyAdd(h, xah, Vector256.FusedMultiplyAdd(l, xal, a1));
                    TLoad.Load256(w2, i, out l, out h);
                    a2 = Vector256.FusedMultiplyAdd(h, xah, Vector256.FusedMultiplyAdd(l, xal, a2));
                    TLoad.Load256(w3, i, out l, out h);
                    a3 = Vector256.FusedMultiplyAdd(h, xah, Vector256.FusedMultiplyAdd(l, xal, a3));
                }

                float* ya = y + ((long)r * yStride) + o;
                ya[0] = Tail<TLoad>(Vector256.Sum(a0), w0, xa, vec, cols);
                ya[1] = Tail<TLoad>(Vector256.Sum(a1), w1, xa, vec, cols);
                ya[2] = Tail<TLoad>(Vector256.Sum(a2), w2, xa, vec, cols);
                ya[3] = Tail<TLoad>(Vector256.Sum(a3), w3, xa, vec, cols);
            }
        }

        for (; o < end; o++)
        {
            byte* w0 = w + (o * rowBytes);
            for (int r = 0; r < k; r++)
            {
                float* xa = x + ((long)r * xStride);
                Vector256<float> a0 = default;
                for (int i = 0; i < vec; i += 16)
                {
                    TLoad.Load256(w0, i, out var l, out var h);
                    a0 = Vector256.FusedMultiplyAdd(h, Vector256.Load(xa + i + 8), Vector256.FusedMultiplyAdd(l, Vector256.Load(xa + i), a0));
                }

                y[((long)r * yStride) + o] = Tail<TLoad>(Vector256.Sum(a0), w0, xa, vec, cols);
            }
        }
    }
    /// <summary>
    /// Row <paramref name="row"/> of the four from <paramref name="w0"/>, or null past the fourth. Pass p of P asks for
    /// the next chunk of rows p and p + P, so the next chunk's lines are requested evenly over all the passes instead of
    /// in one burst that outruns the core's outstanding misses.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* NextRow(int row, byte* w0, long rowBytes) => row < 4 ? w0 + (row * rowBytes) : null;

    /// <summary>One line of each of two weight rows (either may be null) per 64 bytes of steps, as <see cref="PrefetchStep256{TLoad}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchRows256<TLoad>(byte* first, byte* second, int i)
        where TLoad : struct, IWeightLoad
    {
        long at = TLoad.RowBytes(i);
        if (!Sse.IsSupported || (at & 63) != 0)
        {
            return;
        }

        if (first != null)
        {
            Sse.Prefetch0(first + at);
        }

        if (second != null)
        {
            Sse.Prefetch0(second + at);
        }
    }

    /// <summary>Columns per chunk of <see cref="Rows256{TLoad}"/>: four weight rows' chunk stays in L1 while every row pair passes over it.</summary>
    private const int Chunk256 = 1024;

    /// <summary>
    /// More than two rows on 256-bit vectors: the columns go in chunks, and every row pair passes over a chunk of the
    /// four weight rows before the next chunk, each pair's accumulators kept in a small array between chunks. Every pass
    /// asks for a share of the next chunk's weights (<see cref="NextRow"/>), so reading the weights from memory overlaps
    /// with the arithmetic of all the rows: with whole rows and only the first pass reading ahead, the other passes
    /// computed with nothing in flight (a k = 8 pass cost 1.6–1.9× a 1-row pass on one AVX2 core, now 1.1–1.5×,
    /// measured under load). Each element is still one accumulator over the columns in order, kept in memory between
    /// chunks, with the same tail: the same values as the other blocks.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows256<TLoad>(byte* w, int cols, float* x, int xStride, int k, float* y, int yStride, int start, int end)
        where TLoad : struct, IWeightLoad
    {
        long rowBytes = TLoad.RowBytes(cols);
        int vec = cols & ~15;
        Vector256<float>* acc = stackalloc Vector256<float>[4 * k];
        int passes = (k + 1) / 2;
        int o = start;
        for (; o + 4 <= end; o += 4)
        {
            byte* w0 = w + (o * rowBytes);
            byte* w1 = w0 + rowBytes;
            byte* w2 = w1 + rowBytes;
            byte* w3 = w2 + rowBytes;
            for (int c = 0; c < vec; c += Chunk256)
            {
                int chunkEnd = Math.Min(c + Chunk256, vec);

                // The next chunk of these rows, or after the last one the first chunk of the next four rows.
                long ahead = chunkEnd < vec ? TLoad.RowBytes(Chunk256) : (4 * rowBytes) - TLoad.RowBytes(c);
                int r = 0;
                for (; r + 2 <= k; r += 2)
                {
                    float* xa = x + ((long)r * xStride);
                    float* xb = xa + xStride;
                    Vector256<float>* pa = acc + (4 * r);
                    Vector256<float>* pb = pa + 4;
                    Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                    Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default;
                    if (c > 0)
                    {
                        a0 = pa[0]; a1 = pa[1]; a2 = pa[2]; a3 = pa[3];
                        b0 = pb[0]; b1 = pb[1]; b2 = pb[2]; b3 = pb[3];
                    }

                    byte* first = NextRow(r / 2, w0 + ahead, rowBytes);
                    byte* second = NextRow((r / 2) + passes, w0 + ahead, rowBytes);
                    for (int i = c; i < chunkEnd; i += 16)
                    {
                        PrefetchRows256<TLoad>(first, second, i);

                        var xal = Vector256.Load(xa + i);
                        var xah = Vector256.Load(xa + i + 8);
                        var xbl = Vector256.Load(xb + i);
                        var xbh = Vector256.Load(xb + i + 8);
                        TLoad.Load256(w0, i, out var l, out var h);
                        a0 = Vector256.FusedMultiplyAdd(h, xah, Vector256.FusedMultiplyAdd(l, xal, a0));
                        b0 = Vector256.FusedMultiplyAdd(h, xbh, Vector256.FusedMultiplyAdd(l, xbl, b0));
                        TLoad.Load256(w1, i, out l, out h);
                        a1 = Vector256.FusedMultiplyAdd(h, xah, Vector256.FusedMultiplyAdd(l, xal, a1));
                        b1 = Vector256.FusedMultiplyAdd(h, xbh, Vector256.FusedMultiplyAdd(l, xbl, b1));
                        TLoad.Load256(w2, i, out l, out h);
                        a2 = Vector256.FusedMultiplyAdd(h, xah, Vector256.FusedMultiplyAdd(l, xal, a2));
                        b2 = Vector256.FusedMultiplyAdd(h, xbh, Vector256.FusedMultiplyAdd(l, xbl, b2));
                        TLoad.Load256(w3, i, out l, out h);
                        a3 = Vector256.FusedMultiplyAdd(h, xah, Vector256.FusedMultiplyAdd(l, xal, a3));
                        b3 = Vector256.FusedMultiplyAdd(h, xbh, Vector256.FusedMultiplyAdd(l, xbl, b3));
                    }

                    pa[0] = a0; pa[1] = a1; pa[2] = a2; pa[3] = a3;
                    pb[0] = b0; pb[1] = b1; pb[2] = b2; pb[3] = b3;
                }

                if (r < k)
                {
                    float* xa = x + ((long)r * xStride);
                    Vector256<float>* pa = acc + (4 * r);
                    Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                    if (c > 0)
                    {
                        a0 = pa[0]; a1 = pa[1]; a2 = pa[2]; a3 = pa[3];
                    }

                    byte* first = NextRow(r / 2, w0 + ahead, rowBytes);
                    byte* second = NextRow((r / 2) + passes, w0 + ahead, rowBytes);
                    for (int i = c; i < chunkEnd; i += 16)
                    {
                        PrefetchRows256<TLoad>(first, second, i);
                        var xal = Vector256.Load(xa + i);
                        var xah = Vector256.Load(xa + i + 8);
                        TLoad.Load256(w0, i, out var l, out var h);
                        a0 = Vector256.FusedMultiplyAdd(h, xah, Vector256.FusedMultiplyAdd(l, xal, a0));
                        TLoad.Load256(w1, i, out l, out h);
                        a1 = Vector256.FusedMultiplyAdd(h, xah, Vector256.FusedMultiplyAdd(l, xal, a1));
                        TLoad.Load256(w2, i, out l, out h);
                        a2 = Vector256.FusedMultiplyAdd(h, xah, Vector256.FusedMultiplyAdd(l, xal, a2));
                        TLoad.Load256(w3, i, out l, out h);
                        a3 = Vector256.FusedMultiplyAdd(h, xah, Vector256.FusedMultiplyAdd(l, xal, a3));
                    }

                    pa[0] = a0; pa[1] = a1; pa[2] = a2; pa[3] = a3;
                }
            }

            if (vec == 0)
            {
                new Span<Vector256<float>>(acc, 4 * k).Clear();
            }

            for (int r = 0; r < k; r++)
            {
                float* xr = x + ((long)r * xStride);
                float* yr = y + ((long)r * yStride) + o;
                Vector256<float>* pr = acc + (4 * r);
                yr[0] = Tail<TLoad>(Vector256.Sum(pr[0]), w0, xr, vec, cols);
                yr[1] = Tail<TLoad>(Vector256.Sum(pr[1]), w1, xr, vec, cols);
                yr[2] = Tail<TLoad>(Vector256.Sum(pr[2]), w2, xr, vec, cols);
                yr[3] = Tail<TLoad>(Vector256.Sum(pr[3]), w3, xr, vec, cols);
            }
        }

        for (; o < end; o++)
        {
            byte* w0 = w + (o * rowBytes);
            for (int r = 0; r < k; r++)
            {
                float* xa = x + ((long)r * xStride);
                Vector256<float> a0 = default;
                for (int i = 0; i < vec; i += 16)
                {
                    TLoad.Load256(w0, i, out var l, out var h);
                    a0 = Vector256.FusedMultiplyAdd(h, Vector256.Load(xa + i + 8), Vector256.FusedMultiplyAdd(l, Vector256.Load(xa + i), a0));
                }

                y[((long)r * yStride) + o] = Tail<TLoad>(Vector256.Sum(a0), w0, xa, vec, cols);
            }
        }
    }
}
