using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Directer.Core.Modeling.Kernels;

/// <summary>
/// How one weight encoding is read by the generic kernels in <see cref="MatrixKernels"/>: a step
/// covers 2·lanes columns as two float vectors. The kernels are generic over a struct implementing
/// this, so the JIT specialises and inlines each encoding.
/// </summary>
internal unsafe interface IWeightLoad
{
    /// <summary>Bytes of one row of <paramref name="columns"/> values.</summary>
    static abstract long RowBytes(int columns);

    /// <summary>Weight (row, column i) as float32, for the columns after the last full vector step.</summary>
    static abstract float Scalar(byte* row, int i);

    static abstract void Load512(byte* row, int i, out Vector512<float> lo, out Vector512<float> hi);

    static abstract void Load256(byte* row, int i, out Vector256<float> lo, out Vector256<float> hi);
}

/// <summary>float32 weights.</summary>
internal readonly unsafe struct F32Load : IWeightLoad
{
    public static long RowBytes(int columns) => columns * 4L;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Scalar(byte* row, int i) => ((float*)row)[i];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load512(byte* row, int i, out Vector512<float> lo, out Vector512<float> hi)
    {
        float* p = (float*)row + i;
        lo = Vector512.Load(p);
        hi = Vector512.Load(p + 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load256(byte* row, int i, out Vector256<float> lo, out Vector256<float> hi)
    {
        float* p = (float*)row + i;
        lo = Vector256.Load(p);
        hi = Vector256.Load(p + 8);
    }
}

/// <summary>bfloat16 weights, widened exactly to float32 by a 16-bit shift.</summary>
internal readonly unsafe struct BF16Load : IWeightLoad
{
    public static long RowBytes(int columns) => columns * 2L;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Scalar(byte* row, int i) => BitConverter.UInt32BitsToSingle((uint)((ushort*)row)[i] << 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load512(byte* row, int i, out Vector512<float> lo, out Vector512<float> hi)
    {
        var raw = Vector512.Load((ushort*)row + i);
        lo = (Vector512.WidenLower(raw) << 16).AsSingle();
        hi = (Vector512.WidenUpper(raw) << 16).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load256(byte* row, int i, out Vector256<float> lo, out Vector256<float> hi)
    {
        var raw = Vector256.Load((ushort*)row + i);
        lo = (Vector256.WidenLower(raw) << 16).AsSingle();
        hi = (Vector256.WidenUpper(raw) << 16).AsSingle();
    }
}

/// <summary>
/// Per-block scaled int8 weights (like llama.cpp's Q8_0, with a float32 scale): each row is blocks of
/// a 4-byte scale d followed by 32 signed bytes q, weight = q·d.
/// </summary>
internal readonly unsafe struct Int8Load : IWeightLoad
{
    public const int Block = 32;
    public const int BlockBytes = 4 + Block;

    public static long RowBytes(int columns) => columns / Block * (long)BlockBytes;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Scalar(byte* row, int i)
    {
        byte* p = row + ((i / Block) * BlockBytes);
        return ((sbyte*)(p + 4))[i % Block] * *(float*)p;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load512(byte* row, int i, out Vector512<float> lo, out Vector512<float> hi)
    {
        byte* p = row + ((i / Block) * BlockBytes);
        var d = Vector512.Create(*(float*)p);
        if (Avx512F.IsSupported)
        {
            lo = Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.Load((sbyte*)(p + 4)))) * d;
            hi = Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.Load((sbyte*)(p + 20)))) * d;
        }
        else
        {
            lo = Vector512.Create(Widen256((sbyte*)(p + 4)), Widen256((sbyte*)(p + 12))) * d;
            hi = Vector512.Create(Widen256((sbyte*)(p + 20)), Widen256((sbyte*)(p + 28))) * d;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load256(byte* row, int i, out Vector256<float> lo, out Vector256<float> hi)
    {
        byte* p = row + ((i / Block) * BlockBytes);
        sbyte* q = (sbyte*)(p + 4 + (i % Block));
        var d = Vector256.Create(*(float*)p);
        lo = Widen256(q) * d;
        hi = Widen256(q + 8) * d;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Widen256(sbyte* q)
    {
        if (Avx2.IsSupported)
        {
            return Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(q));
        }

        return Vector256.Create((float)q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7]);
    }

    /// <summary>Quantises float32 rows [rows, columns] (columns a multiple of 32) into this layout.</summary>
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
}
