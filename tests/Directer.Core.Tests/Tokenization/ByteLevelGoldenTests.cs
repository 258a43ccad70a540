using System.Text.Json;
using Directer.Core.Tokenization;
using Directer.Testing;

namespace Directer.Core.Tests.Tokenization;

/// <summary>
/// The test tokenizer with Qwen2-, Llama 3- and GPT-2-style pre-tokenizers (NFC, special tokens) against an
/// independent Python implementation of GPT-2's byte-level BPE (reference/tokenizer_reference.py;
/// Hugging Face `tokenizers` is not installable here).
/// </summary>
public sealed class ByteLevelGoldenTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("directer-bl-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Theory]
    [InlineData("qwen2")]
    [InlineData("llama3")]
    [InlineData("gpt2")]
    [InlineData("digits")]
    public void IdsAndDecodingsMatchTheReference(string family)
    {
        var tokenizer = TextTokenizer.Load(TinyTokenizer.Write(directory, preTokenizer: TinyTokenizer.PreTokenizer(family)));
        using var goldens = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "tokenizers", $"bytelevel-goldens-{family}.json")));
        int checkedCases = 0;
        foreach (var c in goldens.RootElement.GetProperty("cases").EnumerateArray())
        {
            string text = c.GetProperty("text").GetString()!;
            var ids = c.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Assert.True(ids.SequenceEqual(tokenizer.Encode(text)), $"'{text}': {string.Join(",", tokenizer.Encode(text))} vs reference {string.Join(",", ids)}");
            Assert.Equal(c.GetProperty("decoded").GetString(), tokenizer.Decode(ids));
            checkedCases++;
        }

        Assert.True(checkedCases >= 10);
    }
}
