using System.Diagnostics;

namespace Directer.Core.Modeling;

/// <summary>
/// Recent wall time of this model's one-token passes on the CPU decode kernels, per number of batch rows: what DIRECTER's
/// <see cref="Steering.SteeringStrategy.Auto"/> compares to decide whether a step's candidates should run with its raw
/// row. How much an extra row costs differs by CPU and model (memory-bound weights make extra rows cheap; weights that
/// stay in cache make every row cost compute), so it is measured rather than assumed. The fastest of the last
/// <see cref="Window"/> passes of each row count: anything else the machine does only adds to a pass's time (a pass whose
/// kernel worker lost its core for a time slice takes many times its usual time: 0.2 ms passes of the demo model measured
/// at up to 15 ms beside a busy process), and it comes in stretches: an exponential average, then a median of nine, both
/// followed a busy stretch of the one-row passes (a median of 3.6 ms against 0.3 ms) and batched every step after it.
/// What is compared is the work a pass does, which the fastest recent pass measures. Thread-safe; only the speed of a
/// choice depends on it, never a token.
/// </summary>
internal sealed class DecodePassCosts
{
    /// <summary>Passes per row count the fastest is taken from.</summary>
    public const int Window = 16;

    /// <summary>
    /// Passes of a row count measured before its cost is given: the first passes of a row count run freshly compiled or
    /// tiered-up code (2–3 ms for a 0.2 ms pass of the demo model before the kernels were compiled fully optimized at
    /// once), and one or two such passes decided for batching on the demo model, where a 3-row pass costs 3–4 one-row passes.
    /// </summary>
    public const int MinimumPasses = 5;

    /// <summary>Row counts above this are not tracked (DIRECTER's passes have at most 1 + its trials rows).</summary>
    public const int MaxRows = 32;

    private readonly double[][] recent = new double[MaxRows + 1][];
    private readonly int[] counts = new int[MaxRows + 1];
    private readonly object gate = new();

    /// <summary>Counts one pass of <paramref name="rows"/> rows that took <paramref name="elapsedTicks"/> <see cref="Stopwatch"/> ticks.</summary>
    public void Record(int rows, long elapsedTicks)
    {
        if (rows < 1 || rows > MaxRows)
        {
            return;
        }

        double seconds = (double)elapsedTicks / Stopwatch.Frequency;
        lock (gate)
        {
            var ring = recent[rows] ??= new double[Window];
            ring[counts[rows] % Window] = seconds;
            counts[rows]++;
        }
    }

    /// <summary>The seconds of the fastest of the last (up to <see cref="Window"/>) passes of <paramref name="rows"/> rows, or null before <see cref="MinimumPasses"/> were measured.</summary>
    public double? Of(int rows)
    {
        if (rows < 1 || rows > MaxRows)
        {
            return null;
        }

        lock (gate)
        {
            if (counts[rows] < MinimumPasses)
            {
                return null;
            }

            int n = Math.Min(counts[rows], Window);
            double fastest = double.MaxValue;
            foreach (double seconds in recent[rows].AsSpan(0, n))
            {
                fastest = Math.Min(fastest, seconds);
            }

            return fastest;
        }
    }
}
