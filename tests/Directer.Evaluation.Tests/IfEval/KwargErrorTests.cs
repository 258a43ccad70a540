using static Directer.Evaluation.Tests.IfEval.Checks;

namespace Directer.Evaluation.Tests.IfEval;

/// <summary>
/// Where the official <c>build_description</c> would pick a random value or raise, the checker throws an
/// <see cref="ArgumentException"/> that names the instruction, the kwarg, what was expected and what was given;
/// integers are accepted up to the edges of <see cref="int"/>, inclusive.
/// </summary>
public sealed class KwargErrorTests
{
    private static string Error(string id, string kwargsJson)
        => Assert.Throws<ArgumentException>(() => Follows(id, kwargsJson, "text")).Message;

    [Theory]
    [InlineData("length_constraints:number_words", "{\"relation\": \"less than\"}",
        "instruction 'length_constraints:number_words': kwarg 'num_words' must be an integer >= 0, got nothing (missing or null).")]
    [InlineData("length_constraints:number_words", "{\"num_words\": \"many\", \"relation\": \"less than\"}",
        "instruction 'length_constraints:number_words': kwarg 'num_words' must be an integer >= 0, got \"many\".")]
    [InlineData("length_constraints:number_words", "{\"num_words\": 2147483648, \"relation\": \"less than\"}",
        "instruction 'length_constraints:number_words': kwarg 'num_words' must be an integer >= 0, got 2147483648.")]
    [InlineData("length_constraints:nth_paragraph_first_word", "{\"num_paragraphs\": 2, \"nth_paragraph\": 0, \"first_word\": \"so\"}",
        "instruction 'length_constraints:nth_paragraph_first_word': kwarg 'nth_paragraph' must be an integer >= 1, got 0.")]
    [InlineData("change_case:capital_word_frequency", "{\"capital_frequency\": \"many\", \"capital_relation\": \"at least\"}",
        "instruction 'change_case:capital_word_frequency': kwarg 'capital_frequency' must be an integer, got \"many\".")]
    [InlineData("change_case:capital_word_frequency", "{\"capital_frequency\": -2147483649, \"capital_relation\": \"at least\"}",
        "instruction 'change_case:capital_word_frequency': kwarg 'capital_frequency' must be an integer, got -2147483649.")]
    [InlineData("keywords:frequency", "{\"keyword\": 7, \"frequency\": 1, \"relation\": \"at least\"}",
        "instruction 'keywords:frequency': kwarg 'keyword' must be a non-empty string, got 7.")]
    [InlineData("keywords:frequency", "{\"keyword\": \"\", \"frequency\": 1, \"relation\": \"at least\"}",
        "instruction 'keywords:frequency': kwarg 'keyword' must be a non-empty string, got \"\".")]
    [InlineData("startend:end_checker", "{\"end_phrase\": 7}",
        "instruction 'startend:end_checker': kwarg 'end_phrase' must be a string, got 7.")]
    public void BadKwargsNameTheKwargWhatWasExpectedAndWhatWasGiven(string id, string kwargs, string expected)
    {
        Assert.Equal(expected, Error(id, kwargs));
    }

    [Theory]
    [InlineData("keywords:forbidden_words", "{\"forbidden_words\": [\"ok\", \"(\"]}", "forbidden_words")]
    [InlineData("keywords:frequency", "{\"keyword\": \"(\", \"frequency\": 1, \"relation\": \"at least\"}", "keyword")]
    [InlineData("detectable_format:multiple_sections", "{\"section_spliter\": \"(\", \"num_sections\": 2}", "section_spliter")]
    [InlineData("detectable_content:postscript", "{\"postscript_marker\": \"PS(\"}", "postscript_marker")]
    public void AKwargThatIsNotAValidPatternIsNamed(string id, string kwargs, string name)
    {
        // The official code hands these to Python's re unescaped (re.error there); here the error names the kwarg.
        Assert.StartsWith($"instruction '{id}': kwarg '{name}' is not a valid regular expression (", Error(id, kwargs));
    }

    [Fact]
    public void AnUnknownLanguageListsTheThirtyCodesAndNamesTheOneGiven()
    {
        string message = Error("language:response_language", "{\"language\": \"xx\"}");
        const string head = "instruction 'language:response_language': kwarg 'language' must be one of ", tail = ", got \"xx\".";
        Assert.StartsWith(head, message);
        Assert.EndsWith(tail, message);
        // The 30 codes of the official LANGUAGE_CODES (instructions_util.py), comma separated, in any order.
        string[] official = ["en", "es", "pt", "ar", "hi", "fr", "ru", "de", "ja", "it", "bn", "uk", "th", "ur", "ta",
            "te", "bg", "ko", "pl", "he", "fa", "vi", "ne", "sw", "kn", "mr", "gu", "pa", "ml", "fi"];
        string[] listed = message[head.Length..^tail.Length].Split(", ");
        Assert.Equal(official.Order(), listed.Order());
    }

    [Fact]
    public void IntegersAreAcceptedUpToTheEdgesOfInt32Inclusive()
    {
        // 2^31 - 1 words: a short text is less than that; -2^31 capital words (no minimum, as in the official code):
        // every text has at least that many.
        Assert.True(Follows("length_constraints:number_words", "{\"num_words\": 2147483647, \"relation\": \"less than\"}", "two words"));
        Assert.True(Follows("change_case:capital_word_frequency", "{\"capital_frequency\": -2147483648, \"capital_relation\": \"at least\"}", "none here"));
        Assert.False(Follows("change_case:capital_word_frequency", "{\"capital_frequency\": -2147483648, \"capital_relation\": \"less than\"}", "none here"));
    }
}
