using System.Text.Json;

namespace Directer.Cli.Tests;

public sealed class GenerateCommandTests
{
    [Fact]
    public void JsonOutputHasTheStableFieldsAndGreedyIds()
    {
        var (code, stdout, stderr) = CliRunner.Run("generate", "--model", CliRunner.Checkpoint("llama-gqa-f32"), "--input-ids", "1,17,42,5", "--max-new-tokens", "6", "--json");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal(6, root.GetProperty("ids").GetArrayLength());
        Assert.Equal("MaxTokens", root.GetProperty("stop_reason").GetString());
        Assert.Equal(4, root.GetProperty("prompt_tokens").GetInt32());
        foreach (string timing in new[] { "load_ms", "prefill_ms", "decode_ms", "decode_tokens_per_second", "prefill_tokens_per_second" })
        {
            Assert.True(root.GetProperty("timings").GetProperty(timing).GetDouble() > 0, timing);
        }

        // Same ids twice (greedy is deterministic) and without --json the same ids comma-separated.
        var (_, plain, _) = CliRunner.Run("generate", "--model", CliRunner.Checkpoint("llama-gqa-f32"), "--input-ids", "1,17,42,5", "--max-new-tokens", "6");
        Assert.Equal(string.Join(",", root.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32())), plain.Trim());
    }

    [Fact]
    public void DirecterSteeringPrintsRankingSensitivityAndTrace()
    {
        var (code, stdout, stderr) = CliRunner.Run("generate", "--model", CliRunner.Checkpoint("qwen2-bias-tied-bf16"), "--input-ids", "1,17,42,5,88,23,9", "--max-new-tokens", "5",
            "--steering", "directer", "--emphasis-tokens", "1:4", "--beta", "0.3", "--strategy", "batched", "--json");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal(2, root.GetProperty("ranking").GetArrayLength());
        Assert.Equal(2, root.GetProperty("sensitivity").GetArrayLength());
        var trace = root.GetProperty("trace");
        Assert.Equal(5, trace.GetArrayLength());
        Assert.Equal(root.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()), trace.EnumerateArray().Select(s => s.GetProperty("chosen_token").GetInt32()));
        Assert.Equal("directer", root.GetProperty("steering").GetProperty("method").GetString());
    }

    [Theory]
    [InlineData("--input-ids", "1,x", "'x' is not a non-negative integer")]
    [InlineData("--emphasis-tokens", "5-9", "'5-9' is not START:END")]
    [InlineData("--dtype", "f8", "'f8' is not supported")]
    [InlineData("--steering", "magic", "--steering: 'magic' is not one of none, directer, static, pasta, spotlight, instaboost")]
    [InlineData("--beta", "2", "beta must be in (0, 1]")]
    public void BadArgumentsAreClearErrors(string option, string value, string expected)
    {
        var args = new List<string> { "generate", "--model", CliRunner.Checkpoint("llama-gqa-f32"), "--input-ids", "1,2,3", "--steering", "directer", "--emphasis-tokens", "0:2" };
        int at = args.IndexOf(option);
        if (at >= 0)
        {
            args[at + 1] = value;
        }
        else
        {
            args.AddRange(new[] { option, value });
        }

        var (code, _, stderr) = CliRunner.Run(args.ToArray());
        Assert.Equal(2, code);
        Assert.Contains(expected, stderr);
    }

    [Fact]
    public void AMissingCheckpointNamesTheFolder()
    {
        var (code, _, stderr) = CliRunner.Run("generate", "--model", "/nonexistent/model", "--input-ids", "1");
        Assert.Equal(2, code);
        Assert.Contains("Checkpoint folder '/nonexistent/model' does not exist", stderr);
    }

    [Fact]
    public void APromptIsRenderedTokenizedEmphasisedAndSteered()
    {
        string folder = CliRunner.ChatCheckpoint();
        var (code, stdout, stderr) = CliRunner.Run("generate", "--model", folder, "--system", "Answer in lowercase.", "--prompt", "hello world",
            "--emphasis", "lowercase", "--steering", "directer", "--beta", "0.2", "--max-new-tokens", "6", "--json");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        var promptIds = root.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32()).ToList();
        Assert.Equal(root.GetProperty("prompt_tokens").GetInt32(), promptIds.Count);
        var span = Assert.Single(root.GetProperty("emphasis_spans").EnumerateArray().ToList());
        Assert.True(span[0].GetInt32() < span[1].GetInt32() && span[1].GetInt32() <= promptIds.Count);
        Assert.Equal(JsonValueKind.String, root.GetProperty("text").ValueKind);
        Assert.Equal("directer", root.GetProperty("steering").GetProperty("method").GetString());
        int endToken = root.GetProperty("stop_reason").GetString() == "EndOfSequence" ? 1 : 0; // the eos step is traced, not emitted
        Assert.Equal(root.GetProperty("ids").GetArrayLength() + endToken, root.GetProperty("trace").GetArrayLength());

        var (missing, _, err) = CliRunner.Run("generate", "--model", folder, "--prompt", "hello", "--emphasis", "absent words", "--json");
        Assert.Equal(2, missing);
        Assert.Contains("absent words", err);
    }

    [Fact]
    public void WithoutModelItRunsTheDemoModelShippedBesideTheProgramFromAFolderOutsideTheRepository()
    {
        string elsewhere = Path.Combine(Path.GetTempPath(), "directer-elsewhere-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(elsewhere);
        try
        {
            var (code, stdout, stderr) = CliRunner.RunIn(elsewhere, "generate", "--prompt", "Name a colour.", "--max-new-tokens", "3", "--json");
            Assert.True(code == 0, stderr);
            using var doc = JsonDocument.Parse(stdout);
            Assert.InRange(doc.RootElement.GetProperty("ids").GetArrayLength(), 0, 3);
            Assert.Equal(JsonValueKind.String, doc.RootElement.GetProperty("text").ValueKind);

            var (evalCode, _, evalErr) = CliRunner.RunIn(elsewhere, "eval", "--limit", "1", "--methods", "none", "--max-new-tokens", "4", "--out", Path.Combine(elsewhere, "eval"));
            Assert.True(evalCode == 0, evalErr);
            Assert.Contains(Path.Combine(AppContext.BaseDirectory, "models", "directer-demo"), evalErr); // "loading <program folder>/models/directer-demo"
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }
}
