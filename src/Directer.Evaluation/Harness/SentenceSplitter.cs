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
/// such as "e.g." or "P.S." do not end a sentence.
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

        string word = text[wordStart..dot];
        return Abbreviations.Contains(word) || (word.Length == 1 && char.IsLetter(word[0]) && char.IsUpper(word[0]) && dot + 1 < text.Length);
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
