using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Directer.Core.Modeling.Kernels;

/// <summary>
/// Per-block scaled int8 (like llama.cpp's Q8_0, with a float32 scale): each output row is blocks of 32 columns, a
/// float32 scale d and 32 signed bytes q, weight = q·d. Stored in tiles of <see cref="Group"/> outputs: for each block,
/// the 16 outputs' scales (64 bytes), then the block's 16 column pairs, each as the 16 outputs' two bytes (32 bytes), so
/// one 512-bit multiply-add of pairs gives a column pair's products for 16 outputs at once, with no sum across lanes.
/// Outputs past the last whole tile (rows % 16) follow as plain rows (d, then the 32 q of each block). The same bytes
/// in all: 36 per output per block. Activations (prepared once per product): a row is its columns as int16 values q in
/// [-<see cref="ActivationMax"/>, <see cref="ActivationMax"/>] (32 per block), then one float32 scale per block, value
/// = q·d. Q8_0 keeps activations in int8 too; the kernels widen the weights to int16 anyway, so 16-bit activations
/// cost nothing more and take the activations' rounding error 256× below Q8_0's, leaving the weights' rounding as the
/// error of the option.
/// </summary>
internal static unsafe class Int8Blocks
{
    public const int Block = 32;
    public const int BlockBytes = 4 + Block;

    /// <summary>Outputs per tile.</summary>
    public const int Group = 16;

    /// <summary>Bytes of one block of a tile: 16 scales, then 16 column pairs × 16 outputs × 2 bytes.</summary>
    public const int TileBlockBytes = Group * BlockBytes;

    /// <summary>Where a tile block's weights start (after its 16 scales).</summary>
    public const int TileScaleBytes = Group * sizeof(float);

    /// <summary>
    /// Largest activation magnitude after quantisation: a block's integer dot product is at most 32·127·32767 &lt; 2³¹,
    /// so it is exact in int32 (one rounding when converted to float32).
    /// </summary>
    public const int ActivationMax = 32767;

    public static long RowBytes(int columns) => columns / Block * (long)BlockBytes;

    /// <summary>Outputs stored in whole tiles; the rest are plain rows.</summary>
    public static int TiledRows(int rows) => rows & ~(Group - 1);

    /// <summary>Bytes of one prepared activation row (int16 values, then the block scales), a multiple of 64.</summary>
    public static int ActivationRowBytes(int columns) => ((columns * sizeof(short)) + (columns / Block * sizeof(float)) + 63) & ~63;

    /// <summary>The scale of block <paramref name="b"/> of output <paramref name="o"/> in a matrix of <paramref name="rows"/> outputs.</summary>
    public static float* ScaleAddress(byte* matrix, int rows, int columns, int o, int b)
    {
        long rowBytes = RowBytes(columns);
        if (o >= TiledRows(rows))
        {
            return (float*)(matrix + (o * rowBytes) + ((long)b * BlockBytes));
        }

        return (float*)(matrix + (o / Group * Group * rowBytes) + ((long)b * TileBlockBytes) + (o % Group * sizeof(float)));
    }

    /// <summary>The quantised weight q of output <paramref name="o"/>, column <paramref name="i"/>.</summary>
    public static sbyte* QuantAddress(byte* matrix, int rows, int columns, int o, int i)
    {
        long rowBytes = RowBytes(columns);
        int b = i / Block, j = i % Block;
        if (o >= TiledRows(rows))
        {
            return (sbyte*)(matrix + (o * rowBytes) + ((long)b * BlockBytes) + 4 + j);
        }

        return (sbyte*)(matrix + (o / Group * Group * rowBytes) + ((long)b * TileBlockBytes) + TileScaleBytes + (j / 2 * Group * 2) + (o % Group * 2) + (j % 2));
    }

    /// <summary>
    /// Bytes from one column pair's q to the next in output <paramref name="o"/>'s blocks: a tile's pairs are 16 outputs ×
    /// 2 bytes apart, a plain row's are adjacent. Column j of a block is at <see cref="QuantAddress"/>'s column 0 + (j / 2) ·
    /// stride + j % 2.
    /// </summary>
    public static int PairStride(int rows, int o) => o < TiledRows(rows) ? Group * 2 : 2;

    /// <summary>The weight of output <paramref name="o"/>, column <paramref name="i"/>: q·d.</summary>
    public static float Weight(byte* matrix, int rows, int columns, int o, int i) =>
        *QuantAddress(matrix, rows, columns, o, i) * *ScaleAddress(matrix, rows, columns, o, i / Block);

    /// <summary>
    /// Quantises float32 rows (columns a multiple of 32) as outputs <paramref name="firstRow"/>.. of a matrix of
    /// <paramref name="rows"/> outputs in the layout above: each output on its own (d = amax/127, q rounded half away
    /// from zero), so a matrix quantised a few rows at a time is the same as quantised whole.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Quantize(float* source, int count, int firstRow, int rows, int columns, byte* matrix)
    {
        for (int r = 0; r < count; r++)
        {
            int o = firstRow + r;
            float* src = source + ((long)r * columns);
            int pairStride = PairStride(rows, o);
            for (int b = 0; b < columns / Block; b++)
            {
                float* x = src + (b * Block);
                float amax = 0;
                for (int j = 0; j < Block; j++)
                {
                    amax = MathF.Max(amax, MathF.Abs(x[j]));
                }

                float d = amax / 127f;
                float id = d != 0 ? 1f / d : 0f;
                *ScaleAddress(matrix, rows, columns, o, b) = d;
                sbyte* q = QuantAddress(matrix, rows, columns, o, b * Block);
                for (int j = 0; j < Block; j++)
                {
                    q[(j / 2 * pairStride) + (j % 2)] = (sbyte)Math.Clamp(MathF.Round(x[j] * id, MidpointRounding.AwayFromZero), -127, 127);
                }
            }
        }
    }

    /// <summary>
    /// Quantises k float32 activation rows per block of 32 (scale amax/<see cref="ActivationMax"/>, round half to even) into the prepared
    /// layout. Each row on its own, so a row's values do not depend on the batch. Non-finite values give non-finite
    /// scales, so they still reach the logits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void QuantizeActivations(float* x, int k, int columns, byte* prepared)
    {
        int rowBytes = ActivationRowBytes(columns);
        int blocks = columns / Block;
        for (int r = 0; r < k; r++)
        {
            float* src = x + ((long)r * columns);
            short* q = (short*)(prepared + ((long)r * rowBytes));
            float* scales = (float*)(q + columns);
            for (int b = 0; b < blocks; b++)
            {
                float* v = src + (b * Block);
                short* qb = q + (b * Block);
                if (Vector512.IsHardwareAccelerated)
                {
                    var lo = Vector512.Load(v);
                    var hi = Vector512.Load(v + 16);
                    float amax = Vector512.Max(Vector512.Abs(lo), Vector512.Abs(hi)).ToScalarMax();
                    float d = amax / ActivationMax;
                    var id = Vector512.Create(d != 0 ? 1f / d : 0f);
                    scales[b] = d == 0 || float.IsFinite(d) ? d : float.NaN;
                    var qlo = Vector512.ConvertToInt32(Vector512.Round(lo * id));
                    var qhi = Vector512.ConvertToInt32(Vector512.Round(hi * id));
                    Vector512.Narrow(qlo, qhi).Store(qb);
                    continue;
                }

                if (Vector256.IsHardwareAccelerated)
                {
                    // The 512-bit step on four 256-bit quarters: the same values.
                    var v0 = Vector256.Load(v);
                    var v1 = Vector256.Load(v + 8);
                    var v2 = Vector256.Load(v + 16);
                    var v3 = Vector256.Load(v + 24);
                    var m4 = Vector256.Max(Vector256.Max(Vector256.Abs(v0), Vector256.Abs(v1)), Vector256.Max(Vector256.Abs(v2), Vector256.Abs(v3)));
                    var m2 = Vector128.Max(m4.GetLower(), m4.GetUpper());
                    float amax = MathF.Max(MathF.Max(m2[0], m2[1]), MathF.Max(m2[2], m2[3]));
                    float d = amax / ActivationMax;
                    var id = Vector256.Create(d != 0 ? 1f / d : 0f);
                    scales[b] = d == 0 || float.IsFinite(d) ? d : float.NaN;
                    Vector256.Narrow(Vector256.ConvertToInt32(Vector256.Round(v0 * id)), Vector256.ConvertToInt32(Vector256.Round(v1 * id))).Store(qb);
                    Vector256.Narrow(Vector256.ConvertToInt32(Vector256.Round(v2 * id)), Vector256.ConvertToInt32(Vector256.Round(v3 * id))).Store(qb + 16);
                    continue;
                }

                float m = 0;
                for (int j = 0; j < Block; j++)
                {
                    m = MathF.Max(m, MathF.Abs(v[j]));
                }

                float ds = m / ActivationMax;
                float ids = ds != 0 ? 1f / ds : 0f;
                scales[b] = ds;
                for (int j = 0; j < Block; j++)
                {
                    qb[j] = (short)Math.Clamp(MathF.Round(v[j] * ids), -ActivationMax, ActivationMax);
                }
            }
        }
    }

    private static float ToScalarMax(this Vector512<float> v)
    {
        var m = Vector256.Max(v.GetLower(), v.GetUpper());
        var n = Vector128.Max(m.GetLower(), m.GetUpper());
        return MathF.Max(MathF.Max(n[0], n[1]), MathF.Max(n[2], n[3]));
    }
}
