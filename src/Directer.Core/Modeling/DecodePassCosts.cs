using System.Diagnostics;

namespace Directer.Core.Modeling;

/// <summary>
/// Recent wall time of this model's one-token passes on the CPU decode kernels, per number of batch rows: what DIRECTER's
/// <see cref="Steering.SteeringStrategy.Auto"/> compares to decide whether a step's candidates should run with its raw
/// row. How much an extra row costs differs by CPU and model (memory-bound weights make extra rows cheap; weights that
/// stay in cache make every row cost compute), so it is measured rather than assumed. The median of the last
/// <see cref="Window"/> passes of each row count: a pass whose kernel worker lost its core for a time slice takes many
/// times its usual time (0.2 ms passes of the demo model measured at up to 15 ms beside a busy process), which moved an
/// exponential average far off. Thread-safe; only the speed of a choice depends on it, never a token.
/// </summary>
internal sealed class DecodePassCosts
{
    /// <summary>Passes per row count the median is taken over.</summary>
    public const int Window = 9;

    /// <summary>
    /// Passes of a row count measured before its cost is given: the first passes of a row count run freshly compiled or
    /// tiered-up code (2–3 ms for a 0.2 ms pass of the demo model), and a median of one or two of them decided for
    /// batching on the demo model, where a 3-row pass costs 3–4 one-row passes.
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

    /// <summary>The median seconds of the last (up to <see cref="Window"/>) passes of <paramref name="rows"/> rows, or null before <see cref="MinimumPasses"/> were measured.</summary>
    public double? Of(int rows)
    {
        if (rows < 1 || rows > MaxRows)
        {
            return null;
        }

        Span<double> sorted = stackalloc double[Window];
        int n;
        lock (gate)
        {
            if (counts[rows] < MinimumPasses)
            {
                return null;
            }

            n = Math.Min(counts[rows], Window);

            recent[rows].AsSpan(0, n).CopyTo(sorted);
        }

        sorted = sorted[..n];
        sorted.Sort();
        return n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
    }
}
