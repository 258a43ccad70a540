using System.Text.Json;
using Directer.Core.Runtime;
using Directer.Core.Tokenization;
using Directer.Testing;

namespace Directer.Cli.Tests;

/// <summary>
/// A generated checkpoint in Hugging Face's layout that ships a real SentencePiece-converted tokenizer (the Mistral v0.3
/// layout of Fixtures/byte-fallback: Mistral 7B's byte-fallback tokenizer.json with v0.3's control tokens, and
/// tokenizer_config.json with v0.3's own chat template) loads through the normal loader, and
/// <c>directer generate --messages --tools --prompt-only</c> renders and tokenizes a tool round trip exactly as Hugging
/// Face's Rust tokenizers and @huggingface/jinja do (reference/byte_fallback_reference.mjs).
/// </summary>
public sealed class RealTokenizerPromptOnlyTests
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures");

    [Theory]
    [InlineData("mistral-v0.3-layout", "tool_round_trip")]
    [InlineData("mistral-v0.3-layout", "tool_round_trip_then_history")]
    [InlineData("phi3.5-layout", "unicode_whitespace")]
    public void PromptOnlyPrintsTheReferencePromptAndIds(string variant, string conversation)
    {
        TorchRuntime.EnsureInitialized();
        string folder = Directory.CreateTempSubdirectory("directer-cli-real-tokenizer-").FullName;
        try
        {
            foreach (string file in new[] { "tokenizer.json", "tokenizer_config.json" })
            {
                File.Copy(Path.Combine(Fixtures, "byte-fallback", variant, file), Path.Combine(folder, file));
            }

            int vocab = TextTokenizer.Load(folder).VocabSize;
            TinyCheckpoints.Write(new TinyCheckpointSpec
            {
                Name = variant, VocabSize = vocab, HiddenSize = 8, IntermediateSize = 8, NumHiddenLayers = 1, NumAttentionHeads = 2,
                NumKeyValueHeads = 1, TieWordEmbeddings = true, DType = "F32", MaxPositionEmbeddings = 4096,
            }, folder);

            using var conversations = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures, "prompt-ids", "conversations.json")));
            var c = conversations.RootElement.GetProperty("cases").EnumerateArray().Single(x => x.GetProperty("name").GetString() == conversation);
            string messages = Path.Combine(folder, "messages.json");
            string tools = Path.Combine(folder, "tools.json");
            File.WriteAllText(messages, c.GetProperty("messages").GetRawText());
            File.WriteAllText(tools, c.GetProperty("tools").GetRawText());
            var args = new List<string> { "generate", "--model", folder, "--messages", messages, "--prompt-only", "--json" };
            if (c.GetProperty("tools").GetArrayLength() > 0)
            {
                args.AddRange(["--tools", tools]);
            }

            var (code, stdout, stderr) = CliRunner.Run([.. args]);
            Assert.True(code == 0, stderr);
            using var output = JsonDocument.Parse(stdout);

            using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures, "byte-fallback", "expected.json")));
            var reference = expected.RootElement.GetProperty("variants").EnumerateArray().Single(v => v.GetProperty("name").GetString() == variant)
                .GetProperty("prompts").EnumerateArray().Single(p => p.GetProperty("name").GetString() == conversation);
            Assert.Equal(reference.GetProperty("text").GetString(), output.RootElement.GetProperty("prompt").GetString());
            Assert.Equal(
                reference.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()),
                output.RootElement.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32()));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
