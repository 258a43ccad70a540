using System.Globalization;
using System.Security;
using System.Text;

namespace Directer.Evaluation.Harness;

/// <summary>
/// Draws accuracy against throughput, one point per method, as a self-contained SVG: prompt-level strict accuracy as a
/// filled dot, instruction-level strict accuracy as a ring on the same vertical, x = generated tokens per second.
/// </summary>
public static class AccuracyThroughputPlot
{
    private const double Width = 640;
    private const double Height = 420;
    private const double Left = 64;
    private const double Right = 150;
    private const double Top = 40;
    private const double Bottom = 56;

    private static readonly string[] Palette = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd"];

    /// <summary>The SVG document for <paramref name="report"/>.</summary>
    public static string Render(EvalReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        double maxX = NiceCeiling(Math.Max(1, report.Methods.Select(m => m.TokensPerSecond).DefaultIfEmpty(1).Max() * 1.1));
        double plotWidth = Width - Left - Right;
        double plotHeight = Height - Top - Bottom;
        double X(double v) => Left + v / maxX * plotWidth;
        double Y(double share) => Top + (1 - share) * plotHeight;

        var svg = new StringBuilder();
        svg.AppendLine(F($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">"));
        svg.AppendLine(F($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>"));
        svg.AppendLine(F($"<text x=\"{Left}\" y=\"22\" font-size=\"14\" font-weight=\"bold\">{Escape(Title(report))}</text>"));

        // Grid and ticks: accuracy every 20 %, throughput at round steps.
        for (int p = 0; p <= 100; p += 20)
        {
            double y = Y(p / 100.0);
            svg.AppendLine(F($"<line x1=\"{Left}\" y1=\"{y:F1}\" x2=\"{Left + plotWidth}\" y2=\"{y:F1}\" stroke=\"#e5e5e5\"/>"));
            svg.AppendLine(F($"<text x=\"{Left - 8}\" y=\"{y + 4:F1}\" text-anchor=\"end\">{p}%</text>"));
        }

        double step = NiceStep(maxX / 5);
        for (double v = 0; v <= maxX + step / 1000; v += step)
        {
            double x = X(v);
            svg.AppendLine(F($"<line x1=\"{x:F1}\" y1=\"{Top}\" x2=\"{x:F1}\" y2=\"{Top + plotHeight}\" stroke=\"#e5e5e5\"/>"));
            svg.AppendLine(F($"<text x=\"{x:F1}\" y=\"{Top + plotHeight + 18}\" text-anchor=\"middle\">{Number(v)}</text>"));
        }

        svg.AppendLine(F($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotWidth}\" height=\"{plotHeight}\" fill=\"none\" stroke=\"#333\"/>"));
        svg.AppendLine(F($"<text x=\"{Left + plotWidth / 2:F1}\" y=\"{Height - 14}\" text-anchor=\"middle\">throughput (generated tokens/s)</text>"));
        svg.AppendLine(F($"<text transform=\"translate(18 {Top + plotHeight / 2:F1}) rotate(-90)\" text-anchor=\"middle\">accuracy (strict)</text>"));

        var labels = new List<(double X, double Y)>();
        for (int i = 0; i < report.Methods.Count; i++)
        {
            var m = report.Methods[i];
            string color = Palette[i % Palette.Length];
            double x = X(m.TokensPerSecond);
            svg.AppendLine(F($"<line x1=\"{x:F1}\" y1=\"{Y(m.PromptStrict):F1}\" x2=\"{x:F1}\" y2=\"{Y(m.InstructionStrict):F1}\" stroke=\"{color}\" stroke-dasharray=\"3 2\"/>"));
            svg.AppendLine(F($"<circle cx=\"{x:F1}\" cy=\"{Y(m.InstructionStrict):F1}\" r=\"5\" fill=\"white\" stroke=\"{color}\" stroke-width=\"2\"><title>{Escape(m.Method)}: instruction-level {m.InstructionStrict:P1}</title></circle>"));
            svg.AppendLine(F($"<circle cx=\"{x:F1}\" cy=\"{Y(m.PromptStrict):F1}\" r=\"6\" fill=\"{color}\"><title>{Escape(m.Method)}: prompt-level {m.PromptStrict:P1}, {m.TokensPerSecond:F1} tokens/s</title></circle>"));
            var (labelX, labelY) = PlaceLabel(labels, x + 9, Y(m.PromptStrict) + 4);
            svg.AppendLine(F($"<text x=\"{labelX:F1}\" y=\"{labelY:F1}\" fill=\"{color}\">{Escape(m.Method)}</text>"));

            // Legend: one line per method on the right.
            double ly = Top + 10 + i * 18;
            svg.AppendLine(F($"<circle cx=\"{Left + plotWidth + 18}\" cy=\"{ly:F1}\" r=\"5\" fill=\"{color}\"/>"));
            svg.AppendLine(F($"<text x=\"{Left + plotWidth + 28}\" y=\"{ly + 4:F1}\">{Escape(m.Method)}</text>"));
        }

        double keyY = Top + 10 + report.Methods.Count * 18 + 14;
        svg.AppendLine(F($"<circle cx=\"{Left + plotWidth + 18}\" cy=\"{keyY:F1}\" r=\"5\" fill=\"#333\"/><text x=\"{Left + plotWidth + 28}\" y=\"{keyY + 4:F1}\">prompt-level</text>"));
        svg.AppendLine(F($"<circle cx=\"{Left + plotWidth + 18}\" cy=\"{keyY + 18:F1}\" r=\"4\" fill=\"white\" stroke=\"#333\" stroke-width=\"2\"/><text x=\"{Left + plotWidth + 28}\" y=\"{keyY + 22:F1}\">instruction-level</text>"));
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    /// <summary>Methods often tie (same accuracy, similar speed): move a label down until it clears the ones already placed.</summary>
    private static (double X, double Y) PlaceLabel(List<(double X, double Y)> placed, double x, double y)
    {
        const double LabelWidth = 90;
        const double LineHeight = 13;
        while (placed.Any(p => Math.Abs(p.X - x) < LabelWidth && Math.Abs(p.Y - y) < LineHeight))
        {
            y += LineHeight;
        }

        placed.Add((x, y));
        return (x, y);
    }

    private static string Title(EvalReport report) =>
        $"{Path.GetFileName(Path.TrimEndingDirectorySeparator(report.Model))} on {Path.GetFileName(report.Data)} ({report.Rows} rows)";

    /// <summary>The smallest 1, 2 or 5 × 10^k at or above <paramref name="value"/>.</summary>
    internal static double NiceStep(double value)
    {
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        double unit = value / magnitude;
        return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * magnitude;
    }

    private static double NiceCeiling(double value)
    {
        double step = NiceStep(value / 5);
        return Math.Ceiling(value / step) * step;
    }

    private static string Number(double v) => v.ToString(v >= 10 || v == 0 ? "F0" : "0.##", CultureInfo.InvariantCulture);

    private static string Escape(string text) => SecurityElement.Escape(text) ?? string.Empty;

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
