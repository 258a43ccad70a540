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
}
