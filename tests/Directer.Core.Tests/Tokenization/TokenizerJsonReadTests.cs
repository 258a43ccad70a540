using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Directer.Core.Tokenization;

namespace Directer.Core.Tests.Tokenization;

/// <summary>
/// Reading the bytes of a tokenizer file: invalid UTF-8 and malformed JSON are load errors naming the file (the
/// position for UTF-8, System.Text.Json's own description for JSON); the reader is lenient where System.Text.Json can
/// be (trailing commas, comments); values quoted in an error are cut after 200 characters. The files are the Mistral
/// 7B v0.1 fixture (Fixtures/byte-fallback), edited.
/// </summary>
public sealed class TokenizerJsonReadTests : IDisposable
{
    private static readonly string Source = Path.Combine(AppContext.BaseDirectory, "Fixtures", "byte-fallback", "mistral-7b-v0.1");
    private readonly string directory = Directory.CreateTempSubdirectory("directer-json-read-").FullName;
    private int folders;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Folder(byte[] tokenizerJson)
    {
        string dir = Path.Combine(directory, $"t{folders++}");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "tokenizer.json"), tokenizerJson);
        File.Copy(Path.Combine(Source, "tokenizer_config.json"), Path.Combine(dir, "tokenizer_config.json"));
        return dir;
    }

    private string Folder(Action<JsonObject> edit)
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(Source, "tokenizer.json")))!.AsObject();
        edit(root);
        return Folder(Encoding.UTF8.GetBytes(root.ToJsonString()));
    }

    private static TokenizerLoadException LoadError(string dir)
    {
        var error = Assert.Throws<TokenizerLoadException>(() => TextTokenizer.Load(dir));
        Assert.Equal(Path.Combine(dir, "tokenizer.json"), error.FilePath);
        return error;
    }

    [Fact]
    public void InvalidUtf8IsALoadErrorNamingTheByte()
    {
        var error = LoadError(Folder([.. "{\"a\": \""u8, 0xC3, 0x28, .. "\"}"u8]));
        Assert.Null(error.Location);
        Assert.Equal("not valid UTF-8: invalid byte sequence at byte 7 (0xC3)", error.Problem);
    }

    [Theory]
    [InlineData("{\"model\": ")]
    [InlineData("{\"model\": {\"type\": \"BPE\"} x}")]
    [InlineData("")]
    public void MalformedJsonIsALoadErrorWithTheParsersDescription(string text)
    {
        var error = LoadError(Folder(Encoding.UTF8.GetBytes(text)));
        Assert.Null(error.Location);
        var inner = Assert.IsAssignableFrom<JsonException>(error.InnerException);
        Assert.Equal($"not valid JSON ({inner.Message})", error.Problem);
    }

    [Fact]
    public void TrailingCommasAndCommentsAreAccepted()
    {
        string text = JsonNode.Parse(File.ReadAllText(Path.Combine(Source, "tokenizer.json")))!.ToJsonString();
        var plain = TextTokenizer.Load(Source);
        var withComment = TextTokenizer.Load(Folder(Encoding.UTF8.GetBytes("// a comment\n" + text[..^1] + " /* another */ }")));
        var withComma = TextTokenizer.Load(Folder(Encoding.UTF8.GetBytes(text[..^1] + ", }")));
        Assert.Equal(plain.Encode("Hello world"), withComment.Encode("Hello world"));
        Assert.Equal(plain.Encode("Hello world"), withComma.Encode("Hello world"));
    }

    [Fact]
    public void AQuotedValueIsCutAfter200Characters()
    {
        // [10,0,0,...] of 99 numbers is 200 characters; [0,0,...] of 100 is 201.
        string exact = "[10" + string.Concat(Enumerable.Repeat(",0", 98)) + "]";
        string longer = "[0" + string.Concat(Enumerable.Repeat(",0", 99)) + "]";
        Assert.Equal(200, exact.Length);
        Assert.Equal(201, longer.Length);
        var shown = LoadError(Folder(root => root["model"]!["unk_token"] = JsonNode.Parse(exact)));
        Assert.Equal(("$.model.unk_token", "expected a string, found " + exact), (shown.Location, shown.Problem));
        var cut = LoadError(Folder(root => root["model"]!["unk_token"] = JsonNode.Parse(longer)));
        Assert.Equal(("$.model.unk_token", "expected a string, found " + longer[..200] + "…"), (cut.Location, cut.Problem));
    }
}
