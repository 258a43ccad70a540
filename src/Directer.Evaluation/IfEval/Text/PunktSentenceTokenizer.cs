using System.Text;
using System.Text.RegularExpressions;

namespace Directer.Evaluation.IfEval;

/// <summary>
/// IFEval's <c>count_sentences</c>: NLTK's Punkt sentence tokenizer with the English model
/// (<c>tokenizers/punkt/english.pickle</c>). The algorithm (word segmentation, candidate contexts, first- and
/// second-pass annotation, boundary realignment) is reproduced from NLTK; the trained English parameters are not
/// shipped, so <see cref="PunktEnglish"/> stands in with a hand-written abbreviation list and a small orthographic
/// table (see there). Text where the two differ (rare abbreviations, initials before rare words) can count differently.
/// </summary>
internal static partial class PunktSentenceTokenizer
{
    private const string S = PyText.SpaceClass;
    private const string NS = PyText.NonSpaceClass;

    // PunktLanguageVars: '.', '?', '!' end sentences; these characters cannot appear inside words.
    private const string NonWord = @"(?:[)"";}\]\*:@'\({\[?!])";
    private const string MultiChar = @"(?:\-{2,}|\.{2,}|(?:\." + S + "){2,}\\.)";
    private const string WordStart = @"[^\(""`{\[:;&\#\*@\)}\]\-,]";

    [GeneratedRegex("(?:" + MultiChar + "|(?=" + WordStart + ")" + NS + "+?(?=" + S + "|$|" + NonWord + "|" + MultiChar
        + "|,(?=$|" + S + "|" + NonWord + "|" + MultiChar + "))|" + NS + ")")]
    private static partial Regex WordTokenizer();

    [GeneratedRegex("[.?!](?=(?<after_tok>" + NonWord + "|" + S + "+(?<next_tok>" + NS + "+)))")]
    private static partial Regex PeriodContext();

    [GeneratedRegex(@"\A[""')\]}]+?(?:" + S + @"+|(?=--)|$)", RegexOptions.Multiline)]
    private static partial Regex BoundaryRealignment();

    [GeneratedRegex(@"^-?[\.,]?\d[\d,\.-]*\.?$")]
    private static partial Regex Numeric();

    /// <summary>The number of sentences NLTK's <c>sent_tokenize</c> finds in <paramref name="text"/>.</summary>
    public static int CountSentences(string text) => Tokenize(text).Count;

    /// <summary>The sentences of <paramref name="text"/> (Punkt's <c>tokenize</c> with boundary realignment).</summary>
    public static List<string> Tokenize(string text)
    {
        var sentences = new List<string>();
        foreach (var (start, stop) in RealignBoundaries(text, SlicesFromText(text)))
        {
            sentences.Add(PySlice(text, start, stop));
        }
        return sentences;
    }

    // ---- sentence slicing (PunktSentenceTokenizer._slices_from_text and _match_potential_end_contexts) ----

    private static List<(int Start, int Stop)> SlicesFromText(string text)
    {
        var slices = new List<(int, int)>();
        int lastBreak = 0;
        foreach (var (match, context) in PotentialEndContexts(text))
        {
            if (ContainsSentenceBreak(context))
            {
                slices.Add((lastBreak, match.Index + match.Length));
                var next = match.Groups["next_tok"];
                // The next sentence starts after the whitespace, or at the following punctuation.
                lastBreak = next.Success ? next.Index : match.Index + match.Length;
            }
        }
        slices.Add((lastBreak, PyText.RStrip(text).Length));
        return slices;
    }

    private static IEnumerable<(Match Match, string Context)> PotentialEndContexts(string text)
    {
        (int Start, int Stop) previousSlice = (0, 0);
        Match? previousMatch = null;
        foreach (Match match in PeriodContext().Matches(text))
        {
            // The word before the candidate runs from the last (ASCII) whitespace before it.
            int beforeStart = previousSlice.Stop;
            int last = LastWhitespaceIndex(text, beforeStart, match.Index);
            int wordStart = last != 0 ? last + previousSlice.Stop + 1 : previousSlice.Start;
            var wordSlice = (Start: wordStart, Stop: match.Index);
            if (previousMatch is not null && previousSlice.Stop <= wordSlice.Start)
            {
                yield return (previousMatch, Context(text, previousSlice, previousMatch));
            }
            previousMatch = match;
            previousSlice = wordSlice;
        }
        if (previousMatch is not null)
        {
            yield return (previousMatch, Context(text, previousSlice, previousMatch));
        }
    }

    private static string Context(string text, (int Start, int Stop) slice, Match match)
        => PySlice(text, slice.Start, slice.Stop) + match.Value + match.Groups["after_tok"].Value;

    // Python's _get_last_whitespace_index over text[from:to]: the relative index of the last string.whitespace
    // character, or 0 when there is none (or it is the first character).
    private static int LastWhitespaceIndex(string text, int from, int to)
    {
        for (int i = to - 1; i >= from; i--)
        {
            if (text[i] is ' ' or '\t' or '\n' or '\r' or '\v' or '\f') return i - from;
        }
        return 0;
    }

    private static string PySlice(string text, int start, int stop)
        => start < stop ? text[start..Math.Min(stop, text.Length)] : "";

    private static IEnumerable<(int Start, int Stop)> RealignBoundaries(string text, List<(int Start, int Stop)> slices)
    {
        int realign = 0;
        for (int i = 0; i < slices.Count; i++)
        {
            var sentence1 = (Start: slices[i].Start + realign, slices[i].Stop);
            if (i == slices.Count - 1)
            {
                if (sentence1.Start < sentence1.Stop) yield return sentence1;
                continue;
            }
            var sentence2 = slices[i + 1];
            var m = BoundaryRealignment().Match(PySlice(text, sentence2.Start, sentence2.Stop));
            if (m.Success)
            {
                yield return (sentence1.Start, sentence2.Start + PyText.RStrip(m.Value).Length);
                realign = m.Length;
            }
            else
            {
                realign = 0;
                if (sentence1.Start < sentence1.Stop) yield return sentence1;
            }
        }
    }

    // ---- token annotation (PunktBaseClass and PunktSentenceTokenizer) ----

    private static bool ContainsSentenceBreak(string context)
    {
        bool found = false;
        foreach (var token in Annotate(TokenizeWords(context)))
        {
            if (found) return true;
            if (token.SentBreak) found = true;
        }
        return false;
    }

    private static List<Token> TokenizeWords(string text)
    {
        var tokens = new List<Token>();
        foreach (string line in text.Split('\n'))
        {
            if (PyText.IsBlank(line)) continue;
            foreach (Match m in WordTokenizer().Matches(line))
            {
                tokens.Add(new Token(m.Value));
            }
        }
        return tokens;
    }

    private static List<Token> Annotate(List<Token> tokens)
    {
        foreach (var token in tokens) FirstPass(token);
        for (int i = 0; i < tokens.Count; i++)
        {
            SecondPass(tokens[i], i + 1 < tokens.Count ? tokens[i + 1] : null);
        }
        return tokens;
    }

    private static void FirstPass(Token token)
    {
        string tok = token.Text;
        if (tok is "." or "?" or "!")
        {
            token.SentBreak = true;
        }
        else if (token.IsEllipsis)
        {
            token.Ellipsis = true;
        }
        else if (token.PeriodFinal && !tok.EndsWith("..", StringComparison.Ordinal))
        {
            string stem = PyText.Lower(tok[..^1]);
            if (PunktEnglish.AbbreviationTypes.Contains(stem) || PunktEnglish.AbbreviationTypes.Contains(stem.Split('-')[^1]))
            {
                token.Abbreviation = true;
            }
            else
            {
                token.SentBreak = true;
            }
        }
    }

    private static void SecondPass(Token token, Token? next)
    {
        if (next is null || !token.PeriodFinal) return;
        string type = token.TypeNoPeriod;
        string nextType = next.TypeNoSentPeriod;
        bool isInitial = token.IsInitial;

        // Collocation heuristic: the English model's collocations are not shipped (PunktEnglish.Collocations).
        if (PunktEnglish.Collocations.Contains((type, nextType)))
        {
            token.SentBreak = false;
            token.Abbreviation = true;
            return;
        }

        // An abbreviation or ellipsis may also end a sentence when the next word looks like a sentence start.
        if ((token.Abbreviation || token.Ellipsis) && !isInitial)
        {
            if (OrthoHeuristic(next) == Ortho.Yes)
            {
                token.SentBreak = true;
                return;
            }
            if (next.FirstUpper && PunktEnglish.SentenceStarters.Contains(nextType))
            {
                token.SentBreak = true;
                return;
            }
        }

        // Initials and ordinal numbers that precede a non-sentence-starter are abbreviations.
        if (isInitial || type == "##number##")
        {
            var ortho = OrthoHeuristic(next);
            if (ortho == Ortho.No)
            {
                token.SentBreak = false;
                token.Abbreviation = true;
                return;
            }
            if (ortho == Ortho.Unknown && isInitial && next.FirstUpper
                && (PunktEnglish.OrthoContext(nextType) & PunktEnglish.OrthoLower) == 0)
            {
                token.SentBreak = false;
                token.Abbreviation = true;
            }
        }
    }

    private enum Ortho { Yes, No, Unknown }

    private static Ortho OrthoHeuristic(Token token)
    {
        // Sentences don't start with punctuation marks.
        if (token.Text is ";" or ":" or "," or "." or "!" or "?") return Ortho.No;
        int context = PunktEnglish.OrthoContext(token.TypeNoSentPeriod);
        if (token.FirstUpper && (context & PunktEnglish.OrthoLower) != 0 && (context & PunktEnglish.OrthoMidUpper) == 0)
        {
            return Ortho.Yes;
        }
        if (token.FirstLower && ((context & PunktEnglish.OrthoUpper) != 0 || (context & PunktEnglish.OrthoBegLower) == 0))
        {
            return Ortho.No;
        }
        return Ortho.Unknown;
    }

    private sealed class Token(string text)
    {
        public string Text { get; } = text;

        // Numbers are normalised to one type so that "1." and "1998." behave alike.
        public string Type { get; } = Numeric().IsMatch(PyText.Lower(text)) ? "##number##" : PyText.Lower(text);

        public bool PeriodFinal => Text.EndsWith('.');

        public bool SentBreak { get; set; }

        public bool Abbreviation { get; set; }

        public bool Ellipsis { get; set; }

        public string TypeNoPeriod => Type.Length > 1 && Type[^1] == '.' ? Type[..^1] : Type;

        public string TypeNoSentPeriod => SentBreak ? TypeNoPeriod : Type;

        public bool FirstUpper => IsUpperRune(PyText.FirstRune(Text));

        public bool FirstLower => Rune.IsLower(PyText.FirstRune(Text));

        // \.\.+$ matched from the start: the token is two or more periods.
        public bool IsEllipsis => Text.Length >= 2 && Text.All(c => c == '.');

        // [^\W\d]\.$ matched from the start: one letter and a period.
        public bool IsInitial
        {
            get
            {
                var first = PyText.FirstRune(Text);
                return PyText.IsAlphaWordRune(first) && Text.Length == first.Utf16SequenceLength + 1 && Text[^1] == '.';
            }
        }

        private static bool IsUpperRune(Rune r) => Rune.IsUpper(r);
    }
}
