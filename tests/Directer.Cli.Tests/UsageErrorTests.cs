namespace Directer.Cli.Tests;

/// <summary>Issue 13, item 6 (CLI rough edges): every usage error exits with the same code (2) and says what to change.</summary>
public sealed class UsageErrorTests
{
    [Theory]
    [InlineData(new[] { "generate", "--model", "m", "--input-ids", "1", "--no-such-flag" }, "--no-such-flag")] // unknown option (parser)
    [InlineData(new[] { "generate", "--model", "m", "--max-new-tokens", "many", "--input-ids", "1" }, "many")] // unparsable value (parser)
    [InlineData(new[] { "no-such-command" }, "no-such-command")]
    public void ParserErrorsUseTheUsageExitCode(string[] args, string named)
    {
        var (code, _, stderr) = CliRunner.Run(args);
        Assert.Equal(2, code);
        Assert.Contains(named, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void CudaOnACpuBuildSaysHowToGetIt()
    {
        var (code, _, stderr) = CliRunner.Run("generate", "--model", CliRunner.Checkpoint("llama-gqa-f32"), "--input-ids", "1", "--device", "cuda");
        Assert.Equal(2, code);
        Assert.Contains("CUDA is not available in this build", stderr, StringComparison.Ordinal);
        Assert.Contains("-p:DirecterBackend=cuda", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tpu")]
    [InlineData("CUDA")]
    [InlineData("cpu:1")]
    [InlineData("cuda:x")]
    public void AnUnknownDeviceNamesTheAcceptedForms(string device)
    {
        var (code, _, stderr) = CliRunner.Run("generate", "--model", CliRunner.Checkpoint("llama-gqa-f32"), "--input-ids", "1", "--device", device);
        Assert.Equal(2, code);
        Assert.Contains($"Unknown device '{device}'", stderr, StringComparison.Ordinal);
        Assert.Contains("\"cpu\", \"cuda\" and \"cuda:N\"", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void AModelPathThatIsMissingOrAFileIsSaidFirst()
    {
        var (code, _, stderr) = CliRunner.Run("generate", "--model", "/nonexistent/model", "--prompt", "hi");
        Assert.Equal(2, code);
        Assert.Contains("Checkpoint folder '/nonexistent/model' does not exist", stderr, StringComparison.Ordinal);

        string file = Path.Combine(CliRunner.Checkpoint("llama-gqa-f32"), "config.json");
        var (fileCode, _, fileErr) = CliRunner.Run("generate", "--model", file, "--prompt", "hi");
        Assert.Equal(2, fileCode);
        Assert.Contains($"Checkpoint path '{file}' is a file", fileErr, StringComparison.Ordinal);
    }
}
