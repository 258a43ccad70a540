using System.Diagnostics;

namespace Directer.Bench;

/// <summary>Timing and memory helpers.</summary>
internal static class Measure
{
    public static double MedianSeconds(int repeats, Action action)
    {
        var times = new List<double>();
        for (int i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times.Add(clock.Elapsed.TotalSeconds);
        }

        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>Resets the kernel's peak-RSS counter (VmHWM) of this process (Linux).</summary>
    public static void ResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Peak resident set size since the last reset, in MiB (Linux; 0 elsewhere).</summary>
    public static double PeakRssMiB() => ReadStatus("VmHWM:");

    /// <summary>Current resident set size in MiB.</summary>
    public static double RssMiB() => ReadStatus("VmRSS:");

    private static double ReadStatus(string key)
    {
        try
        {
            string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
            return line is null ? 0 : double.Parse(line[key.Length..].Trim().Split(' ')[0]) / 1024.0;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
