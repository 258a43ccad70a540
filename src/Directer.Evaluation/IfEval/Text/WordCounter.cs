namespace Directer.Evaluation.IfEval;

/// <summary>
/// IFEval's <c>count_words</c>: NLTK's <c>RegexpTokenizer(r"\w+")</c>, i.e. the number of maximal runs of Python word
/// characters. Hyphenated and apostrophised words count as several ("don't" is 2), numbers count, and (as in Python,
/// whose <c>\w</c> excludes combining marks) a word in an Indic script can count as several runs.
/// </summary>
internal static class WordCounter
{
    /// <summary>The number of <c>\w+</c> runs in <paramref name="text"/>, scanning code points.</summary>
    public static int Count(string text)
    {
        int count = 0;
        bool inWord = false;
        foreach (var rune in text.EnumerateRunes())
        {
            bool word = PyText.IsWordRune(rune);
            if (word && !inWord) count++;
            inWord = word;
        }
        return count;
    }
}
