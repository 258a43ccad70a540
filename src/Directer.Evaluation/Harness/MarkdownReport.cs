using System.Globalization;
using System.Text;

namespace Directer.Evaluation.Harness;

/// <summary>Renders an <see cref="EvalReport"/> as markdown tables (report.md and the command's standard output).</summary>
public static class MarkdownReport
{
    /// <summary>The report as markdown: a summary table per method, then strict / loose accuracy per instruction type.</summary>
    public static string Render(EvalReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var c = report.Configuration;
        var text = new StringBuilder();
        string decoding = c.Temperature == 0 ? "greedy" : Invariant($"temperature {c.Temperature}, seed {c.Seed?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
        text.AppendLine(Invariant($"**{Path.GetFileName(Path.TrimEndingDirectorySeparator(report.Model))}** on `{Path.GetFileName(report.Data)}`: {report.Rows} rows, at most {c.MaxNewTokens} new tokens, {decoding}, {c.ChatTemplate} template, {c.DType} on {c.Device}."));
        text.AppendLine();
        text.AppendLine("| method | prompt strict | prompt loose | instr. strict | instr. loose | tokens/s | tokens/row | steered | gated | fallback | trials/step |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var m in report.Methods)
        {
            var s = m.Steering;
            text.AppendLine(Invariant($"| {m.Method} | {Percent(m.PromptStrict)} | {Percent(m.PromptLoose)} | {Percent(m.InstructionStrict)} | {Percent(m.InstructionLoose)} | {m.TokensPerSecond:F1} | {m.MeanCompletionTokens:F1} | {Share(s?.SteeredShare)} | {Share(s?.GatedShare)} | {Share(s?.FallbackShare)} | {(s is null ? "–" : s.MeanTrials.ToString("F2", CultureInfo.InvariantCulture))} |"));
        }

        var errors = report.Methods.SelectMany(m => m.RowErrors.Select(e => (m.Method, Key: e.Key, Reason: e.Value))).ToList();
        if (errors.Count > 0)
        {
            text.AppendLine();
            text.AppendLine(Invariant($"{errors.Count} (method, row) pair{(errors.Count == 1 ? string.Empty : "s")} could not run (errors, left out of the figures above):"));
            text.AppendLine();
            foreach (var (method, key, reason) in errors)
            {
                text.AppendLine(Invariant($"- {method}, row `{key}`: {reason}"));
            }
        }

        var ids = report.Methods.SelectMany(m => m.PerInstruction.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        if (ids.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Per instruction type, strict / loose:");
            text.AppendLine();
            text.AppendLine("| instruction | n | " + string.Join(" | ", report.Methods.Select(m => m.Method)) + " |");
            text.AppendLine("| --- | ---: | " + string.Join(" | ", report.Methods.Select(_ => "---:")) + " |");
            foreach (string id in ids)
            {
                var cells = report.Methods.Select(m => m.PerInstruction.GetValueOrDefault(id)).ToList();
                int n = cells.FirstOrDefault(p => p is not null)?.Count ?? 0;
                text.AppendLine(Invariant($"| {id} | {n} | ") + string.Join(" | ", cells.Select(p => p is null ? "–" : $"{Percent(p.Strict)} / {Percent(p.Loose)}")) + " |");
            }
        }

        return text.ToString();
    }

    private static string Percent(double share) => (share * 100).ToString("F1", CultureInfo.InvariantCulture) + "%";

    private static string Share(double? share) => share is { } v ? Percent(v) : "–";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
