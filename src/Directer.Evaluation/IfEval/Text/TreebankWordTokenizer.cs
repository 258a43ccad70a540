using System.Text.RegularExpressions;

namespace Directer.Evaluation.IfEval;

/// <summary>
/// NLTK's <c>word_tokenize</c>: Punkt sentences (<see cref="PunktSentenceTokenizer"/>), each split by the
/// <c>NLTKWordTokenizer</c> (the improved Treebank tokenizer): quotes, punctuation, brackets and dashes are split off,
/// the final period of each sentence becomes a token, and contractions split ("DON'T" is "DO" + "N'T", "CANNOT" is
/// "CAN" + "NOT"). The regular expressions are NLTK's, with Python's <c>\w</c>, <c>\s</c> and <c>\b</c>; hyphenated
/// words stay one token.
/// </summary>
internal static partial class TreebankWordTokenizer
{
    private const string S = PyText.SpaceClass;
    private const string W = PyText.WordClass;
    private const string B = PyText.WordBoundary;

    private static readonly (Regex Pattern, string Replacement)[] StartingQuotes =
    [
        (new Regex("([«“‘„]|[`]+)"), " $1 "),
        (new Regex("^\""), "``"),
        (new Regex("(``)"), " $1 "),
        (new Regex("([ \\(\\[{<])(\"|'{2})"), "$1 `` "),
        (new Regex("(?i)(')(?!re|ve|ll|m|t|s|d|n)(" + W + ")" + B), "$1 $2"),
    ];

    private static readonly (Regex Pattern, string Replacement)[] Punctuation =
    [
        (new Regex("([^\\.])(\\.)([\\]\\)}>\"'»”’ ]*)" + S + "*$"), "$1 $2 $3 "),
        (new Regex("([:,])([^\\d])"), " $1 $2"),
        (new Regex("([:,])$"), " $1 "),
        (new Regex("\\.{2,}"), " $0 "),
        (new Regex("[;@#$%&]"), " $0 "),
        (new Regex("([^\\.])(\\.)([\\]\\)}>\"']*)" + S + "*$"), "$1 $2$3 "),
        (new Regex("[?!]"), " $0 "),
        (new Regex("([^'])' "), "$1 ' "),
        (new Regex("[*]"), " $0 "),
    ];

    private static readonly (Regex Pattern, string Replacement) ParensBrackets = (new Regex("[\\]\\[\\(\\)\\{\\}\\<\\>]"), " $0 ");

    private static readonly (Regex Pattern, string Replacement) DoubleDashes = (new Regex("--"), " -- ");

    private static readonly (Regex Pattern, string Replacement)[] EndingQuotes =
    [
        (new Regex("([»”’])"), " $1 "),
        (new Regex("''"), " '' "),
        (new Regex("\""), " '' "),
        (new Regex("([^' ])('[sS]|'[mM]|'[dD]|') "), "$1 $2 "),
        (new Regex("([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) "), "$1 $2 "),
    ];

    // MacIntyre's contractions (CONTRACTIONS2 and CONTRACTIONS3; NLTK leaves CONTRACTIONS4 out).
    private static readonly Regex[] Contractions =
    [
        new Regex("(?i)" + B + "(can)(not)" + B),
        new Regex("(?i)" + B + "(d)('ye)" + B),
        new Regex("(?i)" + B + "(gim)(me)" + B),
        new Regex("(?i)" + B + "(gon)(na)" + B),
        new Regex("(?i)" + B + "(got)(ta)" + B),
        new Regex("(?i)" + B + "(lem)(me)" + B),
        new Regex("(?i)" + B + "(more)('n)" + B),
        new Regex("(?i)" + B + "(wan)(na)(?=" + S + ")"),
        new Regex("(?i) ('t)(is)" + B),
        new Regex("(?i) ('t)(was)" + B),
    ];

    /// <summary>The tokens of <paramref name="text"/> as NLTK's <c>word_tokenize</c> produces them.</summary>
    public static List<string> WordTokenize(string text)
    {
        var tokens = new List<string>();
        foreach (string sentence in PunktSentenceTokenizer.Tokenize(text))
        {
            tokens.AddRange(Tokenize(sentence));
        }
        return tokens;
    }

    /// <summary>The <c>NLTKWordTokenizer.tokenize</c> tokens of one sentence.</summary>
    public static List<string> Tokenize(string text)
    {
        foreach (var (pattern, replacement) in StartingQuotes) text = pattern.Replace(text, replacement);
        foreach (var (pattern, replacement) in Punctuation) text = pattern.Replace(text, replacement);
        text = ParensBrackets.Pattern.Replace(text, ParensBrackets.Replacement);
        text = DoubleDashes.Pattern.Replace(text, DoubleDashes.Replacement);
        text = " " + text + " ";
        foreach (var (pattern, replacement) in EndingQuotes) text = pattern.Replace(text, replacement);
        foreach (var pattern in Contractions) text = pattern.Replace(text, " $1 $2 ");
        return PyText.SplitWhitespace(text);
    }
}
