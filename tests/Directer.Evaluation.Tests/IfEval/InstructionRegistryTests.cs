using System.Text.Json.Nodes;
using Directer.Evaluation.IfEval;

namespace Directer.Evaluation.Tests.IfEval;

public sealed class InstructionRegistryTests
{
    [Fact]
    public void Supports_the_25_official_ids()
    {
        Assert.Equal(25, IfEvalInstructions.All.Count);
        Assert.Equal(25, IfEvalInstructions.All.Distinct().Count());
        Assert.Contains("detectable_format:number_highlighted_sections", IfEvalInstructions.All);
        Assert.True(IfEvalInstructions.IsSupported("punctuation:no_comma"));
        // Ids the official registry comments out are not supported.
        Assert.False(IfEvalInstructions.IsSupported("keywords:key_sentences"));
        Assert.False(IfEvalInstructions.IsSupported("detectable_format:rephrase"));
        Assert.False(IfEvalInstructions.IsSupported("Punctuation:No_Comma"));
    }

    [Fact]
    public void Every_id_builds_a_checker_that_names_it()
    {
        foreach (string id in IfEvalInstructions.All)
        {
            var checker = IfEvalInstructions.CreateChecker(id, ValidKwargs(id));
            Assert.Equal(id, checker.InstructionId);
        }
    }

    [Theory]
    [InlineData("keywords:existence", "keywords")]
    [InlineData("change_case:english_capital", "change_case")]
    [InlineData("nocolon", "nocolon")]
    public void Category_is_the_part_before_the_colon(string id, string category)
        => Assert.Equal(category, IfEvalInstructions.CategoryOf(id));

    [Theory]
    [InlineData("length_constraints:number_words", """{"relation": "at least"}""", "'num_words'")]
    [InlineData("length_constraints:number_words", """{"num_words": "5", "relation": "at least"}""", "'num_words'")]
    [InlineData("length_constraints:number_words", """{"num_words": 2.5, "relation": "at least"}""", "'num_words'")]
    [InlineData("length_constraints:number_words", """{"num_words": -1, "relation": "at least"}""", "'num_words'")]
    [InlineData("length_constraints:number_words", """{"num_words": 5, "relation": "at most"}""", "'relation'")]
    [InlineData("length_constraints:number_words", """{"num_words": 5, "relation": "At Least"}""", "'relation'")]
    [InlineData("keywords:existence", """{"keywords": []}""", "'keywords'")]
    [InlineData("keywords:existence", """{"keywords": "river"}""", "'keywords'")]
    [InlineData("keywords:existence", """{"keywords": ["river", 3]}""", "'keywords'")]
    [InlineData("keywords:existence", """{"keywords": ["C++"]}""", "'keywords'")]
    [InlineData("keywords:frequency", """{"keyword": "", "frequency": 1, "relation": "at least"}""", "'keyword'")]
    [InlineData("combination:repeat_prompt", """{"prompt_to_repeat": ""}""", "'prompt_to_repeat'")]
    [InlineData("length_constraints:nth_paragraph_first_word", """{"num_paragraphs": 2, "nth_paragraph": 3, "first_word": "a"}""", "'nth_paragraph'")]
    [InlineData("length_constraints:nth_paragraph_first_word", """{"num_paragraphs": 2, "nth_paragraph": 0, "first_word": "a"}""", "'nth_paragraph'")]
    [InlineData("punctuation:no_comma", """{"num_words": 5}""", "'num_words'")]
    [InlineData("detectable_content:postscript", """{"postscript_marker": 5}""", "'postscript_marker'")]
    [InlineData("keywords:letter_frequency", """{"letter": " ", "let_frequency": 1, "let_relation": "at least"}""", "'letter'")]
    public void Invalid_kwargs_name_the_instruction_and_the_kwarg(string id, string kwargs, string named)
    {
        var e = Assert.Throws<ArgumentException>(() => IfEvalInstructions.CreateChecker(id, (JsonObject)JsonNode.Parse(kwargs)!));
        Assert.Contains(id, e.Message);
        Assert.Contains(named, e.Message);
    }

    [Fact]
    public void Unknown_id_is_an_error()
    {
        var e = Assert.Throws<ArgumentException>(() => IfEvalInstructions.CreateChecker("keywords:nope", null));
        Assert.Contains("keywords:nope", e.Message);
    }

    [Fact]
    public void Integral_floats_and_negative_capital_frequency_are_accepted()
    {
        IfEvalInstructions.CreateChecker("length_constraints:number_words", (JsonObject)JsonNode.Parse("""{"num_words": 5.0, "relation": "at least"}""")!);
        // The official code only replaces a missing capital_frequency, so a negative one is kept (and "at least" passes).
        var checker = IfEvalInstructions.CreateChecker("change_case:capital_word_frequency",
            (JsonObject)JsonNode.Parse("""{"capital_frequency": -1, "capital_relation": "at least"}""")!);
        Assert.True(checker.IsFollowed("no capitals"));
    }

    /// <summary>A valid kwargs object for each id (as the official data has them).</summary>
    internal static JsonObject ValidKwargs(string id) => (JsonObject)JsonNode.Parse(id switch
    {
        "keywords:existence" => """{"keywords": ["river"]}""",
        "keywords:frequency" => """{"keyword": "river", "frequency": 2, "relation": "at least"}""",
        "keywords:forbidden_words" => """{"forbidden_words": ["river"]}""",
        "keywords:letter_frequency" => """{"letter": "e", "let_frequency": 2, "let_relation": "less than"}""",
        "language:response_language" => """{"language": "en"}""",
        "length_constraints:number_sentences" => """{"num_sentences": 2, "relation": "at least"}""",
        "length_constraints:number_paragraphs" => """{"num_paragraphs": 2}""",
        "length_constraints:number_words" => """{"num_words": 2, "relation": "at least"}""",
        "length_constraints:nth_paragraph_first_word" => """{"num_paragraphs": 2, "nth_paragraph": 1, "first_word": "the"}""",
        "detectable_content:number_placeholders" => """{"num_placeholders": 2}""",
        "detectable_content:postscript" => """{"postscript_marker": "P.S."}""",
        "detectable_format:number_bullet_lists" => """{"num_bullets": 2}""",
        "detectable_format:number_highlighted_sections" => """{"num_highlights": 2}""",
        "detectable_format:multiple_sections" => """{"section_spliter": "Section", "num_sections": 2}""",
        "combination:repeat_prompt" => """{"prompt_to_repeat": "Say hi."}""",
        "startend:end_checker" => """{"end_phrase": "Bye."}""",
        "change_case:capital_word_frequency" => """{"capital_frequency": 2, "capital_relation": "at least"}""",
        _ => "{}",
    })!;
}
