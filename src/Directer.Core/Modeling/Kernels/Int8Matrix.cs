using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Directer.Core.Modeling.Kernels;

/// <summary>
/// A per-block int8 weight matrix (<see cref="Int8Blocks"/>) times int8 activations, like llama.cpp's Q8_0 × Q8_0:
/// each row of activations is quantised per block once per product; then for every (output, row) and block, the
/// exact integer dot product of the 32 weights and activations (int32), converted to float32, times d_w·d_x, is
/// fused-multiply-added into the output's sum, block after block in order. The tiles put 16 outputs in the lanes of a
/// vector, so a column pair costs one multiply-add of pairs and one add per row, whatever the number of rows: a k-row
/// pass reads the tile once for all its rows. Every width and every k computes each element the same way (integer
/// sums are exact, the rest is one rounding per operation), so results do not depend on the batch or the CPU.
/// </summary>
internal sealed unsafe class Int8Matrix : IWeightMatrix
{
    /// <summary>Rows one 512-bit tile pass takes (two accumulators per row in registers); more rows run in chunks.</summary>
    private const int MaxRows512 = 8;

    /// <summary>Rows one 256-bit pass takes: sixteen registers.</summary>
    private const int MaxRows256 = 4;

    private readonly byte* data;
    private readonly KernelWidth width;
    private readonly long rowBytes;
    private readonly int tiled;
    private readonly int blocks;

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
        tiled = Int8Blocks.TiledRows(rows);
        blocks = columns / Int8Blocks.Block;
        PreparedRowBytes = Int8Blocks.ActivationRowBytes(columns);
    }

    public int Rows { get; }

    public int Columns { get; }

    public long Bytes => rowBytes * Rows;

    public int PreparedRowBytes { get; }

    /// <summary>Whole tiles per thread share.</summary>
    public int OutputGrain => Int8Blocks.Group;

    public void Prepare(float* x, int k, byte* prepared) => Int8Blocks.QuantizeActivations(x, k, Columns, prepared);

    public void ReadRow(int row, float* destination)
    {
        // Once per token and row for int8 embeddings: each block's scale and first q are found once, not per column.
        int pairStride = Int8Blocks.PairStride(Rows, row);
        for (int b = 0; b < blocks; b++)
        {
            float d = *Int8Blocks.ScaleAddress(data, Rows, Columns, row, b);
            sbyte* q = Int8Blocks.QuantAddress(data, Rows, Columns, row, b * Int8Blocks.Block);
            float* target = destination + (b * Int8Blocks.Block);
            for (int j = 0; j < Int8Blocks.Block; j++)
            {
                target[j] = q[(j / 2 * pairStride) + (j % 2)] * d;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Multiply(byte* input, int k, float* y, int yStride, int start, int end)
    {
        if (k == 1 && width == KernelWidth.Vector512 && start % Int8Blocks.Group == 0)
        {
            // One row: the four quarters of the share's whole tiles side by side, four weight streams far apart (as the
            // float kernels' 1-row pass), each activation pair broadcast once for the four. 125M model's products, 2
            // threads, interleaved in one process: two tiles at a time 2.15–2.99 ms against 2.82–3.44 one at a time
            // (four pairs of runs), four at a time 3.49 / 2.74 / 2.64 ms against two 3.53 / 2.91 / 2.78 (medians of 60).
            int quarter = (Math.Min(end, tiled) - start) / Int8Blocks.Group / 4 * Int8Blocks.Group;
            for (int g = start; g < start + quarter; g += Int8Blocks.Group)
            {
                TileQuad512(data + (g * rowBytes), quarter * rowBytes, input, y + g, quarter);
            }

            start += 4 * quarter;
        }

        int chunk = width == KernelWidth.Vector512 ? MaxRows512 : MaxRows256;
        float* partial = stackalloc float[Int8Blocks.Group * MaxRows512];
        for (int o = start; o < Math.Min(end, tiled);)
        {
            int g = o / Int8Blocks.Group * Int8Blocks.Group;
            int last = Math.Min(end, g + Int8Blocks.Group);
            bool whole = o == g && last == g + Int8Blocks.Group;
            byte* tile = data + (g * rowBytes);
            for (int r = 0; r < k; r += chunk)
            {
                int n = Math.Min(chunk, k - r);
                byte* x = input + ((long)r * PreparedRowBytes);
                if (whole)
                {
                    Tile(tile, x, n, y + ((long)r * yStride) + g, yStride);
                    continue;
                }

                // A share that starts or ends inside a tile (only callers that split outputs themselves): the tile into a
                // buffer, then the outputs asked for.
                Tile(tile, x, n, partial, Int8Blocks.Group);
                for (int i = 0; i < n; i++)
                {
                    for (int j = o; j < last; j++)
                    {
                        y[((long)(r + i) * yStride) + j] = partial[(i * Int8Blocks.Group) + j - g];
                    }
                }
            }

            o = last;
        }

        for (int o = Math.Max(start, tiled); o < end; o++)
        {
            for (int r = 0; r < k; r++)
            {
                y[((long)r * yStride) + o] = Plain(o, input + ((long)r * PreparedRowBytes));
            }
        }
    }

    /// <summary>The 16 outputs of a tile for n rows (n at most the width's chunk) into y[r·yStride + 0..15].</summary>
    private void Tile(byte* tile, byte* x, int n, float* y, int yStride)
    {
        if (width == KernelWidth.Vector512)
        {
            switch (n)
            {
                case 1: Tile512<Rows1>(tile, x, y, yStride); break;
                case 2: Tile512<Rows2>(tile, x, y, yStride); break;
                case 3: Tile512<Rows3>(tile, x, y, yStride); break;
                case 4: Tile512<Rows4>(tile, x, y, yStride); break;
                case 5: Tile512<Rows5>(tile, x, y, yStride); break;
                case 6: Tile512<Rows6>(tile, x, y, yStride); break;
                case 7: Tile512<Rows7>(tile, x, y, yStride); break;
                default: Tile512<Rows8>(tile, x, y, yStride); break;
            }

            return;
        }

        if (width == KernelWidth.Vector256)
        {
            for (int half = 0; half < 2; half++)
            {
                switch (n)
                {
                    case 1: Tile256<Rows1>(tile, half, x, y, yStride); break;
                    case 2: Tile256<Rows2>(tile, half, x, y, yStride); break;
                    case 3: Tile256<Rows3>(tile, half, x, y, yStride); break;
                    default: Tile256<Rows4>(tile, half, x, y, yStride); break;
                }
            }

            return;
        }

        for (int r = 0; r < n; r++)
        {
            for (int lane = 0; lane < Int8Blocks.Group; lane++)
            {
                y[((long)r * yStride) + lane] = TileLane(tile, lane, x + ((long)r * PreparedRowBytes));
            }
        }
    }

    /// <summary>
    /// One tile, <typeparamref name="TRows"/> rows, 512 bits: per block, per column pair, the pair's 32 weight bytes (16
    /// outputs × 2) widened to int16, multiplied in pairs by each row's two activations (broadcast) and added into the
    /// row's int32 sums; then each row's sums as float32 times d_w·d_x into its accumulator. Unused rows fold away.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Tile512<TRows>(byte* tile, byte* x, float* y, int yStride)
        where TRows : struct, IRowCount
    {
        int n = TRows.Count;
        long stride = PreparedRowBytes;
        short* x0 = (short*)x;
        short* x1 = (short*)(x + (n > 1 ? stride : 0));
        short* x2 = (short*)(x + (n > 2 ? 2 * stride : 0));
        short* x3 = (short*)(x + (n > 3 ? 3 * stride : 0));
        short* x4 = (short*)(x + (n > 4 ? 4 * stride : 0));
        short* x5 = (short*)(x + (n > 5 ? 5 * stride : 0));
        short* x6 = (short*)(x + (n > 6 ? 6 * stride : 0));
        short* x7 = (short*)(x + (n > 7 ? 7 * stride : 0));
        Vector512<float> f0 = default, f1 = default, f2 = default, f3 = default, f4 = default, f5 = default, f6 = default, f7 = default;
        for (int b = 0; b < blocks; b++)
        {
            byte* t = tile + ((long)b * Int8Blocks.TileBlockBytes);
            byte* q = t + Int8Blocks.TileScaleBytes;
            int c = b * Int8Blocks.Block;
            Vector512<int> i0 = default, i1 = default, i2 = default, i3 = default, i4 = default, i5 = default, i6 = default, i7 = default;
            short* a0 = x0 + c, a1 = x1 + c, a2 = x2 + c, a3 = x3 + c, a4 = x4 + c, a5 = x5 + c, a6 = x6 + c, a7 = x7 + c;

            for (int p = 0; p < Int8Blocks.Block; p += 2)
            {
                var w = Avx512BW.ConvertToVector512Int16(Vector256.Load((sbyte*)(q + (p * Int8Blocks.Group))));
                i0 += Pair512(w, a0 + p);
                if (n > 1)
                {
                    i1 += Pair512(w, a1 + p);
                }

                if (n > 2)
                {
                    i2 += Pair512(w, a2 + p);
                }

                if (n > 3)
                {
                    i3 += Pair512(w, a3 + p);
                }

                if (n > 4)
                {
                    i4 += Pair512(w, a4 + p);
                }

                if (n > 5)
                {
                    i5 += Pair512(w, a5 + p);
                }

                if (n > 6)
                {
                    i6 += Pair512(w, a6 + p);
                }

                if (n > 7)
                {
                    i7 += Pair512(w, a7 + p);
                }
            }

            var dw = Vector512.Load((float*)t);
            f0 = Scaled512(i0, dw, ((float*)(x0 + Columns))[b], f0);
            if (n > 1)
            {
                f1 = Scaled512(i1, dw, ((float*)(x1 + Columns))[b], f1);
            }

            if (n > 2)
            {
                f2 = Scaled512(i2, dw, ((float*)(x2 + Columns))[b], f2);
            }

            if (n > 3)
            {
                f3 = Scaled512(i3, dw, ((float*)(x3 + Columns))[b], f3);
            }

            if (n > 4)
            {
                f4 = Scaled512(i4, dw, ((float*)(x4 + Columns))[b], f4);
            }

            if (n > 5)
            {
                f5 = Scaled512(i5, dw, ((float*)(x5 + Columns))[b], f5);
            }

            if (n > 6)
            {
                f6 = Scaled512(i6, dw, ((float*)(x6 + Columns))[b], f6);
            }

            if (n > 7)
            {
                f7 = Scaled512(i7, dw, ((float*)(x7 + Columns))[b], f7);
            }
        }

        f0.Store(y);
        if (n > 1)
        {
            f1.Store(y + yStride);
        }

        if (n > 2)
        {
            f2.Store(y + (2L * yStride));
        }

        if (n > 3)
        {
            f3.Store(y + (3L * yStride));
        }

        if (n > 4)
        {
            f4.Store(y + (4L * yStride));
        }

        if (n > 5)
        {
            f5.Store(y + (5L * yStride));
        }

        if (n > 6)
        {
            f6.Store(y + (6L * yStride));
        }

        if (n > 7)
        {
            f7.Store(y + (7L * yStride));
        }
    }

    /// <summary>A column pair's products for 16 outputs: the pair's weights (16 outputs × 2) times the row's two activations, broadcast.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Pair512(Vector512<short> w, short* a) => Avx512BW.MultiplyAddAdjacent(w, Vector512.Create(*(int*)a).AsInt16());

    /// <summary>Four tiles <paramref name="gap"/> bytes apart × one row, 512 bits: <see cref="Tile512{TRows}"/>'s steps for each, the activations broadcast once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void TileQuad512(byte* tileA, long gap, byte* x, float* y, int yGap)
    {
        short* x0 = (short*)x;
        float* scales = (float*)(x0 + Columns);
        Vector512<float> fa = default, fb = default, fc = default, fd = default;
        for (int b = 0; b < blocks; b++)
        {
            byte* qa = tileA + ((long)b * Int8Blocks.TileBlockBytes);
            short* a0 = x0 + (b * Int8Blocks.Block);
            Vector512<int> ia = default, ib = default, ic = default, id = default;
            for (int p = 0; p < Int8Blocks.Block; p += 2)
            {
                var xp = Vector512.Create(*(int*)(a0 + p)).AsInt16();
                sbyte* w = (sbyte*)(qa + Int8Blocks.TileScaleBytes + (p * Int8Blocks.Group));
                ia += Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(Vector256.Load(w)), xp);
                ib += Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(Vector256.Load(w + gap)), xp);
                ic += Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(Vector256.Load(w + (2 * gap))), xp);
                id += Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(Vector256.Load(w + (3 * gap))), xp);
            }

            fa = Scaled512(ia, Vector512.Load((float*)qa), scales[b], fa);
            fb = Scaled512(ib, Vector512.Load((float*)(qa + gap)), scales[b], fb);
            fc = Scaled512(ic, Vector512.Load((float*)(qa + (2 * gap))), scales[b], fc);
            fd = Scaled512(id, Vector512.Load((float*)(qa + (3 * gap))), scales[b], fd);
        }

        fa.Store(y);
        fb.Store(y + yGap);
        fc.Store(y + (2 * yGap));
        fd.Store(y + (3 * yGap));
    }

    /// <summary>acc + float32(dot)·(d_w·d_x), lane by lane: the step every width takes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Scaled512(Vector512<int> dot, Vector512<float> dw, float dx, Vector512<float> acc) =>
        Vector512.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(dot), dw * Vector512.Create(dx), acc);

    /// <summary>Half a tile (outputs 8·half..8·half+7), <typeparamref name="TRows"/> rows (at most four), 256 bits: <see cref="Tile512{TRows}"/>'s steps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Tile256<TRows>(byte* tile, int half, byte* x, float* y, int yStride)
        where TRows : struct, IRowCount
    {
        int n = TRows.Count;
        long stride = PreparedRowBytes;
        short* x0 = (short*)x;
        short* x1 = (short*)(x + (n > 1 ? stride : 0));
        short* x2 = (short*)(x + (n > 2 ? 2 * stride : 0));
        short* x3 = (short*)(x + (n > 3 ? 3 * stride : 0));
        Vector256<float> f0 = default, f1 = default, f2 = default, f3 = default;
        int lanes = half * (Int8Blocks.Group / 2);
        for (int b = 0; b < blocks; b++)
        {
            byte* t = tile + ((long)b * Int8Blocks.TileBlockBytes);
            byte* q = t + Int8Blocks.TileScaleBytes + (lanes * 2);
            int c = b * Int8Blocks.Block;
            Vector256<int> i0 = default, i1 = default, i2 = default, i3 = default;
            for (int p = 0; p < Int8Blocks.Block; p += 2)
            {
                var w = Avx2.ConvertToVector256Int16((sbyte*)(q + (p * Int8Blocks.Group)));
                i0 += Avx2.MultiplyAddAdjacent(w, Vector256.Create(*(int*)(x0 + c + p)).AsInt16());
                if (n > 1)
                {
                    i1 += Avx2.MultiplyAddAdjacent(w, Vector256.Create(*(int*)(x1 + c + p)).AsInt16());
                }

                if (n > 2)
                {
                    i2 += Avx2.MultiplyAddAdjacent(w, Vector256.Create(*(int*)(x2 + c + p)).AsInt16());
                }

                if (n > 3)
                {
                    i3 += Avx2.MultiplyAddAdjacent(w, Vector256.Create(*(int*)(x3 + c + p)).AsInt16());
                }
            }

            var dw = Vector256.Load((float*)t + lanes);
            f0 = Scaled256(i0, dw, ((float*)(x0 + Columns))[b], f0);
            if (n > 1)
            {
                f1 = Scaled256(i1, dw, ((float*)(x1 + Columns))[b], f1);
            }

            if (n > 2)
            {
                f2 = Scaled256(i2, dw, ((float*)(x2 + Columns))[b], f2);
            }

            if (n > 3)
            {
                f3 = Scaled256(i3, dw, ((float*)(x3 + Columns))[b], f3);
            }
        }

        f0.Store(y + lanes);
        if (n > 1)
        {
            f1.Store(y + yStride + lanes);
        }

        if (n > 2)
        {
            f2.Store(y + (2L * yStride) + lanes);
        }

        if (n > 3)
        {
            f3.Store(y + (3L * yStride) + lanes);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Scaled256(Vector256<int> dot, Vector256<float> dw, float dx, Vector256<float> acc) =>
        Vector256.FusedMultiplyAdd(Avx.ConvertToVector256Single(dot), dw * Vector256.Create(dx), acc);

    /// <summary>One output of a tile for one row, scalar: the same steps as the vector widths.</summary>
    private float TileLane(byte* tile, int lane, byte* x)
    {
        short* q = (short*)x;
        float* s = (float*)(q + Columns);
        float sum = 0;
        for (int b = 0; b < blocks; b++)
        {
            byte* t = tile + ((long)b * Int8Blocks.TileBlockBytes);
            sbyte* w = (sbyte*)(t + Int8Blocks.TileScaleBytes) + (lane * 2);
            short* xb = q + (b * Int8Blocks.Block);
            int dot = 0;
            for (int p = 0; p < Int8Blocks.Block; p += 2)
            {
                dot += (w[p * Int8Blocks.Group] * xb[p]) + (w[(p * Int8Blocks.Group) + 1] * xb[p + 1]);
            }

            sum = MathF.FusedMultiplyAdd(dot, ((float*)t)[lane] * s[b], sum);
        }

        return sum;
    }

    /// <summary>An output past the last whole tile (a plain row), for one row: the same steps.</summary>
    private float Plain(int o, byte* x)
    {
        short* q = (short*)x;
        float* s = (float*)(q + Columns);
        byte* row = data + (o * rowBytes);
        float sum = 0;
        for (int b = 0; b < blocks; b++)
        {
            byte* p = row + ((long)b * Int8Blocks.BlockBytes);
            sbyte* w = (sbyte*)(p + 4);
            short* xb = q + (b * Int8Blocks.Block);
            int dot = 0;
            for (int j = 0; j < Int8Blocks.Block; j++)
            {
                dot += w[j] * xb[j];
            }

            sum = MathF.FusedMultiplyAdd(dot, *(float*)p * s[b], sum);
        }

        return sum;
    }
}
