using Directer.Evaluation.IfEval;
using static Directer.Evaluation.Tests.IfEval.Checks;

namespace Directer.Evaluation.Tests.IfEval;

/// <summary>
/// The expectations of the official google-research <c>instructions_test.py</c> and <c>instructions_util_test.py</c>,
/// with their inputs spelled out exactly (Python's triple-quoted strings keep the two-space class indentation).
/// </summary>
public sealed class OfficialGoldenTests
{
    [Theory]
    [InlineData("The response is English", "en")]
    [InlineData("Desayunamos en McDonald's hoy", "es")]
    [InlineData("Today we visit the Louvre", "en")]
    public void Response_language(string response, string language)
        => Assert.True(Follows(IfEvalInstructions.LanguageResponseLanguage, $$"""{"language": "{{language}}"}""", response));

    [Theory]
    [InlineData("xx,x. xx,x! xx/x. x{x}x?", "less than", 4, false)]
    [InlineData("xxxx. xx,x! xxxx. x(x)x?", "less than", 5, true)]
    [InlineData("xxxx. xx,x! xx|x. x&x x?", "at least", 4, true)]
    [InlineData("xx-x. xx,x! xx}x. x,xx?", "at least", 5, false)]
    public void Number_sentences(string response, string relation, int num, bool expected)
        => Assert.Equal(expected, Follows(IfEvalInstructions.LengthNumberSentences,
            $$"""{"num_sentences": {{num}}, "relation": "{{relation}}"}""", response));

    [Fact]
    public void Number_placeholders()
    {
        string template1 = "Sure, here is a short template with 5 placeholders:\n[Name]\n[Email]\n[Phone]\n[Address]\n[Website]\n"
            + "This template can be used for a variety of purposes, such ascreating a contact list, sending out surveys, or creating a sign-up form.";
        string template2 = "My [adjective] [noun] is [adjective] [noun]. I [verb] and [verb].";
        Assert.True(Follows(IfEvalInstructions.ContentNumberPlaceholders, """{"num_placeholders": 5}""", template1));
        Assert.False(Follows(IfEvalInstructions.ContentNumberPlaceholders, """{"num_placeholders": 7}""", template2));
    }

    private static readonly string Bullet1 = Lines("",
        "  A Markdown bullet point is a way of formatting text to create a list. To",
        "  create a bullet point, start each line with an asterisk (*). For example:",
        "  * This is a bullet point.",
        "  *(no space required)Another bullet point.",
        "  * (no newline ending required)Another bullet point.",
        "  markdown bullet points are often used to create to-do lists or to list items",
        "  in a step-by-step guide.");

    private static readonly string Bullet2 = Lines("",
        "  Check that inline asterisk (*), *, will not be counted. Only * that starts a",
        "  bullet list will be counted:",
        "    * This is a bullet point.",
        "    * Another bullet point.",
        "    . dot is not counted");

    private static readonly string Bullet3 = Lines("",
        "  Here are three bullets starting with asterisk:",
        "  * I am a large language model, also known as a conversational AI.",
        "  * I am trained on a massive amount of text data, and I am able to communicate.",
        "  * I am still under development, but I am learning new things every day.");

    private static readonly string Bullet4 = Lines("",
        "  Here are three markdown bullets:",
        "  - I am a large language model, also known as a conversational AI.",
        "  - I am trained on a massive amount of text data, and I am able to communicate.",
        "  -I am still under development, but I am learning new things every day.");

    private static readonly string Bullet5 = Lines("",
        "  Paragraph 1",
        "  ***",
        "  Paragraph 2",
        "  ***",
        "  Paragraph 3",
        "  * only one bullet point",
        "  ");

    [Fact]
    public void Number_bullet_lists()
    {
        Assert.True(Follows(IfEvalInstructions.FormatNumberBulletLists, """{"num_bullets": 3}""", Bullet1));
        Assert.True(Follows(IfEvalInstructions.FormatNumberBulletLists, """{"num_bullets": 2}""", Bullet2));
        Assert.True(Follows(IfEvalInstructions.FormatNumberBulletLists, """{"num_bullets": 3}""", Bullet3));
        Assert.True(Follows(IfEvalInstructions.FormatNumberBulletLists, """{"num_bullets": 3}""", Bullet4));
        Assert.True(Follows(IfEvalInstructions.FormatNumberBulletLists, """{"num_bullets": 1}""", Bullet5));
    }

    [Fact]
    public void Constrained_response()
    {
        Assert.True(Follows(IfEvalInstructions.FormatConstrainedResponse, "\n My answer is no.\n"));
        Assert.True(Follows(IfEvalInstructions.FormatConstrainedResponse, "My answer is no.   "));
        Assert.True(Follows(IfEvalInstructions.FormatConstrainedResponse, Lines("",
            "  My answer is no. I am still under development and I am always learning and",
            "  improving. I am not the best chatbot in the world, but I am striving to be",
            "  the best that I can be.")));
    }

    [Fact]
    public void Number_highlighted_sections()
    {
        string m1 = Lines("",
            "  To highlight text with Markdown, you can use the * character before and after",
            "  the text you want to highlight. For example, if you want to highlight the",
            "  word `hello`, you would type:*hello*, You can also use the ** character to",
            "  create bold text. For example, if you want to bold the word `hello`, you",
            "  would type: **hello** ");
        string m2 = Lines("",
            "  Sure, here are the numerical methods for solving partial differential",
            "  equations highlighted with Markdown:",
            "  *Finite difference methods",
            "  *Finite element methods*",
            "  *Boundary element methods",
            "  *Monte Carlo methods",
            "  I hope this helps!");
        string m3 = Lines("",
            "  There is allowed to be *two different* highlighted *sections in the same*",
            "  line. **This is also true** for **double markdown highlights.**",
            "  ");
        Assert.True(Follows(IfEvalInstructions.FormatNumberHighlightedSections, """{"num_highlights": 2}""", m1));
        Assert.False(Follows(IfEvalInstructions.FormatNumberHighlightedSections, """{"num_highlights": 2}""", m2));
        Assert.True(Follows(IfEvalInstructions.FormatNumberHighlightedSections, """{"num_highlights": 4}""", m3));
    }

    [Fact]
    public void Multiple_sections()
    {
        string m1 = Lines("",
            "  Your response must have multiple sections. Mark the beginning of each section",
            "  with \"Section X\", such as:",
            "  Section 1",
            "  [content of section 1]",
            "  Section 2",
            "  [content of section 2]");
        string m2 = Lines("SECTION 1", "  [content of section 1]", "  SECTION 2", "  [content of section 2]");
        Assert.False(Follows(IfEvalInstructions.FormatMultipleSections, """{"section_spliter": "Section", "num_sections": 3}""", m1));
        Assert.True(Follows(IfEvalInstructions.FormatMultipleSections, """{"section_spliter": "SECTION", "num_sections": 2}""", m2));
    }

    [Fact]
    public void Number_paragraphs()
    {
        string m1 = Lines("", "  paragraph 1", "  ***", "  paragraph 2", "  ***", "  paragraph 3");
        string m2 = Lines("", "          ***", "  paragraph 1", "          ***", "      paragraph 2", "          ***", "      paragraph 3");
        string m3 = Lines("", "  paragraph 1", "          ***", "      paragraph 2", "          ***", "      paragraph 3", "          ***");
        string m4 = Lines("", "  paragraph 1", "          ***", "      paragraph 2", "          ***", "          ***");
        Assert.True(Follows(IfEvalInstructions.LengthNumberParagraphs, """{"num_paragraphs": 3}""", m1));
        Assert.True(Follows(IfEvalInstructions.LengthNumberParagraphs, """{"num_paragraphs": 3}""", m2));
        Assert.True(Follows(IfEvalInstructions.LengthNumberParagraphs, """{"num_paragraphs": 3}""", m3));
        Assert.False(Follows(IfEvalInstructions.LengthNumberParagraphs, """{"num_paragraphs": 2}""", m4));
    }

    [Fact]
    public void Postscript()
    {
        string m1 = Lines("",
            "  I will do my best to follow your instructions and always start my responses",
            "  with \"My response is:\". I will try to be as consistent as possible, but",
            "  please be patient with me if I make a mistake. I am still under development,",
            "  and I am always learning new things.",
            "",
            "  P.S. I hope this is what you were looking for.");
        string m2 = Lines("",
            "  Sure, here is my response with a postscript starting with P.P.S.:",
            "",
            "  My response is: I hope this answers your question.",
            "",
            "  P.P.S. I am always happy to answer any other questions you may have.",
            "",
            "  Do you have any other questions for me?");
        string m3 = Lines("",
            "  The radius of a unit circle is 1. However, I can give you a funny and wrong",
            "  answer: the radius of a unit circle is 0. This is because a unit circle is a",
            "  circle with a radius of 1, and if the radius is 0, then the circle has no",
            "  size and is just a point. (not starting a new line) P.S. I hope you enjoyed",
            "  my joke!");
        string m4 = Lines("",
            "  If the length of a square is one, the area of the square will also be one.",
            "  p.p.s what if the entire response was lower case letters?",
            "  ");
        string m5 = Lines("",
            "  The mysteries of space and time are mysterious.",
            "  P. S. Sometimes there are even spaces between P. and S..",
            "  ");
        const string id = IfEvalInstructions.ContentPostscript;
        Assert.True(Follows(id, """{"postscript_marker": "P.S."}""", m1));
        Assert.False(Follows(id, """{"postscript_marker": "PS:"}""", m1));
        Assert.True(Follows(id, """{"postscript_marker": "P.P.S"}""", m2));
        Assert.True(Follows(id, """{"postscript_marker": "P.S."}""", m3));
        Assert.True(Follows(id, """{"postscript_marker": "P.P.S"}""", m4));
        Assert.True(Follows(id, """{"postscript_marker": "P.S."}""", m5));
    }

    [Fact]
    public void Keyword_existence()
    {
        string m1 = Lines("",
            "  Paris is a city of beauty and romance. The romantic river Seine winds its way",
            "  through the city, past iconic landmarks like the Eiffel Tower and the Louvre",
            "  Museum, where the Mona Lisa resides. Whether you're taking a boat cruise down",
            "  the river or simply strolling along the banks, you're sure to be captivated",
            "  by the city's charm.");
        string m2 = Lines("",
            "  Paris is a city of beauty, romance, and history. It is home to some of the",
            "  most iconic landmarks in the world, including the Eiffel Tower, the Louvre",
            "  Museum, and the Notre Dame Cathedral. The city is also known for its romantic",
            "  river cruises, its delicious food, and its stylish people.",
            "  ");
        const string kwargs = """{"keywords": ["romantic", "river", "Mona Lisa"]}""";
        Assert.True(Follows(IfEvalInstructions.KeywordsExistence, kwargs, m1));
        Assert.False(Follows(IfEvalInstructions.KeywordsExistence, kwargs, m2));
    }

    [Fact]
    public void Keyword_frequency()
    {
        string m1 = Lines("", "  keyword, Keyword, KEYWORD", "  ");
        string m2 = Lines("", "    *keyword", "    *Keyword", "    *KEYWORD", "  ");
        const string id = IfEvalInstructions.KeywordsFrequency;
        Assert.True(Follows(id, """{"keyword": "  keyword ", "frequency": 4, "relation": "less than"}""", m1));
        Assert.True(Follows(id, """{"keyword": "  keyword ", "frequency": 3, "relation": "at least"}""", m1));
        Assert.False(Follows(id, """{"keyword": "KEYWORD", "frequency": 4, "relation": "at least"}""", m2));
    }

    [Fact]
    public void Number_words()
    {
        string m1 = Lines("", "  d3sCRi7 lArge lAnguagE M0del w1tH 20 w0RdS.");
        string m2 = Lines("",
            "  L4RGE L4NGU4GE M0DEL: AI syst3m th4t und3rstands, g3n3r4tes, or tr4nsforms",
            "  l4ngu4g3 b4s3d on pr3vious l3arning & d4t4.");
        const string id = IfEvalInstructions.LengthNumberWords;
        Assert.True(Follows(id, """{"num_words": 8, "relation": "less than"}""", m1));
        Assert.False(Follows(id, """{"num_words": 16, "relation": "less than"}""", m2));
        Assert.True(Follows(id, """{"num_words": 16, "relation": "at least"}""", m2));
    }

    [Fact]
    public void Nth_paragraph_first_word()
    {
        string t1 = Lines("", "  paragraph 1", "", "  I paragraph 2", "", "  paragraph 3");
        string t2 = Lines("", "  paragraph 1", "", "  I paragraph 2");
        string t3 = Lines("", "  paragraph 1", "", "  fail paragraph 2", "", "  paragraph 3");
        string t4 = Lines("", "  Wow this is a very long response.", "",
            "  I can't believe there is more than three paragraphs.", "", "  Really more than three? No way!", "",
            "  I can't believe it but I guess I am living proof.", "", "  Haha, you go that right.");
        string t5 = Lines("", "  Wow this is a very long response.", "",
            "  I can't believe there is more than three paragraphs.", "", "  \"Really?! more than three? No way!\"", "",
            "  I can't believe it but I guess I am living proof.", "", "  Haha, you go that right.");
        string t6 = Lines("", "  Wow this is a very long response.", "",
            "  I can't believe there is more than three paragraphs.", "", "  Rea!lly more than three? No way!", "",
            "  I can't believe it but I guess I am living proof.", "", "  Haha, you go that right.");
        const string id = IfEvalInstructions.LengthNthParagraphFirstWord;
        const string i2of3 = """{"num_paragraphs": 3, "nth_paragraph": 2, "first_word": "I"}""";
        Assert.True(Follows(id, i2of3, t1));
        Assert.False(Follows(id, i2of3, t2));
        Assert.False(Follows(id, i2of3, t3));
        Assert.True(Follows(id, """{"num_paragraphs": 5, "nth_paragraph": 5, "first_word": "haha"}""", t4));
        Assert.True(Follows(id, """{"num_paragraphs": 5, "nth_paragraph": 3, "first_word": "Really"}""", t5));
        Assert.False(Follows(id, """{"num_paragraphs": 5, "nth_paragraph": 3, "first_word": "Really"}""", t6));
    }

    [Fact]
    public void Forbidden_words()
    {
        string m1 = Lines("",
            "  The Nazis came to power in 1933 through a combination of legal and illegal",
            "  means. Hitler was appointed chancellor by President Paul von Hindenburg, and",
            "  the Nazis quickly consolidated their power by passing a series of laws that",
            "  restricted the rights of opposition parties and individuals. By 1934, Hitler",
            "  had become dictator of Germany.",
            "  ");
        string m2 = Lines("",
            "  Dinosaurs were a diverse group of reptiles that dominated the Earth for over",
            "  160 million years. They came in all shapes and sizes, from the tiny",
            "  Compsognathus to the massive Argentinosaurus. Dinosaurs were the most",
            "  successful land animals on Earth until they went extinct about 66 million",
            "  years ago. The exact cause of their extinction is still unknown, but it",
            "  is thought to have been a combination of factors, including an asteroid",
            "  impact and climate change.",
            "  ");
        string m3 = Lines("",
            "  GPT, or Generative Pre-trained Transformer, is a family of neural network",
            "  models that uses the transformer architecture. GPT models are trained on a",
            "  massive dataset of text and code, and can be used for a variety of tasks,",
            "  including text generation, translation, and question answering. GPT models",
            "  have been shown to be very effective at these tasks, and are being used by",
            "  a variety of companies and organizations like Google.",
            "  ");
        const string id = IfEvalInstructions.KeywordsForbiddenWords;
        const string w1 = """{"forbidden_words": ["HOUSE", "POWER", "BECOME"]}""";
        const string w2 = """{"forbidden_words": ["GOOGLE", "TEXT"]}""";
        const string w3 = """{"forbidden_words": ["GENE", "TRANSFORM"]}""";
        Assert.False(Follows(id, w1, m1));
        Assert.True(Follows(id, w1, m2));
        Assert.True(Follows(id, w1, m3));
        Assert.True(Follows(id, w2, m1));
        Assert.True(Follows(id, w2, m2));
        Assert.False(Follows(id, w2, m3));
        Assert.True(Follows(id, w3, m3));
    }

    [Fact]
    public void Two_responses()
    {
        const string id = IfEvalInstructions.CombinationTwoResponses;
        Assert.True(Follows(id, Lines("", "  This is response 1.", "  ******", "  This is response 2.", "  ")));
        Assert.False(Follows(id, Lines("", "  This is response 1.", "  ******", "  This is response 1.", "  ")));
        Assert.False(Follows(id, Lines("", "  This is response 1.", "  ******", "  This is response 2.", "  ******", "  This is response 3.", "  ")));
        Assert.False(Follows(id, Lines("", "  ******", "  Response 1.", "  ******", "  ******", "  Response 2.", "  ******", "  ")));
        Assert.True(Follows(id, Lines("", "  ******", "  Response 1", "  ******", "  Response 2", "  ******", "  ")));
    }

    [Fact]
    public void Repeat_prompt()
    {
        const string id = IfEvalInstructions.CombinationRepeatPrompt;
        const string kwargs = """{"prompt_to_repeat": "Write a CL description."}""";
        Assert.True(Follows(id, kwargs, "Write a CL description. Hi, Le and TJ, please\n  check this out. Thanks.\n  "));
        Assert.False(Follows(id, kwargs, "Hi, Le and TJ. Write a CL description. Thanks.\n  "));
    }

    [Fact]
    public void End_checker()
    {
        const string id = IfEvalInstructions.StartEndEndChecker;
        Assert.True(Follows(id, """{"end_phrase": "\n  Any more questions?\n  "}""", "\n  The answer is 7. Any more questions?\n  "));
        Assert.True(Follows(id, """{"end_phrase": "\n  This is the end.\n  "}""",
            "\n  At the end of this prompt I am required to say that this is the end.\n  "));
        Assert.False(Follows(id, """{"end_phrase": "\n  This will fail.\n  "}""", "\n  This will fail. Paris is cool.\n  "));
    }

    [Fact]
    public void Title()
    {
        const string id = IfEvalInstructions.FormatTitle;
        Assert.True(Follows(id, "\n  <<Song of Joy>>\n  La la la. Happy song.\n  "));
        Assert.True(Follows(id, "\n  Is it fine for title to be at the end?\n  <<This is the title>>\n  "));
        Assert.False(Follows(id, "\n  << >>\n  There is no title.\n  "));
        Assert.False(Follows(id, "\n  <<This is not a title.\n  This is a paragraph.>>\n  "));
    }

    [Fact]
    public void Letter_frequency()
    {
        const string id = IfEvalInstructions.KeywordsLetterFrequency;
        Assert.True(Follows(id, """{"letter": "T", "let_frequency": 4, "let_relation": "at least"}""", "\n  There is the T. Four T's.\n  "));
        Assert.True(Follows(id, """{"letter": "a", "let_frequency": 4, "let_relation": "less than"}""", "\n  asdfghjkl!!aA\n  "));
        Assert.False(Follows(id, """{"letter": "p", "let_frequency": 4, "let_relation": "at least"}""", "\n  asdfghjkl!!aA\n  "));
        Assert.True(Follows(id, """{"letter": "#", "let_frequency": 4, "let_relation": "at least"}""", "#one #two #three #four"));
        Assert.False(Follows(id, """{"letter": "#", "let_frequency": 4, "let_relation": "at least"}""", "#one #two #three"));
    }

    [Fact]
    public void Letter_frequency_rejects_invalid_letters()
    {
        var e = Assert.Throws<ArgumentException>(() => Follows(IfEvalInstructions.KeywordsLetterFrequency,
            """{"letter": "ab", "let_frequency": 1, "let_relation": "at least"}""", "x"));
        Assert.Contains("single non-whitespace character", e.Message);
        e = Assert.Throws<ArgumentException>(() => Follows(IfEvalInstructions.KeywordsLetterFrequency,
            """{"letter": "a", "let_frequency": -1, "let_relation": "at least"}""", "x"));
        Assert.Contains("let_frequency", e.Message);
    }

    [Fact]
    public void English_capital_and_lowercase()
    {
        Assert.True(Follows(IfEvalInstructions.ChangeCaseEnglishCapital,
            "\n  THIS IS AN ENGLISH SENTENCE. EVERY LETTER IS CAPITALIZED!!! AMAZING.\n  "));
        Assert.False(Follows(IfEvalInstructions.ChangeCaseEnglishCapital, "\n  Every Word Is Capitalized.\n  "));
        Assert.True(Follows(IfEvalInstructions.ChangeCaseEnglishLowercase, "\n  every letter is lowercase.\n  "));
        Assert.False(Follows(IfEvalInstructions.ChangeCaseEnglishLowercase, "\n  Almost every letter is lowercase.\n  "));
    }

    [Fact]
    public void No_comma()
    {
        Assert.True(Follows(IfEvalInstructions.PunctuationNoComma, "\n  Every sentence is short. There is no need for a comma.\n  "));
        Assert.False(Follows(IfEvalInstructions.PunctuationNoComma, "\n  Since the start of time, people have always found a way to punctuate.\n  "));
    }

    [Fact]
    public void Capital_word_frequency()
    {
        const string id = IfEvalInstructions.ChangeCaseCapitalWordFrequency;
        string m1 = "\n  HERE there are THREE FUlly CAPITAL words.\n  ";
        string m2 = "\n  THERE are Four FULLY CAPITAL WORDS. Many Others Are Only Partially So.\n  ";
        Assert.True(Follows(id, """{"capital_frequency": 3, "capital_relation": "at least"}""", m1));
        Assert.True(Follows(id, """{"capital_frequency": 5, "capital_relation": "less than"}""", m2));
        Assert.False(Follows(id, """{"capital_frequency": 4, "capital_relation": "less than"}""", m2));
    }

    [Fact]
    public void Quotation()
    {
        Assert.True(Follows(IfEvalInstructions.StartEndQuotation, "\n  \"This entire message is wrapped in double quotation marks.\"\n  "));
        Assert.False(Follows(IfEvalInstructions.StartEndQuotation, "\n  \"This message is wrapped in double quotation marks.\" But not everything.\n  "));
    }

    [Theory]
    [InlineData("word1, word2, word3, word4.", 4)]
    [InlineData("\n      Bard can you tell me which is the best optimization method for the\n      transition from an hydro-thermal system to an hydro-renewables system", 24)]
    [InlineData("\n      Hyphenated-word has two word counts.\n      ", 6)]
    public void Count_words(string text, int expected) => Assert.Equal(expected, WordCounter.Count(text));

    [Theory]
    [InlineData("xx,x. xx,x! xx/x. x{x}x? x.", 5)]
    [InlineData("xx,x! xxxx. x(x)x?", 3)]
    [InlineData("xxxx. xx,x! xx|x. x&x x?", 4)]
    [InlineData("xx-x]xx,x! x{x}xx,x.", 2)]
    public void Count_sentences(string text, int expected) => Assert.Equal(expected, PunktSentenceTokenizer.CountSentences(text));
}
