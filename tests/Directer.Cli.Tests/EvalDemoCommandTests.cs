using System.Text.Json;

namespace Directer.Cli.Tests;

public sealed class EvalDemoCommandTests : IDisposable
{
    private readonly string json = Path.Combine(Path.GetTempPath(), "directer-eval-demo-" + Guid.NewGuid().ToString("N") + ".json");

    public void Dispose() => File.Delete(json);

    [Fact]
    public void Runs_every_group_of_the_demo_set_per_method_and_writes_a_table_and_json()
    {
        var (code, stdout, stderr) = CliRunner.Run(["eval-demo", "--per-group", "1", "--methods", "none,directer", "--max-new-tokens", "48", "--json", json]);
        Assert.True(code == 0, stderr);
        Assert.Contains("| group | n | none | directer |", stdout, StringComparison.Ordinal);
        Assert.Contains("| tool_call | 1 |", stdout, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(10, doc.RootElement.GetProperty("rows").GetInt32());
        foreach (string method in new[] { "none", "directer" })
        {
            var groups = doc.RootElement.GetProperty(method);
            Assert.Equal(10, groups.GetProperty("all").GetProperty("n").GetInt32());
            foreach (string group in new[] { "tool_call", "tool_answer", "constraint:json", "constraint:bullets" })
            {
                double correct = groups.GetProperty(group).GetProperty("correct").GetDouble();
                Assert.InRange(correct, 0, 1);
            }

            Assert.True(groups.GetProperty("tokens_per_second").GetDouble() > 0);
        }
    }

    [Fact]
    public void Constrained_tool_calls_are_labelled_and_every_finished_call_names_a_listed_tool()
    {
        var (code, stdout, stderr) = CliRunner.Run(["eval-demo", "--per-group", "3", "--methods", "none", "--max-new-tokens", "64", "--constrain-tool-calls", "--json", json]);
        Assert.True(code == 0, stderr);
        Assert.Contains("| group | n | none+constrained |", stdout, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var calls = doc.RootElement.GetProperty("none+constrained").GetProperty("tool_call");
        Assert.Equal(3, calls.GetProperty("n").GetInt32());

        // Unconstrained, the demo model names a listed tool in 1% of rows; constrained, every well-formed call does.
        Assert.Equal(calls.GetProperty("valid").GetDouble(), calls.GetProperty("listed").GetDouble());
        Assert.True(calls.GetProperty("listed").GetDouble() > 0.5, stdout);
        Assert.InRange(calls.GetProperty("right_tool").GetDouble(), 0, 1);
    }

    [Fact]
    public void Penalties_reach_the_decoding_of_every_row()
    {
        // The same 10 rows greedily, then with a strong repetition penalty (which also counts the prompt's tokens, as
        // Hugging Face's does): replies that copy from the prompt must change.
        static string[] Replies(string stderr) => stderr.Split('\n').Where(l => l.TrimStart().StartsWith("[ok]", StringComparison.Ordinal) || l.TrimStart().StartsWith("[--]", StringComparison.Ordinal)).ToArray();
        var plain = CliRunner.Run(["eval-demo", "--per-group", "1", "--methods", "none", "--max-new-tokens", "32", "--show"]);
        var penalised = CliRunner.Run(["eval-demo", "--per-group", "1", "--methods", "none", "--max-new-tokens", "32", "--show", "--repetition-penalty", "3"]);
        Assert.True(plain.ExitCode == 0, plain.Err);
        Assert.True(penalised.ExitCode == 0, penalised.Err);
        string[] a = Replies(plain.Err), b = Replies(penalised.Err);
        Assert.Equal(10, a.Length);
        Assert.Equal(10, b.Length);
        Assert.Contains(Enumerable.Range(0, 10), i => a[i] != b[i]);
    }

    [Theory]
    [InlineData("--presence-penalty", "2.5", "--presence-penalty")]
    [InlineData("--repetition-penalty", "0", "--repetition-penalty")]
    [InlineData("--methods", "directer+gate", "DIRECTER always has its plausibility gate")]
    [InlineData("--methods", "loud", "loud")]
    [InlineData("--per-group", "0", "--per-group must be at least 1")]
    [InlineData("--max-new-tokens", "0", "--max-new-tokens")]
    [InlineData("--data", "no-such-file.jsonl", "no-such-file.jsonl")]
    public void Bad_arguments_are_one_clear_line_and_exit_code_2(string option, string value, string expected)
    {
        var (code, _, stderr) = CliRunner.Run(["eval-demo", option, value]);
        Assert.Equal(2, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }
}
