using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Directer.Core.Chat;
using Directer.Core.Checkpoints;
using Directer.Core.Modeling;
using Directer.Core.Steering;
using Directer.Core.Text.Templates;
using Directer.Core.Text.Tokenization;
using Directer.Evaluation.HeldOut;

namespace Directer.Cli.Commands;

/// <summary>
/// <c>directer eval-demo</c>: the demo model's held-out set (tool calls, tool answers, eight constraint types),
/// run through the ordinary chat path with each steering method, reported side by side.
/// </summary>
internal static class EvalDemoCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "Checkpoint folder (default: the built-in models/directer-demo)." };
        var data = new Option<string?>("--data") { Description = $"Held-out file (default: {HeldOutSet.FileName} in the model folder)." };
        var methods = new Option<string>("--methods") { Description = "Comma-separated: none, directer, static, pasta, spotlight, instaboost; '+gate' wraps a baseline in the plausibility gate.", DefaultValueFactory = _ => "none,directer" };
        var perGroup = new Option<int?>("--per-group") { Description = "First N rows of every group (default: all rows)." };
        var maxNew = new Option<int>("--max-new-tokens") { Description = "Most tokens per reply.", DefaultValueFactory = _ => 96 };
        var alpha = new Option<double>("--alpha") { Description = "Key scale for directer/static.", DefaultValueFactory = _ => 100 };
        var beta = new Option<double>("--beta") { Description = "Plausibility threshold in (0, 1].", DefaultValueFactory = _ => 0.5 };
        var maxTrials = new Option<int>("--max-trials") { Description = "DIRECTER's most steered passes per token.", DefaultValueFactory = _ => 10 };
        var strategy = new Option<string>("--strategy") { Description = "auto, sequential, batched or batched-after-gate.", DefaultValueFactory = _ => "auto" };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for torch." };
        var json = new Option<string?>("--json") { Description = "Also write the figures as JSON to this file." };
        var show = new Option<bool>("--show") { Description = "Print every reply with its grade." };
        var command = new Command("eval-demo", "Evaluate a model on the demo held-out set: tool-call validity and correctness, tool answers, and accuracy per constraint type, per steering method.")
        {
            model, data, methods, perGroup, maxNew, alpha, beta, maxTrials, strategy, threads, json, show,
        };

        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                string modelDir = result.GetValue(model) ?? DemoModel.Require();
                string dataPath = result.GetValue(data) ?? Path.Combine(modelDir, HeldOutSet.FileName);
                var rows = HeldOutSet.Read(dataPath);
                if (result.GetValue(perGroup) is { } n)
                {
                    rows = n > 0 ? HeldOutSet.Stratified(rows, n) : throw new ArgumentException($"--per-group must be at least 1, got {n}.");
                }

                var basis = new SteeringSettings
                {
                    Alpha = result.GetValue(alpha),
                    Beta = result.GetValue(beta),
                    MaxTrials = result.GetValue(maxTrials),
                    Strategy = GenerateCommand.ParseStrategy(result.GetValue(strategy)!),
                };
                var plan = ParseMethods(result.GetValue(methods)!, basis);
                using var chat = ChatModel.Load(modelDir, new ChatModelOptions { Model = new ModelOptions { Threads = result.GetValue(threads) } });
                Console.Error.WriteLine($"{rows.Count} rows from {dataPath}; methods {string.Join(", ", plan.Select(p => p.Label))}");
                var outcomes = new List<HeldOutOutcome>();
                foreach (var (label, settings) in plan)
                {
                    int done = 0;
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    outcomes.AddRange(await HeldOutRunner.RunAsync(chat, rows, label, settings, result.GetValue(maxNew), o =>
                    {
                        done++;
                        if (result.GetValue(show))
                        {
                            Console.Error.WriteLine($"  [{(o.Grade.Correct ? "ok" : "--")}] {label} {o.Row.Id}: {o.Reply.Replace("\n", "\\n", StringComparison.Ordinal)}");
                        }
                        else if (done % 10 == 0 || done == rows.Count)
                        {
                            double eta = clock.Elapsed.TotalSeconds / done * (rows.Count - done);
                            Console.Error.Write(string.Create(CultureInfo.InvariantCulture, $"\r{label}: {done}/{rows.Count} rows, eta {eta:F0} s   "));
                        }
                    }, cancellationToken));
                    Console.Error.WriteLine();
                }

                var report = new HeldOutReport(outcomes);
                Console.WriteLine(report.ToMarkdown());
                if (result.GetValue(json) is { } jsonPath)
                {
                    var root = report.ToJson();
                    root["model"] = Path.GetFullPath(modelDir);
                    root["rows"] = rows.Count;
                    File.WriteAllText(jsonPath, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                }

                return 0;
            }
            catch (Exception e) when (e is CheckpointException or ArgumentException or FormatException or IOException or InvalidDataException
                or TokenizerLoadException or ChatTemplateException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    /// <summary>"none,directer,pasta+gate" → labelled settings (null settings = no steering).</summary>
    internal static IReadOnlyList<(string Label, SteeringSettings? Settings)> ParseMethods(string text, SteeringSettings basis)
    {
        var plan = new List<(string, SteeringSettings?)>();
        foreach (string raw in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            bool gate = raw.EndsWith("+gate", StringComparison.OrdinalIgnoreCase);
            string name = gate ? raw[..^"+gate".Length] : raw;
            var method = SteeringSettings.ParseMethod(name);
            if (gate && method is SteeringMethod.None or SteeringMethod.Directer)
            {
                throw new ArgumentException($"--methods: '{raw}': only the baselines (static, pasta, spotlight, instaboost) take '+gate'; DIRECTER is gated already.");
            }

            plan.Add((raw.ToLowerInvariant(), method == SteeringMethod.None ? null : basis with { Method = method, Gate = gate }));
        }

        return plan.Count > 0 ? plan : throw new ArgumentException("--methods is empty: name at least one method (none, directer, ...).");
    }
}
