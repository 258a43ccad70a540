using System.Collections.Frozen;
using System.Text.Json.Nodes;

namespace Directer.Evaluation.IfEval;

/// <summary>
/// The 25 instruction ids of the official IFEval registry (<c>instructions_registry.INSTRUCTION_DICT</c>) and the
/// factory that binds an id and its kwargs to a checker.
/// </summary>
public static class IfEvalInstructions
{
    /// <summary><c>keywords:existence</c> (kwargs: <c>keywords</c>).</summary>
    public const string KeywordsExistence = "keywords:existence";

    /// <summary><c>keywords:frequency</c> (kwargs: <c>keyword</c>, <c>frequency</c>, <c>relation</c>).</summary>
    public const string KeywordsFrequency = "keywords:frequency";

    /// <summary><c>keywords:forbidden_words</c> (kwargs: <c>forbidden_words</c>).</summary>
    public const string KeywordsForbiddenWords = "keywords:forbidden_words";

    /// <summary><c>keywords:letter_frequency</c> (kwargs: <c>letter</c>, <c>let_frequency</c>, <c>let_relation</c>).</summary>
    public const string KeywordsLetterFrequency = "keywords:letter_frequency";

    /// <summary><c>language:response_language</c> (kwargs: <c>language</c>).</summary>
    public const string LanguageResponseLanguage = "language:response_language";

    /// <summary><c>length_constraints:number_sentences</c> (kwargs: <c>num_sentences</c>, <c>relation</c>).</summary>
    public const string LengthNumberSentences = "length_constraints:number_sentences";

    /// <summary><c>length_constraints:number_paragraphs</c> (kwargs: <c>num_paragraphs</c>).</summary>
    public const string LengthNumberParagraphs = "length_constraints:number_paragraphs";

    /// <summary><c>length_constraints:number_words</c> (kwargs: <c>num_words</c>, <c>relation</c>).</summary>
    public const string LengthNumberWords = "length_constraints:number_words";

    /// <summary><c>length_constraints:nth_paragraph_first_word</c> (kwargs: <c>num_paragraphs</c>,
    /// <c>nth_paragraph</c>, <c>first_word</c>).</summary>
    public const string LengthNthParagraphFirstWord = "length_constraints:nth_paragraph_first_word";

    /// <summary><c>detectable_content:number_placeholders</c> (kwargs: <c>num_placeholders</c>).</summary>
    public const string ContentNumberPlaceholders = "detectable_content:number_placeholders";

    /// <summary><c>detectable_content:postscript</c> (kwargs: <c>postscript_marker</c>).</summary>
    public const string ContentPostscript = "detectable_content:postscript";

    /// <summary><c>detectable_format:number_bullet_lists</c> (kwargs: <c>num_bullets</c>).</summary>
    public const string FormatNumberBulletLists = "detectable_format:number_bullet_lists";

    /// <summary><c>detectable_format:constrained_response</c> (no kwargs).</summary>
    public const string FormatConstrainedResponse = "detectable_format:constrained_response";

    /// <summary><c>detectable_format:number_highlighted_sections</c> (kwargs: <c>num_highlights</c>).</summary>
    public const string FormatNumberHighlightedSections = "detectable_format:number_highlighted_sections";

    /// <summary><c>detectable_format:multiple_sections</c> (kwargs: <c>section_spliter</c>, <c>num_sections</c>).</summary>
    public const string FormatMultipleSections = "detectable_format:multiple_sections";

    /// <summary><c>detectable_format:json_format</c> (no kwargs).</summary>
    public const string FormatJsonFormat = "detectable_format:json_format";

    /// <summary><c>detectable_format:title</c> (no kwargs).</summary>
    public const string FormatTitle = "detectable_format:title";

    /// <summary><c>combination:two_responses</c> (no kwargs).</summary>
    public const string CombinationTwoResponses = "combination:two_responses";

    /// <summary><c>combination:repeat_prompt</c> (kwargs: <c>prompt_to_repeat</c>).</summary>
    public const string CombinationRepeatPrompt = "combination:repeat_prompt";

    /// <summary><c>startend:end_checker</c> (kwargs: <c>end_phrase</c>).</summary>
    public const string StartEndEndChecker = "startend:end_checker";

    /// <summary><c>change_case:capital_word_frequency</c> (kwargs: <c>capital_frequency</c>, <c>capital_relation</c>).</summary>
    public const string ChangeCaseCapitalWordFrequency = "change_case:capital_word_frequency";

    /// <summary><c>change_case:english_capital</c> (no kwargs).</summary>
    public const string ChangeCaseEnglishCapital = "change_case:english_capital";

    /// <summary><c>change_case:english_lowercase</c> (no kwargs).</summary>
    public const string ChangeCaseEnglishLowercase = "change_case:english_lowercase";

    /// <summary><c>punctuation:no_comma</c> (no kwargs).</summary>
    public const string PunctuationNoComma = "punctuation:no_comma";

    /// <summary><c>startend:quotation</c> (no kwargs).</summary>
    public const string StartEndQuotation = "startend:quotation";

    // Registry order follows the official INSTRUCTION_DICT.
    private static readonly (string Id, Func<InstructionKwargs, IInstructionChecker> Create)[] Registry =
    [
        (KeywordsExistence, k => new KeywordExistenceChecker(k)),
        (KeywordsFrequency, k => new KeywordFrequencyChecker(k)),
        (KeywordsForbiddenWords, k => new ForbiddenWordsChecker(k)),
        (KeywordsLetterFrequency, k => new LetterFrequencyChecker(k)),
        (LanguageResponseLanguage, k => new ResponseLanguageChecker(k)),
        (LengthNumberSentences, k => new NumberOfSentencesChecker(k)),
        (LengthNumberParagraphs, k => new NumberOfParagraphsChecker(k)),
        (LengthNumberWords, k => new NumberOfWordsChecker(k)),
        (LengthNthParagraphFirstWord, k => new NthParagraphFirstWordChecker(k)),
        (ContentNumberPlaceholders, k => new PlaceholderChecker(k)),
        (ContentPostscript, k => new PostscriptChecker(k)),
        (FormatNumberBulletLists, k => new BulletListChecker(k)),
        (FormatConstrainedResponse, k => new ConstrainedResponseChecker(k)),
        (FormatNumberHighlightedSections, k => new HighlightedSectionsChecker(k)),
        (FormatMultipleSections, k => new MultipleSectionsChecker(k)),
        (FormatJsonFormat, k => new JsonFormatChecker(k)),
        (FormatTitle, k => new TitleChecker(k)),
        (CombinationTwoResponses, k => new TwoResponsesChecker(k)),
        (CombinationRepeatPrompt, k => new RepeatPromptChecker(k)),
        (StartEndEndChecker, k => new EndChecker(k)),
        (ChangeCaseCapitalWordFrequency, k => new CapitalWordFrequencyChecker(k)),
        (ChangeCaseEnglishCapital, k => new EnglishCapitalChecker(k)),
        (ChangeCaseEnglishLowercase, k => new EnglishLowercaseChecker(k)),
        (PunctuationNoComma, k => new NoCommaChecker(k)),
        (StartEndQuotation, k => new QuotationChecker(k)),
    ];

    private static readonly FrozenDictionary<string, Func<InstructionKwargs, IInstructionChecker>> Factories =
        Registry.ToFrozenDictionary(r => r.Id, r => r.Create, StringComparer.Ordinal);

    /// <summary>All 25 supported instruction ids, in the official registry's order.</summary>
    public static IReadOnlyList<string> All { get; } = Array.AsReadOnly(Registry.Select(r => r.Id).ToArray());

    /// <summary>Whether <paramref name="instructionId"/> is one of the 25 supported ids (exact, case-sensitive).</summary>
    /// <param name="instructionId">An instruction id.</param>
    public static bool IsSupported(string instructionId) => Factories.ContainsKey(instructionId);

    /// <summary>The category of an instruction id: the part before the first <c>:</c> (the whole id if it has none),
    /// as the official report's first tier groups them.</summary>
    /// <param name="instructionId">An instruction id such as <c>keywords:existence</c>.</param>
    public static string CategoryOf(string instructionId)
    {
        int colon = instructionId.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? instructionId : instructionId[..colon];
    }

    /// <summary>
    /// Binds <paramref name="instructionId"/> to its kwargs. Kwargs with null values are ignored; a missing or ill-typed
    /// required kwarg, a value the official code would replace by a random one, or an unexpected kwarg is an error.
    /// </summary>
    /// <param name="instructionId">One of <see cref="All"/>.</param>
    /// <param name="kwargs">The instruction's kwargs object (null for none).</param>
    /// <returns>The checker.</returns>
    /// <exception cref="ArgumentException">Unknown id or invalid kwargs; the message names the id and the kwarg.</exception>
    public static IInstructionChecker CreateChecker(string instructionId, JsonObject? kwargs)
    {
        ArgumentNullException.ThrowIfNull(instructionId);
        if (!Factories.TryGetValue(instructionId, out var create))
        {
            throw new ArgumentException($"unknown IFEval instruction id '{instructionId}'.", nameof(instructionId));
        }
        var reader = new InstructionKwargs(instructionId, kwargs);
        var checker = create(reader);
        reader.EnsureNoOthers();
        return checker;
    }
}
