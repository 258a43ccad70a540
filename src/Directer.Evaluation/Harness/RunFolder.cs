using System.Text.Json;

namespace Directer.Evaluation.Harness;

/// <summary>
/// The output folder of a run: <c>run.json</c> (the <see cref="RunConfiguration"/>), <c>results.jsonl</c> (one line per
/// finished (method, row)), and the reports written at the end (<c>report.json</c>, <c>report.md</c>,
/// <c>accuracy-vs-throughput.svg</c>). Opening it resumes an earlier run of the same configuration.
/// </summary>
public sealed class RunFolder : IDisposable
{
    /// <summary>File name of the recorded configuration.</summary>
    public const string ConfigurationFile = "run.json";

    /// <summary>File name of the per-row results.</summary>
    public const string ResultsFile = "results.jsonl";

    /// <summary>File name of the JSON report.</summary>
    public const string ReportJsonFile = "report.json";

    /// <summary>File name of the markdown report.</summary>
    public const string ReportMarkdownFile = "report.md";

    /// <summary>File name of the accuracy-against-throughput plot.</summary>
    public const string PlotFile = "accuracy-vs-throughput.svg";

    private RunFolder(string directory, RunConfiguration configuration, ResultsLog results, bool resumed)
    {
        Directory = directory;
        Configuration = configuration;
        Results = results;
        Resumed = resumed;
    }

    /// <summary>The folder.</summary>
    public string Directory { get; }

    /// <summary>The configuration recorded in run.json (this run's, plus methods only earlier runs used).</summary>
    public RunConfiguration Configuration { get; }

    /// <summary>The results log.</summary>
    public ResultsLog Results { get; }

    /// <summary>True when run.json already existed (an earlier run is resumed).</summary>
    public bool Resumed { get; }

    /// <summary>Path of a file in the folder.</summary>
    public string PathOf(string file) => Path.Combine(Directory, file);

    /// <summary>Opens <paramref name="directory"/> for <paramref name="configuration"/>, resuming what it holds.</summary>
    /// <param name="directory">The output folder (created when missing).</param>
    /// <param name="configuration">This run's configuration.</param>
    /// <param name="restart">Discard earlier results and reports first.</param>
    /// <exception cref="RunConfigurationMismatchException">The folder holds results of another configuration.</exception>
    public static RunFolder Open(string directory, RunConfiguration configuration, bool restart)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(configuration);
        System.IO.Directory.CreateDirectory(directory);
        string configPath = Path.Combine(directory, ConfigurationFile);
        string resultsPath = Path.Combine(directory, ResultsFile);
        if (restart)
        {
            foreach (string file in new[] { ConfigurationFile, ResultsFile, ReportJsonFile, ReportMarkdownFile, PlotFile })
            {
                File.Delete(Path.Combine(directory, file));
            }
        }

        var effective = configuration;
        bool resumed = File.Exists(configPath);
        if (resumed)
        {
            RunConfiguration recorded;
            try
            {
                recorded = JsonSerializer.Deserialize<RunConfiguration>(File.ReadAllText(configPath), EvalJson.Indented)
                    ?? throw new JsonException("null");
            }
            catch (JsonException e)
            {
                throw new FormatException($"{configPath} is not a run configuration written by directer eval ({e.Message}). Start over with --restart.", e);
            }

            var differences = configuration.DifferencesFrom(recorded);
            if (differences.Count > 0)
            {
                throw new RunConfigurationMismatchException(directory, differences);
            }

            effective = configuration.MergedWith(recorded);
        }
        else if (File.Exists(resultsPath) && new FileInfo(resultsPath).Length > 0)
        {
            throw new RunConfigurationMismatchException(directory, [$"{ResultsFile} exists but {ConfigurationFile} does not, so its configuration is unknown"]);
        }

        // Write-then-rename: an interrupted write never leaves a half configuration behind.
        string temporary = configPath + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(effective, EvalJson.Indented));
        File.Move(temporary, configPath, overwrite: true);
        return new RunFolder(directory, effective, ResultsLog.Open(resultsPath), resumed);
    }

    /// <inheritdoc />
    public void Dispose() => Results.Dispose();
}
