using System.Text.Json.Nodes;
using Directer.Evaluation.Harness;
using Directer.Evaluation.IfEval;

namespace Directer.Evaluation.Tests.Harness;

public sealed class EmphasisDerivationTests
{
    private static IfEvalRow Row(string prompt, string[] ids, JsonObject[]? kwargs = null, string? system = null, IReadOnlyList<string>? emphasis = null) =>
        new("k", prompt, ids, kwargs ?? ids.Select(_ => new JsonObject()).ToArray(), emphasis, system);

    [Fact]
    public void The_rows_own_emphasis_wins()
    {
        var row = Row("Write about cats. Do not use commas.", ["punctuation:no_comma"], emphasis: ["Write about cats."]);
        var derived = EmphasisDerivation.For(row);
        Assert.Equal(EmphasisSource.Row, derived.Source);
        Assert.Equal(["Write about cats."], derived.Texts);
    }

    [Fact]
    public void Picks_the_sentences_stating_each_instruction_in_prompt_order()
    {
        // IFEval key 1000, shortened: the task sentence mentions neither commas nor highlights.
        var row = Row(
            "Write a 300+ word summary of the wikipedia page \"https://en.wikipedia.org/wiki/Raymond_III,_Count_of_Tripoli\". "
            + "Do not use any commas and highlight at least 3 sections that has titles in markdown format. Thanks.",
            ["punctuation:no_comma", "detectable_format:number_highlighted_sections", "length_constraints:number_words"],
            [new JsonObject(), new JsonObject { ["num_highlights"] = 3 }, new JsonObject { ["relation"] = "at least", ["num_words"] = 300 }]);
        var derived = EmphasisDerivation.For(row);
        Assert.Equal(EmphasisSource.Instructions, derived.Source);
        Assert.Equal(
            ["Write a 300+ word summary of the wikipedia page \"https://en.wikipedia.org/wiki/Raymond_III,_Count_of_Tripoli\".",
             "Do not use any commas and highlight at least 3 sections that has titles in markdown format."],
            derived.Texts);
    }

    [Fact]
    public void A_sentence_with_the_parameter_and_the_lexicon_beats_one_with_only_the_parameter()
    {
        var row = Row("Write a good essay about a nice city. Do not include the words good or nice in your answer.",
            ["keywords:forbidden_words"], [new JsonObject { ["forbidden_words"] = new JsonArray("good", "nice") }]);
        Assert.Equal(["Do not include the words good or nice in your answer."], EmphasisDerivation.For(row).Texts);
    }

    [Fact]
    public void Parameters_match_whole_words_and_lexicon_words_match_at_a_word_start()
    {
        var row = Row("Describe the catalogue. Mention the word cat at least twice.", ["keywords:existence"], [new JsonObject { ["keywords"] = new JsonArray("cat") }]);
        Assert.Equal(["Mention the word cat at least twice."], EmphasisDerivation.For(row).Texts);

        var commas = Row("Tell me a story. Commas are not welcome.", ["punctuation:no_comma"]);
        Assert.Equal(["Commas are not welcome."], EmphasisDerivation.For(commas).Texts);
    }

    [Fact]
    public void The_language_code_finds_the_language_name()
    {
        var row = Row("Write a riddle about a mongoose. Your entire response should be in Hindi, no other language is allowed.",
            ["language:response_language"], [new JsonObject { ["language"] = "hi" }]);
        Assert.Equal(["Your entire response should be in Hindi, no other language is allowed."], EmphasisDerivation.For(row).Texts);
    }

    [Fact]
    public void Without_any_cue_the_prompts_last_sentence_stands_in()
    {
        var row = Row("Tell me about owls. Keep it friendly.", ["punctuation:no_comma"]);
        var derived = EmphasisDerivation.For(row);
        Assert.Equal(EmphasisSource.Fallback, derived.Source);
        Assert.Equal(["Keep it friendly."], derived.Texts);
    }

    [Fact]
    public void The_system_message_is_searched_too()
    {
        var row = Row("Share a few things about owls.", ["change_case:english_lowercase"], system: "You are an AI helper. Your reply must be entirely in lowercase.");
        var derived = EmphasisDerivation.For(row);
        Assert.Equal(EmphasisSource.Instructions, derived.Source);
        Assert.Equal(["Your reply must be entirely in lowercase."], derived.Texts);
    }

    [Fact]
    public void Every_instruction_id_has_a_lexicon()
    {
        Assert.Equal(IfEvalInstructions.All.Order(StringComparer.Ordinal), InstructionCues.KnownInstructionIds.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void On_the_demo_set_the_rule_finds_the_sentence_the_converter_names()
    {
        // The converter knows where the demo states its constraint; the generic rule must find the same sentence.
        var rows = IfEvalDataset.Read(DemoFiles.IfEvalHeldOut);
        Assert.Equal(160, rows.Count);
        foreach (var row in rows)
        {
            var derived = EmphasisDerivation.For(row with { Emphasis = null });
            Assert.True(derived.Source == EmphasisSource.Instructions, row.Key);
            Assert.Equal(row.Emphasis, derived.Texts);
        }
    }
}
