using System.Collections.Frozen;

namespace Directer.Evaluation.IfEval;

/// <summary>
/// Stand-in for the parameters of NLTK's trained English Punkt model, which is data this project does not ship.
/// <list type="bullet">
/// <item><description><see cref="AbbreviationTypes"/>: common English abbreviations chosen by hand (titles, corporate
/// suffixes, months, Latin abbreviations, units, "U.S."-style initialisms). The trained model has a few hundred
/// learned from news text; words missing here end a sentence when followed by a period.</description></item>
/// <item><description>Orthographic context: the trained model records, for every word it saw, whether it appeared
/// capitalised or in lower case at and after sentence starts. Here only <see cref="CommonWords"/> have a context
/// (capitalised at sentence starts, lower case inside sentences, never capitalised inside), which is what lets
/// "etc. The" end a sentence while "Dr. Smith" does not; every other word is unknown to the heuristic, so a
/// capitalised word after an abbreviation does not start a sentence and a single letter such as "J." before a
/// capitalised rare word is an initial.</description></item>
/// <item><description>Collocations and frequent sentence starters are empty.</description></item>
/// </list>
/// </summary>
internal static class PunktEnglish
{
    /// <summary>Seen capitalised at a sentence start.</summary>
    public const int OrthoBegUpper = 1 << 1;

    /// <summary>Seen capitalised inside a sentence.</summary>
    public const int OrthoMidUpper = 1 << 2;

    /// <summary>Seen capitalised where it was unknown whether a sentence started.</summary>
    public const int OrthoUnkUpper = 1 << 3;

    /// <summary>Seen in lower case at a sentence start.</summary>
    public const int OrthoBegLower = 1 << 4;

    /// <summary>Seen in lower case inside a sentence.</summary>
    public const int OrthoMidLower = 1 << 5;

    /// <summary>Seen in lower case where it was unknown whether a sentence started.</summary>
    public const int OrthoUnkLower = 1 << 6;

    /// <summary>Any capitalised context.</summary>
    public const int OrthoUpper = OrthoBegUpper | OrthoMidUpper | OrthoUnkUpper;

    /// <summary>Any lower-case context.</summary>
    public const int OrthoLower = OrthoBegLower | OrthoMidLower | OrthoUnkLower;

    /// <summary>Abbreviations, lower case, without the final period (internal periods kept: "e.g", "u.s").</summary>
    public static readonly FrozenSet<string> AbbreviationTypes = new[]
    {
        // Titles and honorifics.
        "mr", "mrs", "ms", "dr", "prof", "rev", "hon", "gen", "col", "lt", "sgt", "capt", "cpl", "adm", "gov", "sen",
        "rep", "pres", "supt", "messrs", "mme", "mlle", "st", "jr", "sr", "esq",
        // Organisations and places.
        "inc", "corp", "co", "ltd", "llc", "bros", "dept", "univ", "assn", "ave", "blvd", "rd", "mt", "ft",
        // Months and weekdays.
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        "tue", "tues", "thu", "thur", "thurs", "fri",
        // Latin and editorial abbreviations.
        "e.g", "i.e", "etc", "vs", "cf", "al", "approx", "fig", "figs", "vol", "vols", "pp",
        "ed", "eds", "p.s", "a.m", "p.m", "ca", "viz",
        // Initialisms written with periods.
        "u.s", "u.k", "u.n", "u.s.a", "e.u", "d.c", "n.y", "l.a", "ph.d", "b.a", "m.a", "b.s", "m.s", "m.d",
        // Units.
        "oz", "lb", "lbs", "yd", "mi", "hr", "hrs", "min", "mins", "sec", "secs",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Frequent words known to start sentences when capitalised (see the class remarks).</summary>
    public static readonly FrozenSet<string> CommonWords = new[]
    {
        "the", "this", "that", "these", "those", "there", "here", "it", "its", "he", "she", "we", "they", "you",
        "his", "her", "our", "their", "your", "my", "and", "but", "or", "so", "yet", "if", "when", "while", "after",
        "before", "since", "because", "although", "though", "however", "therefore", "thus", "then", "also", "finally",
        "first", "next", "in", "on", "at", "for", "to", "as", "by", "with", "from", "of", "what", "how", "why",
        "where", "who", "which", "some", "many", "most", "all", "each", "every", "both", "one", "other", "another",
        "such", "not", "now", "today", "instead", "overall", "additionally", "furthermore", "moreover", "meanwhile",
        "still", "even", "just", "only", "let", "please", "yes", "no", "do", "does", "is", "are", "was", "were",
        "can", "could", "would", "should", "will", "may", "might", "be", "have", "has", "had",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Collocations (word before the period, word after) that never end a sentence: none are known here.</summary>
    public static readonly FrozenSet<(string, string)> Collocations = FrozenSet<(string, string)>.Empty;

    /// <summary>Frequent sentence starters: none are known here.</summary>
    public static readonly FrozenSet<string> SentenceStarters = FrozenSet<string>.Empty;

    /// <summary>The orthographic context flags of a word type.</summary>
    public static int OrthoContext(string type) => CommonWords.Contains(type) ? OrthoBegUpper | OrthoMidLower : 0;
}
