using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Directer.Core.Chat;
using Directer.Core.Requests;
using Directer.Core.Steering;
using Directer.Evaluation.Demo;
using Directer.Evaluation.Harness;
using Directer.Evaluation.IfEval;

namespace Directer.Cli.Commands;

/// <summary>
/// <c>directer eval</c>: IFEval-compatible instruction-following evaluation of steering methods on one checkpoint,
/// with a markdown table, report.json, an accuracy-against-throughput plot, progress on stderr and resume.
/// </summary>
internal static class EvalCommand
{
    /// <summary>Exit code of an interrupted run (128 + SIGINT, as shells report Ctrl+C).</summary>
    public const int InterruptedExitCode = 130;

    /// <summary>Most new tokens on the demo model: its answers are short and it was trained on 512-token conversations.</summary>
    private const int DemoMaxNewTokens = 96;

    /// <summary>Most new tokens elsewhere: room for IFEval's longer answers (essays with word minimums are cut, as in most IFEval harnesses' short settings).</summary>
    private const int DefaultMaxNewTokens = 256;

    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = $"Checkpoint folder (default: the built-in demo model, {DemoModel.RelativeFolder}, found above the current or program folder)." };
        var data = new Option<string?>("--data") { Description = $"IFEval-format JSONL (key, prompt, instruction_id_list, kwargs; optional system, emphasis). Default: {DemoModel.IfEvalHeldOutFile} in the model folder." };
        var methods = new Option<string>("--methods") { Description = "Comma-separated: none, directer, static, pasta, spotlight, instaboost; baselines also as NAME+gate.", DefaultValueFactory = _ => "none,directer" };
        var output = new Option<string?>("--out") { Description = "Output folder (default: artifacts/eval/<model>-<data>; rerunning the same command resumes there)." };
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N rows." };
        var maxNew = new Option<int?>("--max-new-tokens") { Description = $"Most tokens generated per row (default {DefaultMaxNewTokens}; {DemoMaxNewTokens} on the demo model)." };
        var temperature = new Option<float>("--temperature") { Description = "0 = greedy (default); above 0 samples.", DefaultValueFactory = _ => 0f };
        var seed = new Option<long?>("--seed") { Description = "Sampling seed; each row samples with a seed derived from it and the row's key." };
        var restart = new Option<bool>("--restart") { Description = "Discard the results already in --out and start over." };
        var json = new Option<bool>("--json") { Description = "Print report.json's content on stdout instead of the markdown table." };
        var modelOptions = new ModelCliOptions();
        var steeringOptions = RequestCliOptions.SteeringParameters();

        var command = new Command("eval", "Compare steering methods on IFEval-format data: accuracy (strict/loose, per instruction), throughput and steering statistics.")
        {
            model, data, methods, output, limit, maxNew, temperature, seed, restart, json,
        };
        foreach (var option in modelOptions.All.Concat(steeringOptions.All))
        {
            command.Options.Add(option);
        }

        command.Subcommands.Add(EvalConvertDemoCommand.Create());
        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                string? demo = DemoModel.Find();
                string modelPath = Path.GetFullPath(result.GetValue(model) ?? demo ?? DemoModel.Require());
                bool isDemo = demo is not null && SamePath(modelPath, demo);
                string dataPath = Path.GetFullPath(result.GetValue(data) ?? DefaultData(modelPath));
                var rows = IfEvalDataset.Read(dataPath);
                if (result.GetValue(limit) is { } n)
                {
                    rows = n >= 1 ? rows.Take(n).ToList() : throw new ArgumentException($"--limit must be at least 1, got {n}.");
                }

                if (rows.Count == 0)
                {
                    throw new FormatException($"{dataPath} has no rows.");
                }

                var evalMethods = EvalMethod.ParseList(result.GetValue(methods)!, steeringOptions.Read(result).Steering);
                var runtime = modelOptions.Build(result);
                var settings = new EvalSettings
                {
                    MaxNewTokens = result.GetValue(maxNew) ?? (isDemo ? DemoMaxNewTokens : DefaultMaxNewTokens),
                    Temperature = result.GetValue(temperature),
                    Seed = result.GetValue(seed),
                };

                // The ranges are the settings table's, checked before anything loads.
                RequestSettings.ThrowIfOutOfRange(RequestSettings.MaxTokens, settings.MaxNewTokens, "--max-new-tokens");
                RequestSettings.ThrowIfOutOfRange(RequestSettings.Temperature, settings.Temperature, "--temperature");

                Console.Error.WriteLine($"loading {modelPath}");
                using var chat = ChatModel.Load(modelPath, new ChatModelOptions { Model = runtime, ChatTemplate = result.GetValue(modelOptions.ChatTemplate) });
                var runner = new EvalRunner(chat, settings);
                runner.Validate(rows, evalMethods);
                var configuration = new RunConfiguration
                {
                    Model = modelPath,
                    ModelFingerprint = CheckpointFingerprint.Of(modelPath),
                    Data = dataPath,
                    DataSha256 = CheckpointFingerprint.FileSha256(dataPath),
                    ChatTemplate = chat.Template.Name,
                    DType = runtime.DType.ToString(),
                    Device = runtime.Device,
                    MaxNewTokens = settings.MaxNewTokens,
                    Temperature = settings.Temperature,
                    Seed = settings.Seed,
                    Methods = evalMethods.ToDictionary(m => m.Name, m => m.Settings),
                };
                string outDir = Path.GetFullPath(result.GetValue(output) ?? DefaultOutput(modelPath, dataPath));
                using var folder = RunFolder.Open(outDir, configuration, result.GetValue(restart));
                int total = rows.Count * evalMethods.Count;
                int resumed = rows.Sum(r => evalMethods.Count(m => folder.Results.Contains(m.Name, r.Key)));
                Console.Error.WriteLine(folder.Resumed
                    ? $"resuming {outDir}: {resumed} of {total} (method, row) pairs already done"
                    : $"writing to {outDir}: {rows.Count} rows × {evalMethods.Count} method{(evalMethods.Count == 1 ? string.Empty : "s")} ({string.Join(", ", evalMethods.Select(m => m.Name))}), at most {settings.MaxNewTokens} new tokens");

                var bar = new EvalProgressBar(Console.Error, interactive: !Console.IsErrorRedirected);
                var clock = Stopwatch.StartNew();
                try
                {
                    await runner.RunAsync(rows, evalMethods, folder.Results, bar.Report, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    bar.Finish();
                    int done = rows.Sum(r => evalMethods.Count(m => folder.Results.Contains(m.Name, r.Key)));
                    Console.Error.WriteLine($"interrupted: {done} of {total} (method, row) pairs are saved in {folder.PathOf(RunFolder.ResultsFile)}; run the same command again to resume.");
                    return InterruptedExitCode;
                }

                bar.Finish();
                var session = new EvalSession(total - resumed, resumed, clock.Elapsed.TotalSeconds, runtime.Threads);
                var report = EvalReportBuilder.Build(folder.Configuration, rows, evalMethods, folder.Results, session);
                string markdown = MarkdownReport.Render(report);
                string reportJson = JsonSerializer.Serialize(report, EvalJson.Indented);
                await File.WriteAllTextAsync(folder.PathOf(RunFolder.ReportJsonFile), reportJson + "\n", CancellationToken.None);
                await File.WriteAllTextAsync(folder.PathOf(RunFolder.ReportMarkdownFile), markdown, CancellationToken.None);
                await File.WriteAllTextAsync(folder.PathOf(RunFolder.PlotFile), AccuracyThroughputPlot.Render(report), CancellationToken.None);
                Console.WriteLine(result.GetValue(json) ? reportJson : markdown);
                int errors = report.Methods.Sum(m => m.Errors);
                string errorNote = errors == 0 ? string.Empty : $", {errors} could not run (see the report)";
                Console.Error.WriteLine($"{session.Computed} pairs computed, {session.Resumed} resumed{errorNote}, {Duration(clock.Elapsed)}; wrote {RunFolder.ReportMarkdownFile}, {RunFolder.ReportJsonFile}, {RunFolder.PlotFile} and {RunFolder.ResultsFile} in {outDir}");
                return 0;
            }
            catch (Exception e) when (CliErrors.IsUsageError(e) || e is RunConfigurationMismatchException or EvalRowException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return CliErrors.UsageExitCode;
            }
        });
        return command;
    }

    private static string DefaultData(string modelPath)
    {
        string path = Path.Combine(modelPath, DemoModel.IfEvalHeldOutFile);
        return File.Exists(path)
            ? path
            : throw new ArgumentException($"--data FILE.jsonl is required: {modelPath} has no {DemoModel.IfEvalHeldOutFile}. Use IFEval's input_data.jsonl or any file in its format.");
    }

    /// <summary>artifacts/eval/&lt;model&gt;-&lt;data&gt;: the same command always resumes in the same folder.</summary>
    private static string DefaultOutput(string modelPath, string dataPath) =>
        Path.Combine("artifacts", "eval", $"{Path.GetFileName(Path.TrimEndingDirectorySeparator(modelPath))}-{Path.GetFileNameWithoutExtension(dataPath)}");

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)), StringComparison.Ordinal);

    private static string Duration(TimeSpan t) => EvalProgressBar.Duration(t);
}
