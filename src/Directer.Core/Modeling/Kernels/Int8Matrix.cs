using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Directer.Core.Modeling.Kernels;

/// <summary>
/// A per-block int8 weight matrix (<see cref="Int8Blocks"/>) times int8 activations, like llama.cpp's Q8_0 × Q8_0:
/// each row of activations is quantised per block once per product, then every block of every output is an exact
/// integer dot product of 32 pairs (int8 weights widened to int16, multiplied and added in pairs by
/// vpmaddwd / pmaddwd), converted to float32, times the weights' scale, and added times the activations' scale. Outputs four at a time, rows two at a
/// time, as <see cref="MatrixKernels"/>; each (output, row) element is one accumulator over the blocks in order,
/// so results do not depend on the batch.
/// </summary>
internal sealed unsafe class Int8Matrix : IWeightMatrix
{
    private readonly byte* data;
    private readonly KernelWidth width;
    private readonly long rowBytes;

    public Int8Matrix(byte* data, int rows, int columns, KernelWidth width)
    {
        if (columns % Int8Blocks.Block != 0)
        {
            throw new ArgumentException($"int8 weights need a multiple of {Int8Blocks.Block} columns, got {columns}.", nameof(columns));
        }

        this.data = data;
        // The 512-bit kernel uses Avx512BW directly; without it the 256-bit one runs.
        this.width = width == KernelWidth.Vector512 && !Avx512BW.IsSupported ? KernelWidth.Vector256 : width;
        if (this.width == KernelWidth.Vector256 && !Avx2.IsSupported)
        {
            this.width = KernelWidth.Scalar;
        }

        Rows = rows;
        Columns = columns;
        rowBytes = Int8Blocks.RowBytes(columns);
        PreparedRowBytes = Int8Blocks.ActivationRowBytes(columns);
    }

    public int Rows { get; }

    public int Columns { get; }

    public long Bytes => rowBytes * Rows;

    public int PreparedRowBytes { get; }

    public void Prepare(float* x, int k, byte* prepared) => Int8Blocks.QuantizeActivations(x, k, Columns, prepared);

    public void ReadRow(int row, float* destination)
    {
        byte* p = data + (rowBytes * row);
        for (int i = 0; i < Columns; i++)
        {
            destination[i] = Int8Blocks.Scalar(p, i);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Multiply(byte* input, int k, float* y, int yStride, int start, int end)
    {
        if (width == KernelWidth.Vector512 && k <= 2)
        {
            RowByRow512(input, k, y, yStride, start, end);
            return;
        }

        int o = start;
        for (; o + 4 <= end; o += 4)
        {
            int r = 0;
            if (width == KernelWidth.Vector512)
            {
                for (; r + 4 <= k; r += 4)
                {
                    byte* w0 = data + (o * rowBytes);
                    Four512x4(w0, w0 + rowBytes, w0 + (2 * rowBytes), w0 + (3 * rowBytes), input + ((long)r * PreparedRowBytes), y + ((long)r * yStride) + o, yStride);
                }
            }

            for (; r + 2 <= k; r += 2)
            {
                Four(o, input + ((long)r * PreparedRowBytes), 2, y + ((long)r * yStride) + o, yStride, r == 0);
            }

            if (r < k)
            {
                Four(o, input + ((long)r * PreparedRowBytes), 1, y + ((long)r * yStride) + o, yStride, r == 0);
            }
        }

        for (; o < end; o++)
        {
            byte* w = data + (o * rowBytes);
            for (int r = 0; r < k; r++)
            {
                y[((long)r * yStride) + o] = One(w, input + ((long)r * PreparedRowBytes));
            }
        }
    }

    /// <summary>
    /// One weight row at a time for one or two activation rows: the weights as one sequential stream, as
    /// <see cref="MatrixKernels"/> does for few rows (four interleaved row streams read slower on AMD Zen 4). The same
    /// per-block steps into one accumulator as the four-row blocks, so the values do not change.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RowByRow512(byte* input, int k, float* y, int yStride, int start, int end)
    {
        int blocks = Columns / Int8Blocks.Block;
        short* qa = (short*)input;
        float* sa = (float*)(qa + Columns);
        short* qb = (short*)(input + PreparedRowBytes);
        float* sb = (float*)(qb + Columns);
        for (int o = start; o < end; o++)
        {
            byte* w = data + (o * rowBytes);
            Vector512<float> a = default, b = default;
            if (k == 2)
            {
                for (int i = 0; i < blocks; i++)
                {
                    long off = (long)i * Int8Blocks.BlockBytes;
                    var q = Weights512(w + off);
                    var d = Vector512.Create(*(float*)(w + off));
                    a = Step512(q, d, Vector512.Load(qa + (i * Int8Blocks.Block)), Vector512.Create(sa[i]), a);
                    b = Step512(q, d, Vector512.Load(qb + (i * Int8Blocks.Block)), Vector512.Create(sb[i]), b);
                }

                y[yStride + o] = Vector512.Sum(b);
            }
            else
            {
                for (int i = 0; i < blocks; i++)
                {
                    a = Block512(w + ((long)i * Int8Blocks.BlockBytes), Vector512.Load(qa + (i * Int8Blocks.Block)), sa[i], a);
                }
            }

            y[o] = Vector512.Sum(a);
        }
    }

    /// <summary>Outputs o..o+3 for one or two rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Four(int o, byte* xa, int rows, float* y, int yStride, bool first)
    {
        byte* w0 = data + (o * rowBytes);
        byte* w1 = w0 + rowBytes;
        byte* w2 = w1 + rowBytes;
        byte* w3 = w2 + rowBytes;
        if (width == KernelWidth.Vector512)
        {
            if (rows == 2)
            {
                Four512x2(w0, w1, w2, w3, xa, xa + PreparedRowBytes, y, y + yStride, first);
            }
            else
            {
                Four512x1(w0, w1, w2, w3, xa, y);
            }

            return;
        }

        if (width == KernelWidth.Vector256)
        {
            for (int r = 0; r < rows; r++)
            {
                Four256x1(w0, w1, w2, w3, xa + ((long)r * PreparedRowBytes), y + ((long)r * yStride), first && r == 0);
            }

            return;
        }

        for (int r = 0; r < rows; r++)
        {
            byte* x = xa + ((long)r * PreparedRowBytes);
            float* yr = y + ((long)r * yStride);
            yr[0] = One(w0, x);
            yr[1] = One(w1, x);
            yr[2] = One(w2, x);
            yr[3] = One(w3, x);
        }
    }

    /// <summary>acc + (Σ pairs of q_w·q_x as float32 × d_w) × d_x: the per-block step every path takes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Step512(Vector512<short> q, Vector512<float> d, Vector512<short> x, Vector512<float> xScale, Vector512<float> acc) =>
        Vector512.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(Avx512BW.MultiplyAddAdjacent(q, x)) * d, xScale, acc);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<short> Weights512(byte* w) => Avx512BW.ConvertToVector512Int16(Vector256.Load((sbyte*)(w + 4)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Block512(byte* w, Vector512<short> x, float xScale, Vector512<float> acc) =>
        Step512(Weights512(w), Vector512.Create(*(float*)w), x, Vector512.Create(xScale), acc);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Four512x4(byte* w0, byte* w1, byte* w2, byte* w3, byte* x, float* y, int yStride)
    {
        int blocks = Columns / Int8Blocks.Block;
        int stride = PreparedRowBytes / sizeof(short);
        short* qa = (short*)x;
        short* qb = qa + stride;
        short* qc = qb + stride;
        short* qd = qc + stride;
        float* sa = (float*)(qa + Columns);
        float* sb = (float*)(qb + Columns);
        float* sc = (float*)(qc + Columns);
        float* sd = (float*)(qd + Columns);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default;
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
        Vector512<float> d0 = default, d1 = default, d2 = default, d3 = default;
        for (int b = 0; b < blocks; b++)
        {
            long off = (long)b * Int8Blocks.BlockBytes;
            int at = b * Int8Blocks.Block;
            var xa = Vector512.Load(qa + at);
            var xb = Vector512.Load(qb + at);
            var xc = Vector512.Load(qc + at);
            var xd = Vector512.Load(qd + at);
            var da = Vector512.Create(sa[b]);
            var db = Vector512.Create(sb[b]);
            var dc = Vector512.Create(sc[b]);
            var dd = Vector512.Create(sd[b]);
            var q = Weights512(w0 + off);
            var d = Vector512.Create(*(float*)(w0 + off));
            a0 = Step512(q, d, xa, da, a0);
            b0 = Step512(q, d, xb, db, b0);
            c0 = Step512(q, d, xc, dc, c0);
            d0 = Step512(q, d, xd, dd, d0);
            q = Weights512(w1 + off);
            d = Vector512.Create(*(float*)(w1 + off));
            a1 = Step512(q, d, xa, da, a1);
            b1 = Step512(q, d, xb, db, b1);
            c1 = Step512(q, d, xc, dc, c1);
            d1 = Step512(q, d, xd, dd, d1);
            q = Weights512(w2 + off);
            d = Vector512.Create(*(float*)(w2 + off));
            a2 = Step512(q, d, xa, da, a2);
            b2 = Step512(q, d, xb, db, b2);
            c2 = Step512(q, d, xc, dc, c2);
            d2 = Step512(q, d, xd, dd, d2);
            q = Weights512(w3 + off);
            d = Vector512.Create(*(float*)(w3 + off));
            a3 = Step512(q, d, xa, da, a3);
            b3 = Step512(q, d, xb, db, b3);
            c3 = Step512(q, d, xc, dc, c3);
            d3 = Step512(q, d, xd, dd, d3);
        }

        Store4(y, a0, a1, a2, a3);
        Store4(y + yStride, b0, b1, b2, b3);
        Store4(y + (2L * yStride), c0, c1, c2, c3);
        Store4(y + (3L * yStride), d0, d1, d2, d3);
    }

    /// <summary>The next four rows' line of this block (see <see cref="MatrixKernels"/>' prefetch).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Prefetch(byte* n0, byte* n1, byte* n2, byte* n3)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(n0);
            Sse.Prefetch0(n1);
            Sse.Prefetch0(n2);
            Sse.Prefetch0(n3);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store4(float* y, Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3)
    {
        y[0] = Vector512.Sum(s0);
        y[1] = Vector512.Sum(s1);
        y[2] = Vector512.Sum(s2);
        y[3] = Vector512.Sum(s3);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Four512x2(byte* w0, byte* w1, byte* w2, byte* w3, byte* xa, byte* xb, float* ya, float* yb, bool prefetch)
    {
        int blocks = Columns / Int8Blocks.Block;
        short* qa = (short*)xa;
        short* qb = (short*)xb;
        float* sa = (float*)(qa + Columns);
        float* sb = (float*)(qb + Columns);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default;
        long ahead = prefetch ? 4 * rowBytes : 0;
        for (int b = 0; b < blocks; b++)
        {
            long off = (long)b * Int8Blocks.BlockBytes;
            if (prefetch)
            {
                Prefetch(w0 + ahead + off, w1 + ahead + off, w2 + ahead + off, w3 + ahead + off);
            }

            var xav = Vector512.Load(qa + (b * Int8Blocks.Block));
            var xbv = Vector512.Load(qb + (b * Int8Blocks.Block));
            var da = Vector512.Create(sa[b]);
            var db = Vector512.Create(sb[b]);
            var q = Weights512(w0 + off);
            var d = Vector512.Create(*(float*)(w0 + off));
            a0 = Step512(q, d, xav, da, a0);
            b0 = Step512(q, d, xbv, db, b0);
            q = Weights512(w1 + off);
            d = Vector512.Create(*(float*)(w1 + off));
            a1 = Step512(q, d, xav, da, a1);
            b1 = Step512(q, d, xbv, db, b1);
            q = Weights512(w2 + off);
            d = Vector512.Create(*(float*)(w2 + off));
            a2 = Step512(q, d, xav, da, a2);
            b2 = Step512(q, d, xbv, db, b2);
            q = Weights512(w3 + off);
            d = Vector512.Create(*(float*)(w3 + off));
            a3 = Step512(q, d, xav, da, a3);
            b3 = Step512(q, d, xbv, db, b3);
        }

        Store4(ya, a0, a1, a2, a3);
        Store4(yb, b0, b1, b2, b3);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Four512x1(byte* w0, byte* w1, byte* w2, byte* w3, byte* xa, float* ya)
    {
        int blocks = Columns / Int8Blocks.Block;
        short* qa = (short*)xa;
        float* sa = (float*)(qa + Columns);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        long ahead = 4 * rowBytes;
        for (int b = 0; b < blocks; b++)
        {
            long off = (long)b * Int8Blocks.BlockBytes;
            Prefetch(w0 + ahead + off, w1 + ahead + off, w2 + ahead + off, w3 + ahead + off);
            var xav = Vector512.Load(qa + (b * Int8Blocks.Block));
            float da = sa[b];
            a0 = Block512(w0 + off, xav, da, a0);
            a1 = Block512(w1 + off, xav, da, a1);
            a2 = Block512(w2 + off, xav, da, a2);
            a3 = Block512(w3 + off, xav, da, a3);
        }

        ya[0] = Vector512.Sum(a0);
        ya[1] = Vector512.Sum(a1);
        ya[2] = Vector512.Sum(a2);
        ya[3] = Vector512.Sum(a3);
    }

    /// <summary>acc + (Σ pairs of q_w·q_x as float32 × d_w) × d_x for one block at 256 bits (two halves of 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Block256(byte* p, short* x, Vector256<float> xScale, Vector256<float> acc)
    {
        var lo = Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16((sbyte*)(p + 4)), Vector256.Load(x));
        var hi = Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16((sbyte*)(p + 20)), Vector256.Load(x + 16));
        return Vector256.FusedMultiplyAdd(Avx.ConvertToVector256Single(lo + hi) * Vector256.Create(*(float*)p), xScale, acc);
    }

    /// <summary>
    /// Four outputs × one row at 256 bits: four independent accumulators (one chain per output hid no latency) and,
    /// on a product's first row, the next four weight rows prefetched as in the 512-bit kernels.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Four256x1(byte* w0, byte* w1, byte* w2, byte* w3, byte* xa, float* ya, bool prefetch)
    {
        int blocks = Columns / Int8Blocks.Block;
        short* qa = (short*)xa;
        float* sa = (float*)(qa + Columns);
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        long ahead = 4 * rowBytes;
        for (int b = 0; b < blocks; b++)
        {
            long off = (long)b * Int8Blocks.BlockBytes;
            if (prefetch)
            {
                Prefetch(w0 + ahead + off, w1 + ahead + off, w2 + ahead + off, w3 + ahead + off);
            }

            short* xb = qa + (b * Int8Blocks.Block);
            var da = Vector256.Create(sa[b]);
            a0 = Block256(w0 + off, xb, da, a0);
            a1 = Block256(w1 + off, xb, da, a1);
            a2 = Block256(w2 + off, xb, da, a2);
            a3 = Block256(w3 + off, xb, da, a3);
        }

        ya[0] = Vector256.Sum(a0);
        ya[1] = Vector256.Sum(a1);
        ya[2] = Vector256.Sum(a2);
        ya[3] = Vector256.Sum(a3);
    }

    /// <summary>One (output, row) element at this matrix's width: the same arithmetic as the blocked kernels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private float One(byte* w, byte* x)
    {
        int blocks = Columns / Int8Blocks.Block;
        short* q = (short*)x;
        float* s = (float*)(q + Columns);
        if (width == KernelWidth.Vector512)
        {
            Vector512<float> acc = default;
            for (int b = 0; b < blocks; b++)
            {
                acc = Block512(w + ((long)b * Int8Blocks.BlockBytes), Vector512.Load(q + (b * Int8Blocks.Block)), s[b], acc);
            }

            return Vector512.Sum(acc);
        }

        if (width == KernelWidth.Vector256)
        {
            Vector256<float> acc = default;
            for (int b = 0; b < blocks; b++)
            {
                acc = Block256(w + ((long)b * Int8Blocks.BlockBytes), q + (b * Int8Blocks.Block), Vector256.Create(s[b]), acc);
            }

            return Vector256.Sum(acc);
        }

        float sum = 0;
        for (int b = 0; b < blocks; b++)
        {
            byte* p = w + ((long)b * Int8Blocks.BlockBytes);
            sbyte* wq = (sbyte*)(p + 4);
            short* xb = q + (b * Int8Blocks.Block);
            int dot = 0;
            for (int j = 0; j < Int8Blocks.Block; j++)
            {
                dot += wq[j] * xb[j];
            }

            sum = MathF.FusedMultiplyAdd(dot * *(float*)p, s[b], sum);
        }

        return sum;
    }
}
