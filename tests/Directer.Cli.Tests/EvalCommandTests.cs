using System.Text.Json;
using System.Xml.Linq;

namespace Directer.Cli.Tests;

public sealed class EvalCommandTests : IDisposable
{
    private readonly EvalCli cli = new();

    public void Dispose() => cli.Dispose();

    [Fact]
    public void ADemoRunWritesTableJsonAndPlotWithConsistentNumbers()
    {
        var (code, stdout, stderr) = cli.Run("--limit", "4", "--methods", "none,directer", "--json");
        Assert.True(code == 0, stderr);
        Assert.Contains("writing to", stderr);
        Assert.Contains("8/8", stderr); // the progress line reached the end

        using var report = JsonDocument.Parse(stdout);
        var root = report.RootElement;
        Assert.Equal(File.ReadAllText(cli.PathOf("report.json")).Trim(), stdout.Trim());
        Assert.Equal(4, root.GetProperty("rows").GetInt32());
        Assert.Equal(96, root.GetProperty("configuration").GetProperty("max_new_tokens").GetInt32());
        Assert.Equal(8, root.GetProperty("session").GetProperty("computed").GetInt32());

        // Every number of the report follows from results.jsonl.
        var results = cli.ResultLines().Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(8, results.Count);
        var markdown = File.ReadAllText(cli.PathOf("report.md"));
        foreach (var method in root.GetProperty("methods").EnumerateArray())
        {
            string name = method.GetProperty("method").GetString()!;
            var rows = results.Where(r => r.GetProperty("method").GetString() == name).ToList();
            Assert.Equal(4, rows.Count);
            double promptStrict = rows.Count(r => r.GetProperty("instructions").EnumerateArray().All(i => i.GetProperty("strict").GetBoolean())) / 4.0;
            Assert.Equal(promptStrict, method.GetProperty("prompt_strict").GetDouble());
            long tokens = rows.Sum(r => r.GetProperty("completion_tokens").GetInt64());
            double seconds = rows.Sum(r => r.GetProperty("prefill_ms").GetDouble() + r.GetProperty("decode_ms").GetDouble()) / 1000;
            Assert.Equal(tokens / seconds, method.GetProperty("tokens_per_second").GetDouble(), 6);
            Assert.Equal(4, method.GetProperty("per_instruction").EnumerateObject().Sum(p => p.Value.GetProperty("count").GetInt32()));
            Assert.Contains($"| {name} | {promptStrict * 100:F1}% |", markdown);
        }

        var directer = root.GetProperty("methods")[1];
        Assert.Equal("directer", directer.GetProperty("method").GetString());
        Assert.True(directer.GetProperty("steering").GetProperty("steps").GetInt64() > 0);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("methods")[0].GetProperty("steering").ValueKind);

        var svg = XDocument.Load(cli.PathOf("accuracy-vs-throughput.svg"));
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        Assert.Contains(svg.Descendants().Where(e => e.Name.LocalName == "text"), t => t.Value == "directer");
    }

    [Fact]
    public void ARerunResumesWithoutRecomputingFinishedRows()
    {
        var (first, _, err1) = cli.Run("--limit", "2", "--methods", "none,directer", "--max-new-tokens", "24");
        Assert.True(first == 0, err1);
        var before = cli.ResultLines();
        Assert.Equal(4, before.Length);

        var (second, stdout, err2) = cli.Run("--limit", "4", "--methods", "none,directer", "--max-new-tokens", "24");
        Assert.True(second == 0, err2);
        Assert.Contains("resuming", err2);
        Assert.Contains("4 of 8", err2);
        var after = cli.ResultLines();
        Assert.Equal(8, after.Length);
        Assert.Equal(before, after.Take(4)); // the finished rows' lines are untouched
        using var report = cli.Report();
        var session = report.RootElement.GetProperty("session");
        Assert.Equal(4, session.GetProperty("computed").GetInt32());
        Assert.Equal(4, session.GetProperty("resumed").GetInt32());
        Assert.Contains("| directer |", stdout);

        // Nothing left to do: a third run only rewrites the reports.
        var (third, _, err3) = cli.Run("--limit", "4", "--methods", "none,directer", "--max-new-tokens", "24");
        Assert.True(third == 0, err3);
        Assert.Equal(8, cli.ResultLines().Length);
        using var again = cli.Report();
        Assert.Equal(0, again.RootElement.GetProperty("session").GetProperty("computed").GetInt32());
    }

    [Fact]
    public void AChangedConfigurationIsRefusedUntilRestart()
    {
        var (first, _, err1) = cli.Run("--limit", "1", "--methods", "none,directer");
        Assert.True(first == 0, err1);

        var (refused, _, err2) = cli.Run("--limit", "1", "--methods", "none,directer", "--max-new-tokens", "40", "--alpha", "20");
        Assert.Equal(2, refused);
        Assert.Contains("max new tokens: recorded 96, now 40", err2);
        Assert.Contains("directer alpha: recorded 100, now 20", err2);
        Assert.Contains("--restart", err2);
        Assert.Equal(2, cli.ResultLines().Length);

        var (restarted, _, err3) = cli.Run("--limit", "1", "--methods", "none,directer", "--max-new-tokens", "40", "--alpha", "20", "--restart");
        Assert.True(restarted == 0, err3);
        using var report = cli.Report();
        Assert.Equal(40, report.RootElement.GetProperty("configuration").GetProperty("max_new_tokens").GetInt32());
        Assert.Equal(0, report.RootElement.GetProperty("session").GetProperty("resumed").GetInt32());
    }

    [Fact]
    public void CtrlCStopsCleanlyAndTheRerunFinishesTheRest()
    {
        var (code, stderr) = cli.RunAndInterrupt(1, "--limit", "12", "--methods", "directer", "--max-new-tokens", "24");
        Assert.True(code == 130, $"exit {code}: {stderr}");
        Assert.Contains("interrupted", stderr);
        int saved = cli.ResultLines().Length;
        Assert.InRange(saved, 1, 11);
        Assert.All(cli.ResultLines(), l => JsonDocument.Parse(l).Dispose()); // whole lines only

        var (rerun, _, err) = cli.Run("--limit", "12", "--methods", "directer", "--max-new-tokens", "24");
        Assert.True(rerun == 0, err);
        Assert.Equal(12, cli.ResultLines().Length);
        using var report = cli.Report();
        Assert.Equal(saved, report.RootElement.GetProperty("session").GetProperty("resumed").GetInt32());
        Assert.Equal(12 - saved, report.RootElement.GetProperty("session").GetProperty("computed").GetInt32());
    }

    [Fact]
    public void AnyCheckpointRunsOnGoogleStyleRowsWithDerivedEmphasis()
    {
        Directory.CreateDirectory(cli.Out);
        string data = cli.PathOf("input_data.jsonl");
        File.WriteAllLines(data,
        [
            """{"key": 1000, "prompt": "Write a short poem about rain. Do not use any commas in your answer.", "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}""",
            """{"key": 1001, "prompt": "Tell me about owls. Keep it friendly.", "instruction_id_list": ["detectable_format:title", "keywords:existence"], "kwargs": [{}, {"keywords": ["night"], "relation": null}]}""",
        ]);
        var (code, stdout, stderr) = CliRunner.Run("eval", "--model", CliRunner.ChatCheckpoint(), "--data", data, "--out", Path.Combine(cli.Out, "run"),
            "--methods", "none,pasta+gate,instaboost", "--max-new-tokens", "4", "--threads", "1");
        Assert.True(code == 0, stderr);
        Assert.Contains("| pasta+gate |", stdout);
        var results = File.ReadAllLines(Path.Combine(cli.Out, "run", "results.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(6, results.Count);
        var rain = results.First(r => r.GetProperty("key").GetString() == "1000");
        Assert.Equal("instructions", rain.GetProperty("emphasis_source").GetString());
        Assert.Equal("Do not use any commas in your answer.", rain.GetProperty("emphasis")[0].GetString());
        Assert.True(rain.GetProperty("emphasis_tokens").GetInt32() > 0);
        var owls = results.First(r => r.GetProperty("key").GetString() == "1001");
        Assert.Equal("fallback", owls.GetProperty("emphasis_source").GetString()); // neither a title nor "night" is mentioned
        Assert.Equal("Keep it friendly.", owls.GetProperty("emphasis")[0].GetString());
    }

    [Fact]
    public void ARowLongerThanTheContextIsRecordedAsAnErrorAndTheRunGoesOnAndResumesToTheSameReport()
    {
        Directory.CreateDirectory(cli.Out);
        string data = cli.PathOf("rows.jsonl");
        string tooLong = string.Join(" ", Enumerable.Repeat("Tell me about owls and rain.", 200)); // well past the 512-token context
        File.WriteAllLines(data,
        [
            """{"key": "good-1", "prompt": "Write a short poem about rain. Do not use any commas in your answer.", "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}""",
            $$"""{"key": "too-long", "prompt": "{{tooLong}} Do not use any commas in your answer.", "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}""",
            """{"key": "good-2", "prompt": "Tell me about owls. Answer in lowercase letters only.", "instruction_id_list": ["change_case:english_lowercase"], "kwargs": [{}]}""",
        ]);
        string[] args = ["eval", "--model", CliRunner.ChatCheckpoint(), "--data", data, "--out", Path.Combine(cli.Out, "run"),
            "--methods", "none,directer", "--max-new-tokens", "4", "--threads", "1", "--json"];

        var (code, stdout, stderr) = CliRunner.Run(args);

        Assert.True(code == 0, stderr);
        using var report = JsonDocument.Parse(stdout);
        foreach (var method in report.RootElement.GetProperty("methods").EnumerateArray())
        {
            Assert.Equal(2, method.GetProperty("rows").GetInt32());
            Assert.Equal(1, method.GetProperty("errors").GetInt32());
            var reason = Assert.Single(method.GetProperty("row_errors").EnumerateObject());
            Assert.Equal("too-long", reason.Name);
            Assert.Contains("context", reason.Value.GetString(), StringComparison.OrdinalIgnoreCase);
        }

        var results = File.ReadAllLines(Path.Combine(cli.Out, "run", "results.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(6, results.Count);
        Assert.Equal(2, results.Count(r => r.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String));
        Assert.All(results.Where(r => r.GetProperty("key").GetString() != "too-long"), r => Assert.True(r.GetProperty("completion_tokens").GetInt32() > 0));
        Assert.Contains("could not run", File.ReadAllText(Path.Combine(cli.Out, "run", "report.md")));

        // The same command again resumes everything, error rows included, and reports the same figures.
        var (again, stdout2, stderr2) = CliRunner.Run(args);
        Assert.True(again == 0, stderr2);
        using var resumed = JsonDocument.Parse(stdout2);
        Assert.Equal(6, resumed.RootElement.GetProperty("session").GetProperty("resumed").GetInt32());
        Assert.Equal(report.RootElement.GetProperty("methods").GetRawText(), resumed.RootElement.GetProperty("methods").GetRawText());
    }

    [Theory]
    [InlineData("--methods", "none,magic", "--methods: 'magic' is not one of none, directer, static, pasta, spotlight, instaboost")]
    [InlineData("--methods", "directer+gate", "DIRECTER always has its plausibility gate")]
    [InlineData("--data", "/nonexistent/rows.jsonl", "/nonexistent/rows.jsonl")]
    [InlineData("--limit", "0", "--limit must be at least 1")]
    [InlineData("--max-new-tokens", "0", "--max-new-tokens must be an integer >= 1")]
    [InlineData("--temperature", "-1", "--temperature must be a finite number >= 0")]
    [InlineData("--beta", "2", "beta must be in (0, 1]")]
    [InlineData("--strategy", "fast", "'fast' is not one of auto, sequential, batched, batched-after-gate")]
    public void BadArgumentsAreClearErrors(string option, string value, string expected)
    {
        var (code, _, stderr) = cli.Run(option == "--limit" ? [option, value] : ["--limit", "1", option, value]);
        Assert.Equal(2, code);
        Assert.Contains(expected, stderr);
        Assert.False(File.Exists(cli.PathOf("results.jsonl")) && cli.ResultLines().Length > 0);
    }

    [Fact]
    public void ACheckpointWithoutDataNeedsData()
    {
        var (code, _, stderr) = cli.Run("--model", CliRunner.ChatCheckpoint());
        Assert.Equal(2, code);
        Assert.Contains("--data FILE.jsonl is required", stderr);
    }
}
