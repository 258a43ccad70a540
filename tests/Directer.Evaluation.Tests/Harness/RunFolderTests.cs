using System.Text;
using Directer.Evaluation.Harness;
using Directer.Evaluation.IfEval;

namespace Directer.Evaluation.Tests.Harness;

public sealed class RunFolderTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "directer-runfolder-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    internal static RunConfiguration Configuration(int maxNewTokens = 96, string alpha = "100") => new()
    {
        Model = "/models/demo",
        ModelFingerprint = "aaaa",
        Data = "/data/rows.jsonl",
        DataSha256 = "bbbb",
        ChatTemplate = "qwen2.5",
        DType = "Float32",
        Device = "cpu",
        MaxNewTokens = maxNewTokens,
        Temperature = 0,
        Methods = new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            ["none"] = new Dictionary<string, string>(),
            ["directer"] = new Dictionary<string, string> { ["alpha"] = alpha, ["beta"] = "0.5" },
        },
    };

    internal static RowResult Result(string method, string key, bool strict = true) => new()
    {
        Method = method,
        Key = key,
        Response = "ok",
        Instructions = [new InstructionResult("punctuation:no_comma", strict, true)],
        PromptTokens = 10,
        CompletionTokens = 5,
        StopReason = "EndOfSequence",
        PrefillMs = 10,
        DecodeMs = 40,
        RowMs = 55,
        Emphasis = ["Do not use commas."],
        EmphasisSource = EmphasisSource.Instructions,
        EmphasisTokens = 4,
    };

    [Fact]
    public void Results_survive_a_reopen_and_pairs_are_not_recorded_twice()
    {
        using (var run = RunFolder.Open(folder, Configuration(), restart: false))
        {
            Assert.False(run.Resumed);
            run.Results.Append(Result("none", "1"));
            run.Results.Append(Result("directer", "1"));
            Assert.Throws<InvalidOperationException>(() => run.Results.Append(Result("none", "1")));
        }

        using var again = RunFolder.Open(folder, Configuration(), restart: false);
        Assert.True(again.Resumed);
        Assert.Equal(2, again.Results.Count);
        Assert.True(again.Results.Contains("directer", "1"));
        Assert.Equal(Result("none", "1").Instructions, again.Results.Find("none", "1")!.Instructions);
    }

    [Fact]
    public void A_different_configuration_is_refused_naming_each_difference()
    {
        using (RunFolder.Open(folder, Configuration(), restart: false))
        {
        }

        var e = Assert.Throws<RunConfigurationMismatchException>(() => RunFolder.Open(folder, Configuration(maxNewTokens: 50, alpha: "20"), restart: false));
        Assert.Contains("max new tokens: recorded 96, now 50", e.Message);
        Assert.Contains("directer alpha: recorded 100, now 20", e.Message);
        Assert.Contains("--restart", e.Message);
        Assert.Equal(2, e.Differences.Count);

        var otherData = Configuration() with { DataSha256 = "cccc", Data = "/elsewhere.jsonl" };
        Assert.Contains("data: recorded /data/rows.jsonl (sha256 bbbb), now /elsewhere.jsonl (sha256 cccc)", Assert.Throws<RunConfigurationMismatchException>(() => RunFolder.Open(folder, otherData, false)).Message);
    }

    [Fact]
    public void Moved_files_new_methods_and_restart_are_allowed()
    {
        using (var run = RunFolder.Open(folder, Configuration(), restart: false))
        {
            run.Results.Append(Result("none", "1"));
        }

        // Same fingerprints under other paths, plus a method the first run did not have: resumes, and run.json keeps all methods.
        var moved = Configuration() with
        {
            Model = "/moved/demo",
            Data = "/moved/rows.jsonl",
            Methods = new Dictionary<string, IReadOnlyDictionary<string, string>> { ["pasta"] = new Dictionary<string, string> { ["pasta_a"] = "0.01" } },
        };
        using (var run = RunFolder.Open(folder, moved, restart: false))
        {
            Assert.Equal(1, run.Results.Count);
            Assert.Equal(["directer", "none", "pasta"], run.Configuration.Methods.Keys.Order(StringComparer.Ordinal));
        }

        using var restarted = RunFolder.Open(folder, Configuration(maxNewTokens: 7), restart: true);
        Assert.False(restarted.Resumed);
        Assert.Equal(0, restarted.Results.Count);
    }

    [Fact]
    public void A_torn_last_line_is_dropped_and_a_corrupt_line_is_an_error()
    {
        string path = Path.Combine(folder, RunFolder.ResultsFile);
        using (var run = RunFolder.Open(folder, Configuration(), restart: false))
        {
            run.Results.Append(Result("none", "1"));
        }

        File.AppendAllText(path, "{\"method\":\"directer\",\"key\":\"1\",\"resp");
        using (var run = RunFolder.Open(folder, Configuration(), restart: false))
        {
            Assert.Equal(1, run.Results.Count);
            Assert.True(run.Results.RepairedBytes > 0);
            run.Results.Append(Result("directer", "1"));
        }

        Assert.Equal(2, File.ReadAllLines(path).Length);
        File.AppendAllText(path, "not json\n", Encoding.UTF8);
        var e = Assert.Throws<FormatException>(() => RunFolder.Open(folder, Configuration(), restart: false));
        Assert.Contains("line 3", e.Message);
    }

    [Fact]
    public void Results_without_a_configuration_are_refused()
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, RunFolder.ResultsFile), "{}\n");
        Assert.Throws<RunConfigurationMismatchException>(() => RunFolder.Open(folder, Configuration(), restart: false));
    }
}
