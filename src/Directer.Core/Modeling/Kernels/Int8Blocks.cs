using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Directer.Core.Modeling.Kernels;

/// <summary>
/// Per-block scaled int8 (like llama.cpp's Q8_0, with a float32 scale). Weights: each row is blocks of a 4-byte
/// scale d followed by 32 signed bytes q, weight = q·d. Activations (prepared once per product): a row is its
/// columns as int16 values q in [-<see cref="ActivationMax"/>, <see cref="ActivationMax"/>] (32 per block), then one
/// float32 scale per block, value = q·d. Q8_0 keeps activations in int8 too; the kernels widen the weights to int16
/// anyway, so 16-bit activations cost nothing more and take the activations' rounding error 256× below Q8_0's,
/// leaving the weights' rounding as the error of the option.
/// </summary>
internal static unsafe class Int8Blocks
{
    public const int Block = 32;
    public const int BlockBytes = 4 + Block;

    /// <summary>
    /// Largest activation magnitude after quantisation: a pair sum of the int16 products is at most 2·127·32767 &lt; 2²⁴,
    /// so each lane of a block's integer dot product converts to float32 exactly.
    /// </summary>
    public const int ActivationMax = 32767;

    public static long RowBytes(int columns) => columns / Block * (long)BlockBytes;

    /// <summary>Bytes of one prepared activation row (int16 values, then the block scales), a multiple of 64.</summary>
    public static int ActivationRowBytes(int columns) => ((columns * sizeof(short)) + (columns / Block * sizeof(float)) + 63) & ~63;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Scalar(byte* row, int i)
    {
        byte* p = row + ((i / Block) * BlockBytes);
        return ((sbyte*)(p + 4))[i % Block] * *(float*)p;
    }

    /// <summary>Quantises float32 rows [rows, columns] (columns a multiple of 32) into the weight layout.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Quantize(float* source, int rows, int columns, byte* target)
    {
        long rowBytes = RowBytes(columns);
        for (int r = 0; r < rows; r++)
        {
            float* src = source + ((long)r * columns);
            byte* dst = target + (r * rowBytes);
            for (int b = 0; b < columns / Block; b++)
            {
                float* x = src + (b * Block);
                byte* p = dst + (b * BlockBytes);
                float amax = 0;
                for (int j = 0; j < Block; j++)
                {
                    amax = MathF.Max(amax, MathF.Abs(x[j]));
                }

                float d = amax / 127f;
                float id = d != 0 ? 1f / d : 0f;
                *(float*)p = d;
                for (int j = 0; j < Block; j++)
                {
                    ((sbyte*)(p + 4))[j] = (sbyte)Math.Clamp(MathF.Round(x[j] * id, MidpointRounding.AwayFromZero), -127, 127);
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
