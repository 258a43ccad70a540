using System.Text.Json.Nodes;
using Directer.Core.Templates;
using Directer.Core.Tokenization;
using Directer.Testing;

namespace Directer.Core.Tests.Templates;

/// <summary>A reply whose call marker is a special token (Mistral's <c>[TOOL_CALLS]</c>) reaches the parser with the
/// marker, though the streamed text leaves special tokens out.</summary>
public sealed class ToolCallMarkersTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("directer-markers-").FullName;
    private readonly TextTokenizer tokenizer;
    private readonly int marker;

    public ToolCallMarkersTests()
    {
        TinyTokenizer.Write(folder, edit: root => ((JsonArray)root["added_tokens"]!).Add(new JsonObject
        {
            ["id"] = 271, ["content"] = "[TOOL_CALLS]", ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
        }));
        tokenizer = TextTokenizer.Load(folder);
        marker = tokenizer.TokenToId("[TOOL_CALLS]")!.Value;
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private List<int> Ids(params object[] parts) =>
        parts.SelectMany(p => p is string text ? tokenizer.Encode(text) : [(int)p]).ToList();

    [Fact]
    public void TheMarkerIsPutBackWhereTheModelWroteIt()
    {
        var ids = Ids("ok ", marker, "[{\"name\": \"f\", \"arguments\": {}}]", tokenizer.EosTokenIds[0]);
        string streamed = tokenizer.Decode(ids, skipSpecialTokens: true);
        Assert.DoesNotContain("[TOOL_CALLS]", streamed, StringComparison.Ordinal);
        string text = ToolCallMarkers.ForParsing(streamed, ids, tokenizer, ToolCallFormat.Mistral);
        Assert.Equal("ok [TOOL_CALLS][{\"name\": \"f\", \"arguments\": {}}]", text);
        Assert.Equal("f", Assert.Single(ChatTemplates.ByName("mistral").ParseToolCalls(text, out _)).Name);
    }

    [Fact]
    public void StopStringsCutTheTextAsTheyCutTheStream()
    {
        var ids = Ids(marker, "[{\"name\": \"f\", \"arguments\": {}}] END and more");
        Assert.Equal("[TOOL_CALLS][{\"name\": \"f\", \"arguments\": {}}] ", ToolCallMarkers.ForParsing("ignored", ids, tokenizer, ToolCallFormat.Mistral, ["END"]));
    }

    [Theory]
    [InlineData(ToolCallFormat.Hermes, true)]
    [InlineData(ToolCallFormat.Mistral, false)]
    public void OtherwiseTheStreamedTextIsUsedAsItIs(ToolCallFormat format, bool withMarker)
    {
        // Hermes has no special marker; a Mistral reply without the marker token is plain text.
        var ids = withMarker ? Ids(marker, "hello") : Ids("hello");
        Assert.Same("streamed", ToolCallMarkers.ForParsing("streamed", ids, tokenizer, format));
    }

    [Fact]
    public void EveryMarkerIsPutBackAndOtherSpecialTokensStayOut()
    {
        var ids = Ids(marker, "a", tokenizer.EosTokenIds[0], "[1]", marker, marker, "[2]", marker);
        Assert.Equal("[TOOL_CALLS]a[1][TOOL_CALLS][TOOL_CALLS][2][TOOL_CALLS]", ToolCallMarkers.ForParsing("ignored", ids, tokenizer, ToolCallFormat.Mistral));
    }

    [Fact]
    public void TheEarliestStopStringCutsAndAnEmptyOneCutsNothing()
    {
        var ids = Ids(marker, "[1] ab ba");
        string text = ToolCallMarkers.ForParsing("ignored", ids, tokenizer, ToolCallFormat.Mistral, ["", "zz", "b", "a"]);
        Assert.Equal("[TOOL_CALLS][1] ", text);
        Assert.Equal("[TOOL_CALLS][1] ab ba", ToolCallMarkers.ForParsing("ignored", ids, tokenizer, ToolCallFormat.Mistral, [""]));
        // A stop string at the very start leaves nothing, as it left nothing of the stream.
        Assert.Equal(string.Empty, ToolCallMarkers.ForParsing("", Ids("ab", marker, "[1]"), tokenizer, ToolCallFormat.Mistral, ["ab"]));
    }

    [Theory]
    [InlineData(ToolCallFormat.Mistral, "[TOOL_CALLS]")]
    [InlineData(ToolCallFormat.Granite, "<|tool_call|>")]
    [InlineData(ToolCallFormat.Hermes, null)]
    [InlineData(ToolCallFormat.Llama3Json, null)]
    [InlineData(ToolCallFormat.QwenXml, null)]
    [InlineData(ToolCallFormat.None, null)]
    public void OnlyMistralAndGraniteOpenCallsWithASpecialToken(ToolCallFormat format, string? expected) =>
        Assert.Equal(expected, ToolCallMarkers.SpecialMarker(format));

    [Fact]
    public void AGraniteReplyFromATokenizerWithoutItsMarkerIsTheStreamedText()
    {
        // This tokenizer holds Mistral's marker only.
        Assert.Same("streamed", ToolCallMarkers.ForParsing("streamed", Ids(marker, "x"), tokenizer, ToolCallFormat.Granite));
    }

    [Fact]
    public void AMarkerThatIsNoSpecialTokenIsAlreadyInTheStreamedText()
    {
        string other = Directory.CreateTempSubdirectory("directer-markers-plain-").FullName;
        try
        {
            TinyTokenizer.Write(other, edit: root => ((JsonArray)root["added_tokens"]!).Add(new JsonObject
            {
                ["id"] = 271, ["content"] = "[TOOL_CALLS]", ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = false,
            }));
            var plain = TextTokenizer.Load(other);
            var ids = plain.Encode("[TOOL_CALLS][]");
            Assert.Contains(271, ids);
            Assert.Same("streamed", ToolCallMarkers.ForParsing("streamed", ids, plain, ToolCallFormat.Mistral));
        }
        finally
        {
            Directory.Delete(other, recursive: true);
        }
    }
}
