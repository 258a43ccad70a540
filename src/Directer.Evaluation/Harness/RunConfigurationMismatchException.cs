namespace Directer.Evaluation.Harness;

/// <summary>An output folder holds results of a run configured differently, so they cannot be resumed.</summary>
public sealed class RunConfigurationMismatchException : Exception
{
    /// <summary>Creates the exception for <paramref name="directory"/> with the differences found.</summary>
    public RunConfigurationMismatchException(string directory, IReadOnlyList<string> differences)
        : base($"{directory} holds results of a different configuration, so this run cannot resume them:{Environment.NewLine}"
            + string.Join(Environment.NewLine, differences.Select(d => "  " + d)) + Environment.NewLine
            + "Rerun with the recorded settings to resume, pass --restart to discard those results and start over, or choose another --out.")
    {
        Directory = directory;
        Differences = differences;
    }

    /// <summary>The output folder.</summary>
    public string Directory { get; }

    /// <summary>One readable line per difference.</summary>
    public IReadOnlyList<string> Differences { get; }
}
