namespace Directer.Evaluation.Harness;

/// <summary>
/// Splits prompt text into sentences for emphasis derivation. Each sentence is returned as an exact, trimmed
/// substring of the input (so it can be located in the rendered prompt by ordinal search).
/// </summary>
/// <remarks>
/// A sentence ends at a line break, or at '.', '!' or '?' followed by whitespace or the end of the text (closing
/// brackets and quotes after the mark stay with the sentence). Marks inside double quotes do not end a sentence,
/// because instructions quote the phrases they ask for (<c>End with "Is there anything else?". No other words.</c>);
/// a line break closes any open quote so one stray quote cannot swallow the rest of the prompt. Abbreviations
/// such as "e.g." or "P.S." do not end a sentence, nor does a quoted mark or a list number ("(1.") followed by a
/// lower-case word.
/// </remarks>
public static class SentenceSplitter
{
    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "st", "p.s", "p.p.s", "approx", "u.s", "a.m", "p.m", "fig", "cf",
    };

    /// <summary>The sentences of <paramref name="text"/>, in order, trimmed, without empty ones.</summary>
    public static IReadOnlyList<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sentences = new List<string>();
        int start = 0;
        bool inQuote = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is '\n' or '\r')
            {
                Add(sentences, text, start, i);
                start = i + 1;
                inQuote = false;
                continue;
            }

            if (c is '"' or '“' or '”')
            {
                inQuote = c switch { '“' => true, '”' => false, _ => !inQuote };
                continue;
            }

            if (c is not ('.' or '!' or '?'))
            {
                continue;
            }

            int end = i + 1;
            bool quoted = inQuote;
            while (end < text.Length && text[end] is '"' or '”' or '\'' or '’' or ')' or ']' or '*' or '.' or '!' or '?')
            {
                if (text[end] is '"' or '”')
                {
                    if (!quoted)
                    {
                        break; // an opening quote belongs to the next sentence
                    }

                    quoted = false;
                }

                end++;
            }

            if (quoted || (end < text.Length && !char.IsWhiteSpace(text[end])) || (c == '.' && IsAbbreviation(text, start, i)))
            {
                continue;
            }

            // A quoted mark ('marks "!" in your response') or a list number ('(1. do not...; 2. the request') followed by a
            // lower-case word continues the sentence.
            if ((inQuote || IsListNumber(text, start, i)) && NextLetterIsLower(text, end))
            {
                continue;
            }

            inQuote = false;
            Add(sentences, text, start, end);
            start = end;
            i = end - 1;
        }

        Add(sentences, text, start, text.Length);
        return sentences;
    }

    private static bool IsAbbreviation(string text, int sentenceStart, int dot)
    {
        int wordStart = dot;
        while (wordStart > sentenceStart && !char.IsWhiteSpace(text[wordStart - 1]) && text[wordStart - 1] is not ('(' or '"' or '“'))
        {
            wordStart--;
        }

        return Abbreviations.Contains(text[wordStart..dot]);
    }

    private static bool IsListNumber(string text, int sentenceStart, int mark)
    {
        int digits = 0;
        while (mark - digits - 1 >= sentenceStart && char.IsAsciiDigit(text[mark - digits - 1]))
        {
            digits++;
        }

        int before = mark - digits - 1;
        return digits is 1 or 2 && (before < sentenceStart || char.IsWhiteSpace(text[before]) || text[before] == '(');
    }

    private static bool NextLetterIsLower(string text, int from)
    {
        while (from < text.Length && char.IsWhiteSpace(text[from]) && text[from] is not ('\n' or '\r'))
        {
            from++;
        }

        return from < text.Length && char.IsLower(text[from]);
    }

    private static void Add(List<string> sentences, string text, int start, int end)
    {
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        if (end > start)
        {
            sentences.Add(text[start..end]);
        }
    }
}
