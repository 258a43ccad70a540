using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Directer.Evaluation.IfEval;

namespace Directer.Evaluation.Harness;

/// <summary>
/// Chooses what to emphasise for an IFEval row. A row's own <c>emphasis</c> field wins. Otherwise the sentences
/// that state its instructions are derived by this rule (documented in docs/EVALUATION.md):
/// <list type="number">
/// <item>Split the system message (if any) and the prompt into sentences (<see cref="SentenceSplitter"/>).</item>
/// <item>For each instruction, score every sentence: +1 if it contains one of the instruction's parameters (its
/// keywords, forbidden words, end phrase, postscript marker, section splitter, first word, letter or language name),
/// +1 if it contains a word of the instruction's lexicon (<see cref="InstructionCues"/>: "comma" for no_comma...).
/// Matching ignores case; parameters match as whole words, lexicon words at a word start.</item>
/// <item>The instruction's sentences are those with the highest positive score; if every sentence scores 0, the
/// prompt's last sentence (IFEval states instructions after the task), marked as <see cref="EmphasisSource.Fallback"/>.</item>
/// <item>Emphasise the union over instructions, in prompt order.</item>
/// </list>
/// </summary>
public static class EmphasisDerivation
{
    /// <summary>The emphasis of <paramref name="row"/>: its own field, else derived as described on this class.</summary>
    public static DerivedEmphasis For(IfEvalRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (row.Emphasis is { Count: > 0 } given)
        {
            return new DerivedEmphasis(given.Distinct(StringComparer.Ordinal).ToList(), EmphasisSource.Row);
        }

        return Derive(row.System, row.Prompt, row.InstructionIds, row.Kwargs);
    }

    /// <summary>Derives the instruction sentences of a prompt (and system message) for the given instructions.</summary>
    /// <param name="system">The system message, or null.</param>
    /// <param name="prompt">The user prompt.</param>
    /// <param name="instructionIds">IFEval instruction ids.</param>
    /// <param name="kwargs">The kwargs of each instruction (same order; missing entries count as empty).</param>
    public static DerivedEmphasis Derive(string? system, string prompt, IReadOnlyList<string> instructionIds, IReadOnlyList<JsonObject?> kwargs)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(instructionIds);
        ArgumentNullException.ThrowIfNull(kwargs);
        var systemSentences = system is null ? [] : SentenceSplitter.Split(system);
        var promptSentences = SentenceSplitter.Split(prompt);
        var sentences = systemSentences.Concat(promptSentences).ToList();
        if (sentences.Count == 0)
        {
            throw new ArgumentException("The row has no text to emphasise: its prompt is empty.", nameof(prompt));
        }

        // The stand-in when no sentence names an instruction: IFEval states instructions after the task.
        int fallback = promptSentences.Count > 0 ? sentences.Count - 1 : systemSentences.Count - 1;
        var chosen = new SortedSet<int>();
        bool fellBack = instructionIds.Count == 0;
        for (int i = 0; i < instructionIds.Count; i++)
        {
            var parameters = InstructionCues.ParametersOf(instructionIds[i], i < kwargs.Count ? kwargs[i] : null).Select(p => WholeWord(p)).ToList();
            var lexicon = InstructionCues.LexiconOf(instructionIds[i]).Select(w => WordStart(w)).ToList();
            var scores = sentences.Select(s => (parameters.Any(p => p.IsMatch(s)) ? 1 : 0) + (lexicon.Any(w => w.IsMatch(s)) ? 1 : 0)).ToList();
            int best = scores.Max();
            if (best == 0)
            {
                fellBack = true;
                chosen.Add(fallback);
                continue;
            }

            for (int s = 0; s < sentences.Count; s++)
            {
                if (scores[s] == best)
                {
                    chosen.Add(s);
                }
            }
        }

        if (chosen.Count == 0)
        {
            chosen.Add(fallback);
        }

        var texts = chosen.Select(i => sentences[i]).Distinct(StringComparer.Ordinal).ToList();
        return new DerivedEmphasis(texts, fellBack ? EmphasisSource.Fallback : EmphasisSource.Instructions);
    }

    private static Regex WordStart(string cue) => new(Boundary(cue[0], before: true) + Regex.Escape(cue), Options);

    private static Regex WholeWord(string cue) => new(Boundary(cue[0], before: true) + Regex.Escape(cue) + Boundary(cue[^1], before: false), Options);

    // A word boundary only where the cue itself starts or ends with a letter or digit ("***" or "<<" match anywhere).
    private static string Boundary(char edge, bool before) => char.IsLetterOrDigit(edge) ? before ? @"(?<![\p{L}\p{N}])" : @"(?![\p{L}\p{N}])" : string.Empty;

    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
}
