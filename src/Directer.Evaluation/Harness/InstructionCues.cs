using System.Text.Json.Nodes;

namespace Directer.Evaluation.Harness;

/// <summary>
/// What a sentence that states an IFEval instruction tends to contain: the instruction's own parameters (the
/// keywords, the end phrase, the postscript marker, the language...) and a few words from a fixed lexicon per
/// instruction id ("comma" for <c>punctuation:no_comma</c>, "bullet" for <c>detectable_format:number_bullet_lists</c>).
/// Used by <see cref="EmphasisDerivation"/>.
/// </summary>
public static class InstructionCues
{
    /// <summary>
    /// Lexicon per instruction id: lower-case words or phrases matched case-insensitively at a word start (so "comma"
    /// also matches "commas"). Chosen from the wording of Google's IFEval prompts and the demo model's held-out set.
    /// </summary>
    private static readonly Dictionary<string, string[]> Lexicon = new(StringComparer.Ordinal)
    {
        ["keywords:existence"] = ["keyword", "include", "contain", "mention", "appear"],
        ["keywords:frequency"] = ["keyword", "times", "appear", "occur", "mention"],
        ["keywords:forbidden_words"] = ["forbidden", "avoid", "without", "do not include", "don't include", "not use", "not mention", "must not appear", "not appear", "stay away", "never"],
        ["keywords:letter_frequency"] = ["letter", "times", "appear"],
        ["language:response_language"] = ["language", "respond in", "answer in", "only in", "no other language"],
        ["length_constraints:number_sentences"] = ["sentence"],
        ["length_constraints:number_paragraphs"] = ["paragraph", "***", "markdown divider"],
        ["length_constraints:number_words"] = ["word"],
        ["length_constraints:nth_paragraph_first_word"] = ["paragraph", "first word", "start with", "begin with"],
        ["detectable_content:number_placeholders"] = ["placeholder", "square bracket", "["],
        ["detectable_content:postscript"] = ["postscript", "p.s.", "p.p.s"],
        ["detectable_format:number_bullet_lists"] = ["bullet", "markdown", "point"],
        ["detectable_format:constrained_response"] = ["my answer is", "answer with one of", "one of the following options"],
        ["detectable_format:number_highlighted_sections"] = ["highlight", "markdown", "section", "italic", "asterisk", "bold"],
        ["detectable_format:multiple_sections"] = ["section", "part"],
        ["detectable_format:json_format"] = ["json"],
        ["detectable_format:title"] = ["title", "<<"],
        ["combination:two_responses"] = ["two different responses", "two responses", "******", "asterisk"],
        ["combination:repeat_prompt"] = ["repeat", "word for word", "request", "first line", "start with", "repleat"],
        ["startend:end_checker"] = ["end", "finish", "close", "last", "followed by"],
        ["startend:quotation"] = ["quotation", "double quote", "quote"],
        ["change_case:capital_word_frequency"] = ["capital", "all caps", "all-caps", "uppercase", "upper case", "stress"],
        ["change_case:english_capital"] = ["capital", "all caps", "uppercase", "upper case", "english"],
        ["change_case:english_lowercase"] = ["lowercase", "lower case", "capital", "english"],
        ["punctuation:no_comma"] = ["comma"],
    };

    /// <summary>
    /// The kwargs that name text the instruction is about. Not <c>prompt_to_repeat</c> (the whole request: it would
    /// point at the task, not at the instruction) and not numbers (they also count paragraphs, sentences, words...).
    /// </summary>
    private static readonly string[] ParameterKeys = ["keywords", "forbidden_words", "keyword", "end_phrase", "postscript_marker", "section_spliter", "first_word", "letter"];

    /// <summary>IFEval's response languages (its <c>LANGUAGE_CODES</c>), so that "hi" finds a sentence saying "Hindi".</summary>
    private static readonly Dictionary<string, string> Languages = new(StringComparer.OrdinalIgnoreCase)
    {
        ["en"] = "English", ["es"] = "Spanish", ["pt"] = "Portuguese", ["ar"] = "Arabic", ["hi"] = "Hindi", ["fr"] = "French",
        ["ru"] = "Russian", ["de"] = "German", ["ja"] = "Japanese", ["it"] = "Italian", ["bn"] = "Bengali", ["uk"] = "Ukrainian",
        ["th"] = "Thai", ["ur"] = "Urdu", ["ta"] = "Tamil", ["te"] = "Telugu", ["bg"] = "Bulgarian", ["ko"] = "Korean",
        ["pl"] = "Polish", ["he"] = "Hebrew", ["fa"] = "Persian", ["vi"] = "Vietnamese", ["ne"] = "Nepali", ["sw"] = "Swahili",
        ["kn"] = "Kannada", ["mr"] = "Marathi", ["gu"] = "Gujarati", ["pa"] = "Punjabi", ["ml"] = "Malayalam", ["fi"] = "Finnish",
    };

    /// <summary>The instruction ids this class has a lexicon for (IFEval's 25).</summary>
    public static IReadOnlyCollection<string> KnownInstructionIds => Lexicon.Keys;

    /// <summary>The lexicon of <paramref name="instructionId"/>; empty for an id it does not know.</summary>
    public static IReadOnlyList<string> LexiconOf(string instructionId) => Lexicon.TryGetValue(instructionId, out var words) ? words : [];

    /// <summary>The parameter texts of one instruction (its string kwargs that name what to include, avoid, end with...).</summary>
    public static IReadOnlyList<string> ParametersOf(string instructionId, JsonObject? kwargs)
    {
        var values = new List<string>();
        if (kwargs is null)
        {
            return values;
        }

        foreach (string key in ParameterKeys)
        {
            switch (kwargs[key])
            {
                case JsonArray array:
                    values.AddRange(array.OfType<JsonValue>().Select(v => v.TryGetValue(out string? s) ? s : null).OfType<string>());
                    break;
                case JsonValue value when value.TryGetValue(out string? s):
                    values.Add(s);
                    break;
            }
        }

        if (instructionId == "language:response_language" && kwargs["language"] is JsonValue language && language.TryGetValue(out string? code))
        {
            values.Add(Languages.TryGetValue(code, out string? name) ? name : code);
        }

        return values.Select(v => v.Trim()).Where(v => v.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }
}
