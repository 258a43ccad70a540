using System.Globalization;
using Directer.Evaluation.Harness;

namespace Directer.Cli.Commands;

/// <summary>
/// The progress of <c>directer eval</c> on standard error: a bar redrawn in place on a terminal; when standard error is
/// redirected (a log file, CI), one line per 10 % or per 30 seconds, whichever comes first, so logs stay short.
/// </summary>
internal sealed class EvalProgressBar
{
    private const int BarWidth = 24;
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(30);

    private readonly TextWriter writer;
    private readonly bool interactive;
    private int lastDecile = -1;
    private TimeSpan lastLine = TimeSpan.MinValue;
    private int lastLength;

    public EvalProgressBar(TextWriter writer, bool interactive)
    {
        this.writer = writer;
        this.interactive = interactive;
    }

    public void Report(EvalProgress p)
    {
        string line = Format(p);
        if (interactive)
        {
            // Pad over the previous, possibly longer, line instead of relying on terminal escape codes.
            writer.Write("\r" + line.PadRight(lastLength));
            lastLength = line.Length;
            writer.Flush();
            return;
        }

        int decile = p.Total == 0 ? 10 : p.Done * 10 / p.Total;
        if (decile != lastDecile || p.Elapsed - lastLine >= LogInterval || p.Done == p.Total)
        {
            writer.WriteLine(line);
            lastDecile = decile;
            lastLine = p.Elapsed;
        }
    }

    /// <summary>Ends the in-place line.</summary>
    public void Finish()
    {
        if (interactive && lastLength > 0)
        {
            writer.WriteLine();
            lastLength = 0;
        }
    }

    public static string Format(EvalProgress p)
    {
        double share = p.Total == 0 ? 1 : p.Done / (double)p.Total;
        int filled = (int)Math.Round(share * BarWidth);
        string rate = p.Elapsed > TimeSpan.Zero ? (p.GeneratedTokens / p.Elapsed.TotalSeconds).ToString("F1", CultureInfo.InvariantCulture) : "–";
        string eta = p.Done == p.Total ? "done" : p.Remaining is { } r ? "ETA " + Duration(r) : "ETA –";
        string resumed = p.Resumed > 0 ? $" ({p.Resumed} resumed)" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture,
            $"[{new string('#', filled)}{new string('.', BarWidth - filled)}] {p.Done}/{p.Total}{resumed} {share * 100:F0}% | {rate} tok/s | {Duration(p.Elapsed)} | {eta} | {p.Method} {p.Key}");
    }

    public static string Duration(TimeSpan t) => t.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}h{t.Minutes:D2}m")
        : t.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalMinutes}m{t.Seconds:D2}s") : string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:F0}s");
}
