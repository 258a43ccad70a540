using Directer.Core.Hub;

namespace Directer.Core.Tests.Hub;

public sealed class HubSettingsTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] values)
    {
        var map = values.ToDictionary(v => v.Name, v => v.Value);
        return name => map.TryGetValue(name, out var value) ? value : null;
    }

    [Fact]
    public void UnsetOptionsComeFromTheHuggingFaceEnvironmentVariables()
    {
        var resolved = new HubClientOptions().WithEnvironmentDefaults(Env(
            ("HF_ENDPOINT", "https://hf-mirror.example/"), ("HF_TOKEN", "hf_abc"), ("HF_HUB_OFFLINE", "1"), ("HF_HUB_CACHE", "/tmp/hf-cache")));
        Assert.Equal(new Uri("https://hf-mirror.example/"), resolved.Endpoint);
        Assert.Equal("hf_abc", resolved.Token);
        Assert.True(resolved.Offline);
        Assert.Equal("/tmp/hf-cache", resolved.CacheDirectory);

        var home = new HubClientOptions().WithEnvironmentDefaults(Env(("HF_HOME", "/tmp/hf-home"), ("HF_HUB_OFFLINE", "false")));
        Assert.Equal(Path.Combine("/tmp/hf-home", "hub"), home.CacheDirectory);
        Assert.False(home.Offline);
        Assert.Equal(HubClientOptions.DefaultEndpoint, home.Endpoint);
        Assert.Equal(string.Empty, home.Token);

        var xdg = new HubClientOptions().WithEnvironmentDefaults(Env(("XDG_CACHE_HOME", "/tmp/xdg"), ("HOME", "/home/someone")));
        Assert.Equal("/tmp/xdg/huggingface/hub", xdg.CacheDirectory);
        var plain = new HubClientOptions().WithEnvironmentDefaults(Env(("HOME", "/home/someone")));
        Assert.Equal("/home/someone/.cache/huggingface/hub", plain.CacheDirectory);
    }

    [Fact]
    public void ExplicitOptionsWinOverTheEnvironmentAndTheTokenFileIsRead()
    {
        string home = Directory.CreateTempSubdirectory("directer-hf-home-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(home, "token"), "hf_from_file\n");
            var fromFile = new HubClientOptions().WithEnvironmentDefaults(Env(("HF_HOME", home)));
            Assert.Equal("hf_from_file", fromFile.Token);

            var explicitOptions = new HubClientOptions { Endpoint = new Uri("http://127.0.0.1:1"), Token = "", Offline = false, CacheDirectory = home }
                .WithEnvironmentDefaults(Env(("HF_HOME", home), ("HF_ENDPOINT", "https://elsewhere"), ("HF_HUB_OFFLINE", "1"), ("HF_TOKEN", "hf_env")));
            Assert.Equal(new Uri("http://127.0.0.1:1"), explicitOptions.Endpoint);
            Assert.Equal(string.Empty, explicitOptions.Token);
            Assert.False(explicitOptions.Offline);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Theory]
    [InlineData("ftp://hub.example")]
    [InlineData("not a url")]
    public void ABadEndpointNamesItsSource(string endpoint)
    {
        var error = Assert.Throws<ArgumentException>(() => new HubClientOptions().WithEnvironmentDefaults(Env(("HF_ENDPOINT", endpoint))));
        Assert.Contains("HF_ENDPOINT", error.Message);
    }

    [Theory]
    [InlineData("Qwen/Qwen2.5-0.5B-Instruct", true)]
    [InlineData("gpt2", true)]
    [InlineData("HuggingFaceTB/SmolLM2-135M-Instruct", true)]
    [InlineData("", false)]
    [InlineData("a/b/c", false)]
    [InlineData("owner/na me", false)]
    [InlineData("owner--x/name", false)]
    [InlineData("owner/..", false)]
    public void RepositoryIdsAreChecked(string repoId, bool valid)
    {
        Assert.Equal(valid, HubRepoId.IsValid(repoId, out string? error));
        Assert.Equal(valid, error is null);
    }

    [Theory]
    [InlineData("main", true)]
    [InlineData("refs/pr/12", true)]
    [InlineData("v1.0", true)]
    [InlineData("../etc", false)]
    [InlineData("/main", false)]
    [InlineData("a b", false)]
    public void RevisionsAreChecked(string revision, bool valid) => Assert.Equal(valid, HubRepoId.IsValidRevision(revision, out _));

    [Fact]
    public void CheckpointFilesPreferTheIndexIgnoreSubfoldersAndRefuseOtherLayouts()
    {
        var files = HubCheckpointFiles.Select("o/n", "main",
            ["config.json", "model.safetensors.index.json", "model-00001-of-00002.safetensors", "consolidated.safetensors", "original/params.json", "tokenizer.json", "tokenizer_config.json", "README.md", "special_tokens_map.json"]);
        Assert.Equal(["config.json", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.json", "model.safetensors.index.json"], files);

        var error = Assert.Throws<HubException>(() => HubCheckpointFiles.Select("o/n", "main", ["config.json", "consolidated.safetensors", "tokenizer.model"]));
        Assert.Contains("consolidated.safetensors", error.Message);
        error = Assert.Throws<HubException>(() => HubCheckpointFiles.Select("o/n", "main", ["model.safetensors", "tokenizer.json"]));
        Assert.Contains("no config.json", error.Message);
        error = Assert.Throws<HubException>(() => HubCheckpointFiles.Select("o/n", "main", ["model.safetensors", "config.json"]));
        Assert.Contains("no tokenizer", error.Message);
    }

    [Theory]
    [InlineData("\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"", "SHA-256")]
    [InlineData("W/\"0123456789abcdef0123456789abcdef01234567\"", "git blob SHA-1")]
    [InlineData("\"abc-123\"", "size only")]
    public void EtagsAreNormalisedAndTellHowToVerify(string header, string check)
    {
        var etag = HubEtag.Parse(header);
        Assert.Equal(check, etag.Description);
        Assert.DoesNotContain('"', etag.Value);
        Assert.DoesNotContain('/', etag.Value);
    }
}
