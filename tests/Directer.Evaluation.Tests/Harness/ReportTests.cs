using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Directer.Core.Steering;
using Directer.Evaluation.Harness;
using Directer.Evaluation.IfEval;

namespace Directer.Evaluation.Tests.Harness;

public sealed class ReportTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "directer-report-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static SteeringSummary Summary(int steps, double steered) => new()
    {
        Method = "directer", Steps = steps, SteeredShare = steered, GatedShare = 1 - steered, RejectedShare = 0, FallbackShare = 0, MeanTrials = steered, ChangedShare = steered,
    };

    private EvalReport Build()
    {
        var rows = new[] { "1", "2", "3", "4" }.Select(k => new IfEvalRow(k, "Do not use commas.", ["punctuation:no_comma"], [new JsonObject()], null)).ToList();
        var methods = EvalMethod.ParseList("none,directer", new SteeringSettings());
        using var run = RunFolder.Open(folder, RunFolderTests.Configuration(), restart: false);
        foreach (var row in rows)
        {
            run.Results.Append(RunFolderTests.Result("none", row.Key, strict: row.Key == "1"));
            run.Results.Append(RunFolderTests.Result("directer", row.Key, strict: row.Key != "4") with { Steering = Summary(row.Key == "1" ? 30 : 10, row.Key == "1" ? 0.5 : 0.1), DecodeMs = 90 });
        }

        return EvalReportBuilder.Build(run.Configuration, rows, methods, run.Results, new EvalSession(8, 0, 1.5, 2));
    }

    [Fact]
    public void Accuracy_throughput_and_steering_are_pooled_per_method()
    {
        var report = Build();
        var none = report.Methods[0];
        var directer = report.Methods[1];
        Assert.Equal(0.25, none.PromptStrict);
        Assert.Equal(1.0, none.PromptLoose);
        Assert.Equal(0.75, directer.InstructionStrict);
        Assert.Equal(0.75, directer.PerInstruction["punctuation:no_comma"].Strict);
        Assert.Equal(20 / 0.2, none.TokensPerSecond, 6); // 4 rows × 5 tokens in 4 × 50 ms
        Assert.Equal(20 / 0.4, directer.TokensPerSecond, 6);
        Assert.Null(none.Steering);
        Assert.Equal(60, directer.Steering!.Steps);
        Assert.Equal((30 * 0.5 + 30 * 0.1) / 60, directer.Steering.SteeredShare, 9); // step-weighted
        Assert.Equal(4, directer.EmphasisSources["instructions"]);
    }

    [Fact]
    public void Markdown_json_and_svg_carry_the_same_numbers()
    {
        var report = Build();
        string markdown = MarkdownReport.Render(report);
        Assert.Contains("| none | 25.0% | 100.0% | 25.0% | 100.0% | 100.0 | 5.0 | – | – | – | – |", markdown);
        Assert.Contains("| directer | 75.0% | 100.0% | 75.0% | 100.0% | 50.0 | 5.0 | 30.0% | 70.0% | 0.0% | 0.30 |", markdown);
        Assert.Contains("| punctuation:no_comma | 4 | 25.0% / 100.0% | 75.0% / 100.0% |", markdown);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(report, EvalJson.Indented));
        var first = json.RootElement.GetProperty("methods")[0];
        Assert.Equal(0.25, first.GetProperty("prompt_strict").GetDouble());
        Assert.Equal(8, json.RootElement.GetProperty("session").GetProperty("computed").GetInt32());

        var svg = XDocument.Parse(AccuracyThroughputPlot.Render(report));
        XNamespace ns = "http://www.w3.org/2000/svg";
        var labels = svg.Descendants(ns + "text").Select(t => t.Value).ToList();
        Assert.Contains("none", labels);
        Assert.Contains("directer", labels);
        Assert.Contains("throughput (generated tokens/s)", labels);
        Assert.Equal(2 * 2 + 2 + 2, svg.Descendants(ns + "circle").Count()); // two dots per method, legend dots, key dots
    }

    [Theory]
    [InlineData(0.7, 1)]
    [InlineData(3.1, 5)]
    [InlineData(18, 20)]
    [InlineData(51, 100)]
    public void Plot_ticks_are_round_numbers(double raw, double nice) => Assert.Equal(nice, AccuracyThroughputPlot.NiceStep(raw), 9);
}
