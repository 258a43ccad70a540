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
