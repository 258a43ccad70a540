using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Directer.Core.Modeling.Kernels;

/// <summary>
/// How one weight encoding is read by the generic kernels in <see cref="MatrixKernels"/>: a step
/// covers 2·lanes columns as two float vectors. The kernels are generic over a struct implementing
/// this, so the JIT specialises and inlines each encoding.
/// </summary>
internal unsafe interface IWeightLoad
{
    /// <summary>
    /// Whether a step's two vectors are the step's even and odd columns rather than its low and high halves: the
    /// activations are then prepared in that order (<see cref="WeightMatrix{TLoad}.Prepare"/>) and the scalar tail
    /// reads them in place.
    /// </summary>
    static abstract bool EvenOdd { get; }

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
    public static bool EvenOdd => false;

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

/// <summary>
/// bfloat16 weights, widened exactly to float32: each 32-bit lane holds an even column's bf16 (low half) and the
/// next odd column's (high half), so a shift gives the even column's float32 and a mask the odd one's, two cheap
/// in-lane operations per 2·lanes weights (the activations are prepared in even/odd order to match).
/// </summary>
internal readonly unsafe struct BF16Load : IWeightLoad
{
    public static bool EvenOdd => true;

    public static long RowBytes(int columns) => columns * 2L;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Scalar(byte* row, int i) => BitConverter.UInt32BitsToSingle((uint)((ushort*)row)[i] << 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load512(byte* row, int i, out Vector512<float> lo, out Vector512<float> hi)
    {
        var raw = Vector512.Load((uint*)((ushort*)row + i));
        lo = (raw << 16).AsSingle();
        hi = (raw & Vector512.Create(0xFFFF0000u)).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load256(byte* row, int i, out Vector256<float> lo, out Vector256<float> hi)
    {
        var raw = Vector256.Load((uint*)((ushort*)row + i));
        lo = (raw << 16).AsSingle();
        hi = (raw & Vector256.Create(0xFFFF0000u)).AsSingle();
    }
}
