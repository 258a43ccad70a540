namespace Directer.Evaluation.HeldOut;

/// <summary>
/// Whether a reply ends by repeating itself: its tail is periodic, one unit of 1–64 characters repeated back to back
/// at least three times and over at least <see cref="MinimumSpan"/> characters ("gad gad gad gad gad g", "!!!!…").
/// Applied to replies cut at the token limit, it tells a model that loops from one that was merely long.
/// </summary>
public static class ReplyLoop
{
    /// <summary>Longest repeating unit looked for, in characters.</summary>
    public const int MaximumPeriod = 64;

    /// <summary>Fewest characters the periodic tail must cover.</summary>
    public const int MinimumSpan = 24;

    /// <summary>True when <paramref name="text"/> ends in a loop (see the type's remarks).</summary>
    public static bool EndsInLoop(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        for (int period = 1; period <= MaximumPeriod; period++)
        {
            int span = Math.Max(3 * period, MinimumSpan);
            if (span > text.Length)
            {
                break;
            }

            if (IsPeriodic(text.AsSpan(text.Length - span), period))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsPeriodic(ReadOnlySpan<char> tail, int period) =>
        tail[period..].SequenceEqual(tail[..^period]);
}
