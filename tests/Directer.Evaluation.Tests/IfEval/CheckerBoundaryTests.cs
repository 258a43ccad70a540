using static Directer.Evaluation.Tests.IfEval.Checks;

namespace Directer.Evaluation.Tests.IfEval;

/// <summary>
/// Every counting checker exactly at, one below and one above its threshold, and the case checks at the first and
/// last character, as google-research's instruction_following_eval/instructions.py defines them: "less than" is
/// <c>&lt;</c>, "at least" is <c>&gt;=</c>, placeholders/highlights/sections are "at least", bullets and paragraphs
/// "exactly"; <c>str.islower()</c>/<c>str.isupper()</c> look at every character.
/// </summary>
public sealed class CheckerBoundaryTests
{
    [Theory]
    [InlineData("hello world", true)]
    [InlineData("hello worlD", false)]       // last character upper case
    [InlineData("Hello world", false)]       // first character
    [InlineData("hello world.D", false)]
    [InlineData("a", true)]
    [InlineData("A", false)]
    [InlineData("hello ǅ", false)]           // titlecase letter last
    [InlineData("123 !!!", false)]           // nothing cased: islower() is False
    public void LowercaseLooksAtEveryCharacter(string response, bool expected)
    {
        Assert.Equal(expected, Follows("change_case:english_lowercase", response));
    }

    [Theory]
    [InlineData("HELLO WORLD", true)]
    [InlineData("HELLO WORLd", false)]       // last character lower case
    [InlineData("hELLO WORLD", false)]
    [InlineData("A", true)]
    [InlineData("a", false)]
    [InlineData("HELLO ǅ", false)]
    [InlineData("123 !!!", false)]
    public void CapitalLooksAtEveryCharacter(string response, bool expected)
    {
        Assert.Equal(expected, Follows("change_case:english_capital", response));
    }

    public static TheoryData<string, string, string, int, int> CountedRelations() => new()
    {
        // id, count key, relation key, threshold, count of the response built below
        { "length_constraints:number_words", "num_words", "relation", 5, 5 },
        { "length_constraints:number_sentences", "num_sentences", "relation", 4, 4 },
        { "change_case:capital_word_frequency", "capital_frequency", "capital_relation", 3, 3 },
        { "keywords:letter_frequency", "let_frequency", "let_relation", 6, 6 },
        { "keywords:frequency", "frequency", "relation", 2, 2 },
    };

    private static string Response(string id, int count) => id switch
    {
        "length_constraints:number_words" => string.Join(" ", Enumerable.Range(0, count).Select(i => $"word{i}")),
        "length_constraints:number_sentences" => string.Join(" ", Enumerable.Range(0, count).Select(i => $"This is sentence number {i}.")),
        "change_case:capital_word_frequency" => string.Join(" ", Enumerable.Range(0, count).Select(_ => "LOUD")) + " quiet Mixed",
        "keywords:letter_frequency" => new string('q', count) + " xyz",
        "keywords:frequency" => string.Join(" and ", Enumerable.Range(0, count).Select(_ => "river")),
        _ => throw new ArgumentOutOfRangeException(nameof(id)),
    };

    private static string Kwargs(string id, string countKey, string relationKey, int threshold, string relation)
    {
        string extra = id switch
        {
            "keywords:letter_frequency" => "\"letter\": \"q\", ",
            "keywords:frequency" => "\"keyword\": \"river\", ",
            _ => "",
        };
        return $"{{{extra}\"{countKey}\": {threshold}, \"{relationKey}\": \"{relation}\"}}";
    }

    [Theory]
    [MemberData(nameof(CountedRelations))]
    public void RelationsAtTheThreshold(string id, string countKey, string relationKey, int threshold, int exact)
    {
        foreach (var (count, atLeast, lessThan) in new[] { (exact - 1, false, true), (exact, true, false), (exact + 1, true, false) })
        {
            string response = Response(id, count);
            Assert.True(atLeast == Follows(id, Kwargs(id, countKey, relationKey, threshold, "at least"), response), $"{id}: {count} at least {threshold}");
            Assert.True(lessThan == Follows(id, Kwargs(id, countKey, relationKey, threshold, "less than"), response), $"{id}: {count} less than {threshold}");
        }
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(4, true)]
    public void PlaceholdersAreAtLeast(int count, bool expected)
    {
        string response = string.Join(" and ", Enumerable.Range(0, count).Select(i => $"[slot{i}]"));
        Assert.Equal(expected, Follows("detectable_content:number_placeholders", "{\"num_placeholders\": 3}", response));
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(4, true)]
    public void HighlightsAreAtLeast(int count, bool expected)
    {
        string response = string.Join(" then ", Enumerable.Range(0, count).Select(i => $"*part {i}*"));
        Assert.Equal(expected, Follows("detectable_format:number_highlighted_sections", "{\"num_highlights\": 3}", response));
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(4, true)]
    public void SectionsAreAtLeast(int count, bool expected)
    {
        string response = string.Join("\n", Enumerable.Range(1, count).Select(i => $"SECTION {i}\nText {i}."));
        Assert.Equal(expected, Follows("detectable_format:multiple_sections", "{\"section_spliter\": \"SECTION\", \"num_sections\": 3}", response));
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(4, false)]
    public void BulletsAreExactly(int count, bool expected)
    {
        string response = "Intro\n" + string.Join("\n", Enumerable.Range(0, count).Select(i => $"* item {i}"));
        Assert.Equal(expected, Follows("detectable_format:number_bullet_lists", "{\"num_bullets\": 3}", response));
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(4, false)]
    public void ParagraphsAreExactly(int count, bool expected)
    {
        string response = string.Join("\n***\n", Enumerable.Range(0, count).Select(i => $"Paragraph {i}."));
        Assert.Equal(expected, Follows("length_constraints:number_paragraphs", "{\"num_paragraphs\": 3}", response));
    }

    [Theory]
    [InlineData("intro SECTION 1 a SECTION 2 b SECTION 3", 3, true)]   // the last splitter ends the text: \s? after the digits
    [InlineData("intro SECTION 1 a SECTION 2 b", 3, false)]
    public void ASplitterAtTheVeryEndCounts(string response, int sections, bool expected)
    {
        // instructions.py: re.split(r"\s?" + section_spliter + r"\s?\d+\s?", response), sections = len(parts) - 1
        Assert.Equal(expected, Follows("detectable_format:multiple_sections", $"{{\"section_spliter\": \"SECTION\", \"num_sections\": {sections}}}", response));
    }

    [Theory]
    [InlineData("P.P.S", "Bye.\nP. P. S. see you", true)]    // r"\s*p\.\s?p\.\s?s.*$": a space after each dot is allowed
    [InlineData("P.P.S", "Bye.\nP.P.S see you", true)]
    [InlineData("P.P.S", "Bye.\nP.S. see you", false)]
    [InlineData("P.S.", "Bye.\nP. S. see you", true)]        // r"\s*p\.\s?s\..*$"
    [InlineData("P.S.", "Bye.\nPS see you", false)]
    public void TheTwoBuiltInMarkersAllowASpaceAfterEachDot(string marker, string response, bool expected)
    {
        Assert.Equal(expected, Follows("detectable_content:postscript", $"{{\"postscript_marker\": \"{marker}\"}}", response));
    }

    [Theory]
    [InlineData('\x1b', false)]
    [InlineData('\x1c', true)]    // str.isspace() is True for the four separators U+001C..U+001F
    [InlineData('\x1d', true)]
    [InlineData('\x1f', true)]
    [InlineData(' ', true)]
    [InlineData('!', false)]
    public void IsSpaceIsPythonsAtTheEdgesOfTheSeparatorRange(char c, bool expected)
    {
        Assert.Equal(expected, Directer.Evaluation.IfEval.PyText.IsSpace(c));
    }
}
