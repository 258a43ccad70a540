using Directer.Evaluation.IfEval;
using static Directer.Evaluation.Tests.IfEval.Checks;

namespace Directer.Evaluation.Tests.IfEval;

/// <summary>Punkt sentences, NLTK word tokens and word counts on hand-picked texts (expectations from NLTK 3.8 with
/// Punkt given <see cref="PunktEnglish"/>'s parameters; the muffins texts are NLTK's own doctests).</summary>
public sealed class TokenizerTests
{
    public static TheoryData<string, string[]> Sentences => new()
    {
        { "Dr. Smith went to Washington. He said etc. The end.", ["Dr. Smith went to Washington.", "He said etc.", "The end."] },
        { "(Sent1.) Sent2.", ["(Sent1.)", "Sent2."] },
        { "Hello!!! Are you there?", ["Hello!!!", "Are you there?"] },
        { "He said \"Stop.\" Then he left.", ["He said \"Stop.\"", "Then he left."] },
        { "", [] },
        { "   ", [] },
        { "1. First item\n2. Second item", ["1.", "First item\n2.", "Second item"] },
        { "Good muffins cost $3.88\nin New York.  Please buy me\ntwo of them.\n\nThanks.",
            ["Good muffins cost $3.88\nin New York.", "Please buy me\ntwo of them.", "Thanks."] },
        { "The U.S. Army arrived. It was 5 p.m. in the U.S.", ["The U.S. Army arrived.", "It was 5 p.m. in the U.S."] },
        { "J. R. R. Tolkien wrote it. e.g. this one.", ["J. R. R. Tolkien wrote it.", "e.g. this one."] },
        { "Wait... what? No way!", ["Wait... what?", "No way!"] },
        { "See fig. 3 and vol. 2 of the report.", ["See fig. 3 and vol. 2 of the report."] },
    };

    [Theory]
    [MemberData(nameof(Sentences))]
    public void Punkt_sentences(string text, string[] expected) => Assert.Equal(expected, PunktSentenceTokenizer.Tokenize(text));

    [Fact]
    public void Nltk_word_tokenizer_doctest()
    {
        const string text = "Good muffins cost $3.88 (roughly 3,36 euros)\nin New York.  Please buy me\ntwo of them.\nThanks.";
        Assert.Equal(
            ["Good", "muffins", "cost", "$", "3.88", "(", "roughly", "3,36", "euros", ")", "in", "New", "York.", "Please", "buy",
                "me", "two", "of", "them.", "Thanks", "."],
            TreebankWordTokenizer.Tokenize(text));
        // word_tokenize splits sentences first, so every sentence's final period becomes a token.
        Assert.Equal(
            ["Good", "muffins", "cost", "$", "3.88", "(", "roughly", "3,36", "euros", ")", "in", "New", "York", ".", "Please",
                "buy", "me", "two", "of", "them", ".", "Thanks", "."],
            TreebankWordTokenizer.WordTokenize(text));
    }

    public static TheoryData<string, string[]> Words => new()
    {
        { "I CAN'T believe it's 'quoted' -- \"really\"...",
            ["I", "CA", "N'T", "believe", "it", "'s", "'quoted", "'", "--", "``", "really", "''", "..."] },
        { "gimme LEMME wanna go", ["gim", "me", "LEM", "ME", "wan", "na", "go"] },
        { "'Tis the season.", ["'T", "is", "the", "season", "."] },
    };

    [Theory]
    [MemberData(nameof(Words))]
    public void Word_tokenize_splits_contractions_and_quotes(string text, string[] expected)
        => Assert.Equal(expected, TreebankWordTokenizer.WordTokenize(text));

    [Theory]
    [InlineData("", 0)]
    [InlineData("one", 1)]
    [InlineData("e-mail isn't 100% ok_ay", 6)]
    [InlineData("café naïve", 2)]
    [InlineData("Привет мир", 2)]
    [InlineData("東京は日本の首都です。", 1)]
    [InlineData("नमस्ते", 2)] // Python's \w excludes the combining vowel sign and virama: "नमस", "त"
    [InlineData("x²+y² 𝐀𝐁", 3)] // superscripts (No) and astral letters are word characters
    public void Count_words(string text, int expected) => Assert.Equal(expected, WordCounter.Count(text));

    [Theory]
    [InlineData(IfEvalInstructions.LengthNumberWords, """{"num_words": 4, "relation": "at least"}""", "one two three four", true)]
    [InlineData(IfEvalInstructions.LengthNumberWords, """{"num_words": 4, "relation": "less than"}""", "one two three four", false)]
    [InlineData(IfEvalInstructions.LengthNumberWords, """{"num_words": 5, "relation": "less than"}""", "one two three four", true)]
    [InlineData(IfEvalInstructions.LengthNumberSentences, """{"num_sentences": 2, "relation": "at least"}""", "One. Two.", true)]
    [InlineData(IfEvalInstructions.LengthNumberSentences, """{"num_sentences": 2, "relation": "less than"}""", "One. Two.", false)]
    [InlineData(IfEvalInstructions.LengthNumberSentences, """{"num_sentences": 3, "relation": "less than"}""", "One. Two.", true)]
    [InlineData(IfEvalInstructions.ChangeCaseCapitalWordFrequency, """{"capital_frequency": 2, "capital_relation": "at least"}""", "AB CD ef", true)]
    [InlineData(IfEvalInstructions.ChangeCaseCapitalWordFrequency, """{"capital_frequency": 2, "capital_relation": "less than"}""", "AB CD ef", false)]
    [InlineData(IfEvalInstructions.ContentNumberPlaceholders, """{"num_placeholders": 2}""", "[a] [b]", true)]
    [InlineData(IfEvalInstructions.FormatNumberHighlightedSections, """{"num_highlights": 2}""", "*a* *b*", true)]
    [InlineData(IfEvalInstructions.FormatMultipleSections, """{"section_spliter": "Section", "num_sections": 2}""", "Section 1 a Section 2 b", true)]
    public void Relations_at_the_boundary(string id, string kwargs, string response, bool expected)
        => Assert.Equal(expected, Follows(id, kwargs, response));
}
