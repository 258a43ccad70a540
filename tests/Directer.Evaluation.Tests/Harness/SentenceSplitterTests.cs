using Directer.Evaluation.Harness;

namespace Directer.Evaluation.Tests.Harness;

public sealed class SentenceSplitterTests
{
    [Fact]
    public void Splits_at_terminal_marks_and_line_breaks_and_trims()
    {
        var sentences = SentenceSplitter.Split("Write a poem about cats.  Do not use commas!\nIs it good? Yes");
        Assert.Equal(["Write a poem about cats.", "Do not use commas!", "Is it good?", "Yes"], sentences);
    }

    [Fact]
    public void Marks_inside_quotes_do_not_end_a_sentence()
    {
        string text = "Finish your response with this exact phrase \"Is there anything else I can help with?\". No other words should follow this phrase.";
        Assert.Equal(
            ["Finish your response with this exact phrase \"Is there anything else I can help with?\".", "No other words should follow this phrase."],
            SentenceSplitter.Split(text));
        Assert.Equal(["Your response has to finish with \"Thanks for asking.\"."], SentenceSplitter.Split("Your response has to finish with \"Thanks for asking.\"."));
    }

    [Fact]
    public void A_quote_that_closes_after_the_mark_ends_the_sentence()
    {
        Assert.Equal(["End with \"Bye.\"", "Then stop."], SentenceSplitter.Split("End with \"Bye.\" Then stop."));
    }

    [Fact]
    public void A_stray_quote_is_closed_by_the_line_break()
    {
        Assert.Equal(["He said \"hi. there", "Next line.", "Last."], SentenceSplitter.Split("He said \"hi. there\nNext line. Last."));
    }

    [Fact]
    public void Abbreviations_do_not_end_a_sentence()
    {
        Assert.Equal(
            ["Use markdown, e.g. *this*, for highlights.", "At the end add a postscript starting with P.S. and a name."],
            SentenceSplitter.Split("Use markdown, e.g. *this*, for highlights. At the end add a postscript starting with P.S. and a name."));
    }

    [Fact]
    public void Quoted_marks_and_list_numbers_before_a_lower_case_word_continue_the_sentence()
    {
        // From IFEval keys 1129 and 1127.
        Assert.Equal(
            ["Contain 6 or more exclamation marks \"!\" in your response.", "First repeat the request (1. do not say any words; 2. the request does not include this sentence)"],
            SentenceSplitter.Split("Contain 6 or more exclamation marks \"!\" in your response.\nFirst repeat the request (1. do not say any words; 2. the request does not include this sentence)"));
        Assert.Equal(
            ["The poem must have 4 sections marked with SECTION X.", "Finish the poem with this exact phrase: \"Can I get my money back?\""],
            SentenceSplitter.Split("The poem must have 4 sections marked with SECTION X. Finish the poem with this exact phrase: \"Can I get my money back?\""));
    }

    [Fact]
    public void Every_sentence_is_an_exact_substring()
    {
        string text = "  First one.\r\n\r\nSecond (with brackets.) Third\t!  ";
        foreach (string s in SentenceSplitter.Split(text))
        {
            Assert.Contains(s, text, StringComparison.Ordinal);
            Assert.Equal(s.Trim(), s);
        }

        Assert.Empty(SentenceSplitter.Split(" \n\t "));
    }
}
