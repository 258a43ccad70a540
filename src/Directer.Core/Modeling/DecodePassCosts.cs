using System.Diagnostics;

namespace Directer.Core.Modeling;

/// <summary>
/// Recent wall time of this model's one-token passes on the CPU, per number of batch rows: what DIRECTER's
/// <see cref="Steering.SteeringStrategy.Auto"/> compares to decide whether a step's candidates should run with its raw
/// row. How much an extra row costs differs by CPU and model (memory-bound weights make extra rows nearly free;
/// weights that stay in cache make every row cost compute), so it is measured rather than assumed. An exponential
/// average per row count (weight <see cref="Weight"/>), thread-safe; only the speed of a choice depends on it, never a token.
/// </summary>
internal sealed class DecodePassCosts
{
    /// <summary>Weight of the latest pass in its row count's average.</summary>
    public const double Weight = 0.25;

    /// <summary>Row counts above this are not tracked (DIRECTER's passes have at most 1 + its trials rows).</summary>
    public const int MaxRows = 32;

    private readonly double[] seconds = new double[MaxRows + 1];
    private readonly object gate = new();

    /// <summary>Counts one pass of <paramref name="rows"/> rows that took <paramref name="elapsedTicks"/> <see cref="Stopwatch"/> ticks.</summary>
    public void Record(int rows, long elapsedTicks)
    {
        if (rows < 1 || rows > MaxRows)
        {
            return;
        }

        double s = (double)elapsedTicks / Stopwatch.Frequency;
        lock (gate)
        {
            seconds[rows] = seconds[rows] == 0 ? s : seconds[rows] + (Weight * (s - seconds[rows]));
        }
    }

    /// <summary>The average seconds of a pass of <paramref name="rows"/> rows, or null before one was measured.</summary>
    public double? Of(int rows)
    {
        if (rows < 1 || rows > MaxRows)
        {
            return null;
        }

        lock (gate)
        {
            return seconds[rows] > 0 ? seconds[rows] : null;
        }
    }
}
