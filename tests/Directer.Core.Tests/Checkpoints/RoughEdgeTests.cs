using System.Text;
using Directer.Core.Chat;
using Directer.Core.Checkpoints;
using Directer.Core.Emphasis;
using Directer.Core.Modeling;
using Directer.Core.Runtime;
using Directer.Core.Templates;

namespace Directer.Core.Tests.Checkpoints;

/// <summary>Issue 13, item 6 (non-connector rough edges) through the Core API.</summary>
public sealed class RoughEdgeTests : IDisposable
{
    private readonly TempFolder temp = new();

    public RoughEdgeTests() => TorchRuntime.EnsureInitialized();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void MillionsOfMetadataEntriesAreRefusedWithBoundedMemory()
    {
        // About 60 MB of header: 2.5 million tiny metadata entries.
        var header = new StringBuilder("{\"__metadata__\": {", 64_000_000);
        for (int i = 0; i < 2_500_000; i++)
        {
            header.Append(i == 0 ? "" : ",").Append("\"k").Append(i).Append("\":\"vvvvvvvvvv\"");
        }

        header.Append("}}");
        string path = RawSafetensors.Write(temp.File("meta.safetensors"), header.ToString(), []);
        header.Clear();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("more than 10000 '__metadata__' entries", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < 200_000_000, $"{allocated / 1_000_000} MB allocated");
    }

    [Fact]
    public void AFewMetadataEntriesStillLoad()
    {
        string path = RawSafetensors.Write(temp.File("ok.safetensors"), "{\"__metadata__\": {\"format\": \"pt\", \"note\": \"x\"}, \"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", RawSafetensors.Floats(1f));
        using var file = SafetensorsFile.Open(path);
        Assert.Equal("pt", file.Metadata["format"]);
    }

    // Lone surrogates are built at run time: xUnit cannot carry them through attribute data.
    [Theory]
    [InlineData(new[] { "ok", "" }, "EmphasisRequest.Texts[1] is an empty string")]
    [InlineData(new[] { "a{D800}b" }, "EmphasisRequest.Texts[0] has a lone surrogate U+D800 at character 1")]
    public void BadEmphasisStringsNameTheirIndex(string[] texts, string expected)
    {
        texts = texts.Select(Surrogates).ToArray();
        var error = Assert.Throws<ArgumentException>(() =>
            ChatTemplates.ByName("chatml").Render([new ChatTurn(ChatRole.User, "ok")], [], true, new EmphasisRequest { Texts = texts }));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hi {D83D}", "Turn 1 (User) content has a lone surrogate U+D83D at character 3")]
    [InlineData("{DE00} x", "Turn 1 (User) content has a lone surrogate U+DE00 at character 0")]
    public void ALoneSurrogateInAMessageNamesTheTurnAndPosition(string content, string expected)
    {
        content = Surrogates(content);
        var error = Assert.Throws<ArgumentException>(() =>
            ChatTemplates.ByName("chatml").Render([new ChatTurn(ChatRole.System, "s"), new ChatTurn(ChatRole.User, content)], [], true));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);

        // A whole emoji (a surrogate pair) is fine.
        Assert.Contains("😀", ChatTemplates.ByName("chatml").Render([new ChatTurn(ChatRole.User, "hi 😀")], [], true).Text, StringComparison.Ordinal);
    }

    private static string Surrogates(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text, "\\{(D[89A-F][0-9A-F]{2})\\}", m => ((char)Convert.ToInt32(m.Groups[1].Value, 16)).ToString());

    [Fact]
    public void ALoneSurrogateInToolCallArgumentsIsNamed()
    {
        var call = new ToolCall("f", "{\"a\": \"\uD800\"}", "c1");
        var error = Assert.Throws<ArgumentException>(() =>
            ChatTemplates.ByName("qwen2.5").Render([new ChatTurn(ChatRole.User, "x"), new ChatTurn(ChatRole.Assistant, "") { ToolCalls = [call] }], [], true));
        Assert.Contains("Tool call 0 of turn 1: ArgumentsJson has a lone surrogate U+D800 at character 7", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AModelPathThatIsAFileOrMissingIsSaidFirst()
    {
        string file = temp.File("config.json");
        File.WriteAllText(file, "{}");
        var isFile = Assert.Throws<CheckpointException>(() => ChatModel.Load(file));
        Assert.Contains("is a file; pass the checkpoint folder", isFile.Message, StringComparison.Ordinal);
        Assert.Throws<CheckpointException>(() => LlamaModel.Load(file));

        string missing = Path.Combine(Path.GetDirectoryName(file)!, "nope");
        var error = Assert.Throws<CheckpointException>(() => ChatModel.Load(missing));
        Assert.Contains($"Checkpoint folder '{missing}' does not exist", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cuda", "CUDA is not available in this build")]
    [InlineData("cuda:1", "CUDA is not available in this build")]
    [InlineData("gpu", "accepted forms are \"cpu\", \"cuda\" and \"cuda:N\"")]
    [InlineData("cpu:0", "accepted forms")]
    public void DevicesAreCheckedWithAClearAnswer(string device, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => LlamaModel.ResolveDevice(device));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal("Device", error.ParamName);
    }
}
