using System.CommandLine;
using System.Text.Json;
using Directer.Core.Requests;
using Directer.Core.Chat;
using Directer.Core.Steering;
using Directer.Evaluation.Demo;
using Directer.Evaluation.Harness;
using Directer.Evaluation.HeldOut;

namespace Directer.Cli.Commands;

/// <summary>
/// <c>directer eval-demo</c>: the demo model's own held-out set (tool calls, tool answers and eight constraint types,
/// with tools listed in the prompt, which IFEval rows cannot hold), run through the ordinary chat path with each
/// steering method and reported side by side.
/// </summary>
internal static class EvalDemoCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "Checkpoint folder (default: the built-in models/directer-demo)." };
        var data = new Option<string?>("--data") { Description = $"Held-out file (default: {HeldOutSet.FileName} in the model folder)." };
        var methods = new Option<string>("--methods") { Description = "Comma-separated: none, directer, static, pasta, spotlight, instaboost; NAME+gate wraps a baseline in the plausibility gate.", DefaultValueFactory = _ => "none,directer" };
        var perGroup = new Option<int?>("--per-group") { Description = "First N rows of every group (default: all rows)." };
        var maxNew = new Option<int>("--max-new-tokens") { Description = "Most tokens per reply.", DefaultValueFactory = _ => 96 };
        var json = new Option<string?>("--json") { Description = "Also write the figures as JSON to this file." };
        var show = new Option<bool>("--show") { Description = "Print every reply with its grade (stderr)." };
        var constrain = new Option<bool>("--constrain-tool-calls") { Description = "Constrain <tool_call> blocks to valid calls of the listed tools (names, argument names, required arguments, simple types); methods are then labelled NAME+constrained." };
        var modelOptions = new ModelCliOptions();
        var steeringOptions = RequestCliOptions.SteeringParameters();
        // Penalties against replies that repeat themselves to the token limit (greedy decoding otherwise).
        var penaltyOptions = new RequestCliOptions(new RequestOptions(), RequestSettings.RepetitionPenalty, RequestSettings.FrequencyPenalty, RequestSettings.PresencePenalty);
        var command = new Command("eval-demo", "Evaluate a model on the demo held-out set: tool-call validity and correctness, answers from tool results, and accuracy per constraint type, per steering method.")
        {
            model, data, methods, perGroup, maxNew, json, show, constrain,
        };
        foreach (var option in modelOptions.All.Concat(steeringOptions.All).Concat(penaltyOptions.All))
        {
            command.Options.Add(option);
        }

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

                var plan = EvalMethod.ParseList(result.GetValue(methods)!, steeringOptions.Read(result).Steering);
                RequestSettings.ThrowIfOutOfRange(RequestSettings.MaxTokens, result.GetValue(maxNew), "--max-new-tokens");
                var penalties = penaltyOptions.Read(result);
                // An absent flag is null, which is also the request's own default (no penalty).
                Func<ChatRequest, ChatRequest> decoding = r => r with { RepetitionPenalty = penalties.RepetitionPenalty, FrequencyPenalty = penalties.FrequencyPenalty, PresencePenalty = penalties.PresencePenalty };
                using var chat = ChatModel.Load(modelDir, new ChatModelOptions { Model = modelOptions.Build(result), ChatTemplate = result.GetValue(modelOptions.ChatTemplate) });
                Console.Error.WriteLine($"{rows.Count} rows from {dataPath}; methods {string.Join(", ", plan.Select(p => p.Name))}");
                var outcomes = new List<HeldOutOutcome>();
                var bar = new EvalProgressBar(Console.Error, interactive: !Console.IsErrorRedirected);
                var clock = System.Diagnostics.Stopwatch.StartNew();
                long tokens = 0;
                int done = 0;
                bool constrained = result.GetValue(constrain);
                foreach (var method in plan)
                {
                    string label = constrained ? method.Name + "+constrained" : method.Name;
                    outcomes.AddRange(await HeldOutRunner.RunAsync(chat, rows, label, method.Steering, result.GetValue(maxNew), o =>
                    {
                        tokens += o.CompletionTokens;
                        done++;
                        if (result.GetValue(show))
                        {
                            Console.Error.WriteLine($"  [{(o.Grade.Correct ? "ok" : "--")}] {label} {o.Row.Id}: {o.Reply.Replace("\n", "\\n", StringComparison.Ordinal)}");
                        }
                        else
                        {
                            bar.Report(new EvalProgress(done, rows.Count * plan.Count, 0, clock.Elapsed, tokens, label, o.Row.Id));
                        }
                    }, constrained, cancellationToken, decoding));
                }

                bar.Finish();
                var report = new HeldOutReport(outcomes);
                Console.WriteLine(report.ToMarkdown());
                if (result.GetValue(json) is { } jsonPath)
                {
                    var root = report.ToJson();
                    root["model"] = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(modelDir)));
                    root["rows"] = rows.Count;
                    File.WriteAllText(jsonPath, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                }

                return 0;
            }
            catch (Exception e) when (CliErrors.IsUsageError(e))
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return CliErrors.UsageExitCode;
            }
        });
        return command;
    }
}
