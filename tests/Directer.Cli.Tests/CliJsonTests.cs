using System.Text.Json;
using Directer.Cli.Commands;
using Directer.Testing;

namespace Directer.Cli.Tests;

/// <summary>Issue 13, item 3 in the CLI: non-finite statistics are written as null, and NaN logits are a clear error.</summary>
public sealed class CliJsonTests
{
    [Fact]
    public void NonFiniteStatisticsAreWrittenAsNull()
    {
        var payload = new GenerateJson
        {
            Ids = [1, 2],
            StopReason = "MaxTokens",
            PromptTokens = 3,
            Timings = new TimingsJson { DecodeMs = 0, DecodeTokensPerSecond = double.PositiveInfinity, PrefillTokensPerSecond = double.NaN, LoadMs = 5 },
            Sensitivity = [0.5, double.NegativeInfinity, double.NaN],
        };
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(payload, CliJson.Options));
        var timings = json.RootElement.GetProperty("timings");
        Assert.Equal(JsonValueKind.Null, timings.GetProperty("decode_tokens_per_second").ValueKind);
        Assert.Equal(JsonValueKind.Null, timings.GetProperty("prefill_tokens_per_second").ValueKind);
        Assert.Equal(5, timings.GetProperty("load_ms").GetDouble());
        var sensitivity = json.RootElement.GetProperty("sensitivity").EnumerateArray().ToList();
        Assert.Equal(0.5, sensitivity[0].GetDouble());
        Assert.All(sensitivity.Skip(1), e => Assert.Equal(JsonValueKind.Null, e.ValueKind));
        Assert.Equal(2, json.RootElement.GetProperty("ids").GetArrayLength());
    }

    [Fact]
    public void NaNLogitsAreAClearErrorNotAStreamOfTokenZero()
    {
        string folder = Path.Combine(Path.GetTempPath(), "directer-cli-nan-" + Environment.ProcessId);
        try
        {
            TinyCheckpoints.Write(TinyCheckpoints.LlamaGqaF32, folder);
            CheckpointPoison.Fill(folder, "model.norm.weight", float.NaN);
            var (code, stdout, stderr) = CliRunner.Run("generate", "--model", folder, "--input-ids", "1,17,42,5", "--max-new-tokens", "4", "--json");
            Assert.Equal(3, code);
            Assert.Contains("Decode step 0", stderr, StringComparison.Ordinal);
            Assert.Equal(string.Empty, stdout.Trim());

            var (checkedCode, _, checkedErr) = CliRunner.Run("generate", "--model", folder, "--input-ids", "1", "--check-weights");
            Assert.Equal(2, checkedCode);
            Assert.Contains("'model.norm.weight'", checkedErr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
