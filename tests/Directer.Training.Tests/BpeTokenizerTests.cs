using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Directer.Training.Data;
using Directer.Training.Tokenization;
using Microsoft.ML.Tokenizers;

namespace Directer.Training.Tests;

public sealed class BpeTokenizerTests : IDisposable
{
    private static readonly Lazy<BpeVocabulary> Trained = new(() => TrainSmall(600));
    private readonly string dir = Path.Combine(Path.GetTempPath(), "directer-bpe-" + Guid.NewGuid().ToString("N"));

    private static readonly string[] Samples =
    [
        "Hello world! It's 2026-03-14, isn't it?",
        "héllo wörld — naïve café, Zürich, Ærøskøbing",
        "日本語のテキストと한국어 그리고 русский текст",
        "emoji 🙂🚀 and tabs\tand\r\nnewlines\n\n  indented",
        "<|im_start|>user\nCall <tool_call>\n{\"name\": \"x\", \"arguments\": {}}\n</tool_call><|im_end|>\n<|endoftext|>",
        "   leading and trailing spaces   ",
        "e\u0301 (decomposed é) ﬁ ligature",
    ];

    private static BpeVocabulary TrainSmall(int vocabSize)
    {
        var g = new ConversationGenerator(42);
        var texts = Enumerable.Range(0, 300).Select(i =>
        {
            var c = g.Generate(i);
            return ChatMlRenderer.Render(c.Messages, c.Tools).Text;
        });
        return BpeTrainer.Train(texts, vocabSize);
    }

    public void Dispose()
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void VocabularyHasBytesMergesAndAddedTokens()
    {
        var v = Trained.Value;
        Assert.Equal(600, v.Count);
        Assert.Equal(600 - 256 - 5, v.Merges.Count);
        Assert.Equal(new[] { 595, 596, 597, 598, 599 }, SpecialTokens.All.Select(s => v.SpecialIds[s.Content]).ToArray());
        Assert.Equal("Ġ", v.Tokens[' ']);
        Assert.Equal("!", v.Tokens['!']);
    }

    [Fact]
    public void TrainingIsDeterministic()
    {
        var again = TrainSmall(600);
        Assert.Equal(Trained.Value.Merges, again.Merges);
    }

    [Fact]
    public void RoundTripsTextIncludingUnicode()
    {
        var v = Trained.Value;
        foreach (string s in Samples)
        {
            string expected = s.Normalize(System.Text.NormalizationForm.FormC);
            Assert.Equal(expected, v.Decode(v.Encode(s)));
        }
    }

    [Fact]
    public void AddedTokensAreSingleIdsAndCompressionIsReal()
    {
        var v = Trained.Value;
        var ids = v.Encode("<|im_start|>assistant\n<tool_call>\n");
        Assert.Equal(v.SpecialIds[SpecialTokens.ImStart], ids[0]);
        Assert.Contains(v.SpecialIds[SpecialTokens.ToolCallOpen], ids);
        var c = new ConversationGenerator(43).Generate(0);
        string text = ChatMlRenderer.Render(c.Messages, c.Tools).Text;
        Assert.True(v.Encode(text).Count * 2.5 < text.Length, "a vocabulary trained on this corpus should compress it well below 1 token per 2.5 chars");
    }

    [Fact]
    public void TokenizerJsonReadsBackToTheSameEncoder()
    {
        var v = Trained.Value;
        HfTokenizerFiles.Write(dir, v, 1024);
        var read = HfTokenizerFiles.Read(Path.Combine(dir, "tokenizer.json"));
        Assert.Equal(v.Tokens, read.Tokens);
        foreach (string s in Samples)
        {
            Assert.Equal(v.Encode(s), read.Encode(s));
        }

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "tokenizer.json")))!;
        Assert.Equal("BPE", json["model"]!["type"]!.GetValue<string>());
        Assert.Contains(" ", json["model"]!["merges"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("ByteLevel", json["decoder"]!["type"]!.GetValue<string>());
        Assert.Equal("Split", json["pre_tokenizer"]!["pretokenizers"]![0]!["type"]!.GetValue<string>());
        Assert.Equal(5, json["added_tokens"]!.AsArray().Count);

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "tokenizer_config.json")))!;
        Assert.Equal("<|im_end|>", config["eos_token"]!.GetValue<string>());
        Assert.Null(config["bos_token"]);
        Assert.Equal(QwenChatTemplate.Text, config["chat_template"]!.GetValue<string>());
        var generation = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "generation_config.json")))!;
        Assert.Equal(new[] { 597, 595 }, generation["eos_token_id"]!.AsArray().Select(x => x!.GetValue<int>()).ToArray());
    }

    [Fact]
    public void MicrosoftMlBpeTokenizerAgreesWithOurEncoder()
    {
        var v = Trained.Value;
        var specials = v.SpecialIds.ToDictionary(kv => kv.Key, kv => kv.Value);
        var vocab = Enumerable.Range(0, v.Count - specials.Count).Select(i => new KeyValuePair<string, int>(v.Tokens[i], i));
        var options = new BpeOptions(vocab)
        {
            Merges = v.Merges.Select(m => m.Left + " " + m.Right),
            ByteLevel = true,
            PreTokenizer = new RegexPreTokenizer(new Regex(Directer.Training.Tokenization.PreTokenizer.Pattern, RegexOptions.Compiled), specials),
            SpecialTokens = specials,
        };
        var ml = BpeTokenizer.Create(options);
        var g = new ConversationGenerator(44);
        var texts = Enumerable.Range(0, 20).Select(i =>
        {
            var c = g.Generate(i);
            return ChatMlRenderer.Render(c.Messages, c.Tools).Text;
        }).Concat(Samples.Where(s => s.IsNormalized()));
        foreach (string text in texts)
        {
            var ours = v.Encode(text);
            var theirs = ml.EncodeToIds(text).ToList();
            Assert.Equal(ours, theirs);
            Assert.Equal(text, ml.Decode(theirs));
        }
    }
}
