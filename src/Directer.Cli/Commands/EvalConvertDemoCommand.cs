using System.CommandLine;
using Directer.Evaluation.Demo;

namespace Directer.Cli.Commands;

/// <summary>
/// <c>directer eval convert-demo</c>: regenerates the demo model's IFEval-format held-out set
/// (models/directer-demo/ifeval-heldout.jsonl) from the training tool's heldout-eval.jsonl.
/// </summary>
internal static class EvalConvertDemoCommand
{
    public static Command Create()
    {
        var input = new Option<string?>("--in") { Description = $"The demo's held-out set (default: {DemoModel.HeldOutFile} in the demo model folder)." };
        var output = new Option<string?>("--out") { Description = $"The IFEval-format file to write (default: {DemoModel.IfEvalHeldOutFile} in the demo model folder)." };
        var command = new Command("convert-demo", "Convert the demo model's held-out set (heldout-eval.jsonl) to IFEval format.") { input, output };
        command.SetAction(result =>
        {
            try
            {
                string? folder = result.GetValue(input) is null || result.GetValue(output) is null ? DemoModel.Require() : null;
                string from = result.GetValue(input) ?? Path.Combine(folder!, DemoModel.HeldOutFile);
                string to = result.GetValue(output) ?? Path.Combine(folder!, DemoModel.IfEvalHeldOutFile);
                var conversion = DemoHeldOutConverter.ConvertFile(from, to);
                string skipped = string.Join(", ", conversion.Skipped.Select(kv => $"{kv.Value} {kv.Key}"));
                Console.WriteLine($"wrote {conversion.Rows.Count} IFEval rows to {to}" + (skipped.Length > 0 ? $" (skipped {skipped})" : string.Empty));
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
