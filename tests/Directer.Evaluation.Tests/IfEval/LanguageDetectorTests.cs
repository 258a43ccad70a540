using System.Text.Json.Nodes;
using Directer.Evaluation.IfEval;
using static Directer.Evaluation.Tests.IfEval.Checks;

namespace Directer.Evaluation.Tests.IfEval;

public sealed class LanguageDetectorTests
{
    private static JsonArray Load(string name)
    {
        using var stream = typeof(LanguageDetectorTests).Assembly.GetManifestResourceStream("Goldens." + name)!;
        return (JsonArray)JsonNode.Parse(stream)!;
    }

    [Fact]
    public void Agrees_with_langdetect_on_sentences_in_every_ifeval_language()
    {
        var cases = Load("language_goldens.json");
        var written = cases.Select(c => c!["written_in"]!.GetValue<string>()).ToHashSet();
        Assert.Subset(written, LanguageDetector.IfEvalLanguages.Keys.ToHashSet());
        var mismatches = cases
            .Select(c => (Text: c!["text"]!.GetValue<string>(), Expected: c["langdetect"]!.GetValue<string>()))
            .Select(c => (c.Text, c.Expected, Actual: LanguageDetector.Detect(c.Text)))
            .Where(c => c.Actual != c.Expected)
            .Select(c => $"{c.Expected} detected as {c.Actual}: {c.Text}")
            .ToList();
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\t")]
    [InlineData("12345 !!! ??? 3.14")]
    [InlineData("*** --- ###")]
    public void Text_without_letters_has_no_language(string text) => Assert.Null(LanguageDetector.Detect(text));

    [Fact]
    public void Text_without_letters_follows_every_language_instruction()
    {
        // langdetect raises "No features in text" and the official checkers count that as followed.
        Assert.True(Follows(IfEvalInstructions.LanguageResponseLanguage, """{"language": "ja"}""", "12345 !!!"));
    }

    [Theory]
    [InlineData("HELLO WORLD, THIS IS FINE.", "en")]
    [InlineData("hello world, this is fine.", "en")]
    [InlineData("Hola, ¿cómo estás? Estoy muy bien, gracias.", "es")]
    [InlineData("Olá, como você está? Eu estou bem, obrigado.", "pt")]
    [InlineData("Zażółć gęślą jaźń.", "pl")]
    [InlineData("Straße und Brücke über dem Fluss", "de")]
    [InlineData("Привіт, як справи? Все добре, дякую.", "uk")]
    [InlineData("Привет, как дела? Всё хорошо, спасибо.", "ru")]
    [InlineData("Здравей, как си? Всичко е наред, благодаря.", "bg")]
    [InlineData("The Hindi word नमस्ते means hello, and it is used as a greeting.", "en")]
    [InlineData("東京は日本の首都です。", "ja")]
    [InlineData("北京是中国的首都。", "zh-cn")]
    [InlineData("```json\n{\"k\": \"v\"}\n```\nhope this helps", "en")] // stray one-letter words are weak evidence
    [InlineData("see the e-mail from the u.s. office", "en")] // "e-mail" and "u.s" are not the Portuguese "e" or Czech "s"
    public void Detects_short_and_mixed_texts(string text, string expected) => Assert.Equal(expected, LanguageDetector.Detect(text));

    [Fact]
    public void Ascii_text_without_evidence_defaults_to_english()
    {
        // A known deviation: langdetect's n-gram model calls a lone "Hello" Finnish (seed 0); with no function word or
        // distinctive letter to go on, this detector answers English.
        Assert.Equal("en", LanguageDetector.Detect("Hello"));
        Assert.Equal("en", LanguageDetector.Detect("Louvre McDonald's"));
    }

    [Theory]
    [InlineData("es", "Creo que esta es la mejor respuesta que puedo darte en este momento.", true)]
    [InlineData("es", "I think this is the best answer that I can give you right now.", false)]
    [InlineData("hi", "मुझे लगता है कि यह सबसे अच्छा जवाब है जो मैं आपको अभी दे सकता हूं।", true)]
    [InlineData("mr", "मुझे लगता है कि यह सबसे अच्छा जवाब है जो मैं आपको अभी दे सकता हूं।", false)]
    [InlineData("fa", "أعتقد أن هذه هي أفضل إجابة يمكنني أن أقدمها لك الآن.", false)]
    public void Response_language_checker(string language, string response, bool expected)
        => Assert.Equal(expected, Follows(IfEvalInstructions.LanguageResponseLanguage, $$"""{"language": "{{language}}"}""", response));

    [Fact]
    public void Response_language_rejects_codes_outside_the_ifeval_table()
    {
        var e = Assert.Throws<ArgumentException>(() => IfEvalInstructions.CreateChecker(
            IfEvalInstructions.LanguageResponseLanguage, (JsonObject)JsonNode.Parse("""{"language": "zh"}""")!));
        Assert.Contains("'language'", e.Message);
    }
}
