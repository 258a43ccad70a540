using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Directer.Bench;

/// <summary>
/// The compute roofline of the k-row passes: float32 fused multiply-adds per second on this machine, every thread
/// running twelve independent chains of the widest vector the kernels use (enough to cover the FMA latency), so that
/// a pass's GFLOPS read as a share of what the cores can do at all. A k-row pass over W weights does 2·k·W FLOPs in its
/// matrix products; the 1-row pass is bound by memory, the k-row passes by this.
/// </summary>
internal static class ComputePeak
{
    /// <summary>Median GFLOPS over <paramref name="repeats"/> runs of <paramref name="threads"/> threads (~0.3 s each).</summary>
    public static double Gflops(int threads, int repeats = 5)
    {
        const long Iterations = 20_000_000;
        int lanes = Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : 1;
        Chains(1000);
        var samples = new List<double>();
        for (int r = 0; r < repeats; r++)
        {
            var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() => Chains(Iterations))).ToList();
            var clock = Stopwatch.StartNew();
            workers.ForEach(t => t.Start());
            workers.ForEach(t => t.Join());
            samples.Add(threads * Iterations * 12.0 * lanes * 2 / clock.Elapsed.TotalSeconds / 1e9);
        }

        return samples.OrderBy(s => s).ElementAt(samples.Count / 2);
    }

    /// <summary>Twelve independent FMA chains of the widest accelerated vector; returns their sum so nothing is dropped.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Chains(long iterations)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            return Chains512(iterations);
        }

        if (Vector256.IsHardwareAccelerated)
        {
            return Chains256(iterations);
        }

        float a = 1, m = 0.999999f, c = 1e-7f;
        for (long i = 0; i < iterations * 12; i++)
        {
            a = MathF.FusedMultiplyAdd(a, m, c);
        }

        return a;
    }

    private static float Chains512(long iterations)
    {
        var m = Vector512.Create(0.999999f);
        var c = Vector512.Create(1e-7f);
        Vector512<float> a0 = Vector512<float>.One, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, c);
            a1 = Vector512.FusedMultiplyAdd(a1, m, c);
            a2 = Vector512.FusedMultiplyAdd(a2, m, c);
            a3 = Vector512.FusedMultiplyAdd(a3, m, c);
            a4 = Vector512.FusedMultiplyAdd(a4, m, c);
            a5 = Vector512.FusedMultiplyAdd(a5, m, c);
            a6 = Vector512.FusedMultiplyAdd(a6, m, c);
            a7 = Vector512.FusedMultiplyAdd(a7, m, c);
            a8 = Vector512.FusedMultiplyAdd(a8, m, c);
            a9 = Vector512.FusedMultiplyAdd(a9, m, c);
            a10 = Vector512.FusedMultiplyAdd(a10, m, c);
            a11 = Vector512.FusedMultiplyAdd(a11, m, c);
        }

        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    private static float Chains256(long iterations)
    {
        var m = Vector256.Create(0.999999f);
        var c = Vector256.Create(1e-7f);
        Vector256<float> a0 = Vector256<float>.One, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, c);
            a1 = Vector256.FusedMultiplyAdd(a1, m, c);
            a2 = Vector256.FusedMultiplyAdd(a2, m, c);
            a3 = Vector256.FusedMultiplyAdd(a3, m, c);
            a4 = Vector256.FusedMultiplyAdd(a4, m, c);
            a5 = Vector256.FusedMultiplyAdd(a5, m, c);
            a6 = Vector256.FusedMultiplyAdd(a6, m, c);
            a7 = Vector256.FusedMultiplyAdd(a7, m, c);
            a8 = Vector256.FusedMultiplyAdd(a8, m, c);
            a9 = Vector256.FusedMultiplyAdd(a9, m, c);
            a10 = Vector256.FusedMultiplyAdd(a10, m, c);
            a11 = Vector256.FusedMultiplyAdd(a11, m, c);
        }

        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}
