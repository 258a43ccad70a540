namespace Directer.Evaluation.IfEval;

/// <summary>
/// IFEval's accuracies (the official <c>print_report</c>, for strict and loose scoring at once): prompt level (every
/// instruction of the prompt followed), instruction level (all instructions pooled), per category (the part of the
/// id before <c>:</c>) and per instruction id. Accuracies of an empty set are 0.
/// </summary>
public sealed class IfEvalAccuracy
{
    private readonly SortedDictionary<string, (int Count, int Strict, int Loose)> _byId = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, (int Count, int Strict, int Loose)> _byCategory = new(StringComparer.Ordinal);

    /// <summary>Prompts added.</summary>
    public int PromptCount { get; private set; }

    /// <summary>Prompts whose instructions were all followed, strictly.</summary>
    public int PromptStrictFollowed { get; private set; }

    /// <summary>Prompts whose instructions were all followed, loosely.</summary>
    public int PromptLooseFollowed { get; private set; }

    /// <summary>Instructions added, over all prompts.</summary>
    public int InstructionCount { get; private set; }

    /// <summary>Instructions followed, strictly.</summary>
    public int InstructionStrictFollowed { get; private set; }

    /// <summary>Instructions followed, loosely.</summary>
    public int InstructionLooseFollowed { get; private set; }

    /// <summary>Prompt-level strict accuracy.</summary>
    public double PromptStrict => PromptCount == 0 ? 0 : (double)PromptStrictFollowed / PromptCount;

    /// <summary>Prompt-level loose accuracy.</summary>
    public double PromptLoose => PromptCount == 0 ? 0 : (double)PromptLooseFollowed / PromptCount;

    /// <summary>Instruction-level strict accuracy.</summary>
    public double InstructionStrict => InstructionCount == 0 ? 0 : (double)InstructionStrictFollowed / InstructionCount;

    /// <summary>Instruction-level loose accuracy.</summary>
    public double InstructionLoose => InstructionCount == 0 ? 0 : (double)InstructionLooseFollowed / InstructionCount;

    /// <summary>Tallies per instruction id, ordered by id.</summary>
    public IReadOnlyDictionary<string, InstructionTally> ByInstruction => Snapshot(_byId);

    /// <summary>Tallies per category (<c>keywords</c>, <c>detectable_format</c>, ...), ordered by name.</summary>
    public IReadOnlyDictionary<string, InstructionTally> ByCategory => Snapshot(_byCategory);

    /// <summary>Aggregates scored prompts.</summary>
    /// <param name="scored">Each row with the results <see cref="IfEvalScorer.Score"/> gave for it.</param>
    public static IfEvalAccuracy Compute(IEnumerable<(IfEvalRow Row, IReadOnlyList<InstructionResult> Results)> scored)
    {
        ArgumentNullException.ThrowIfNull(scored);
        var accuracy = new IfEvalAccuracy();
        foreach (var (row, results) in scored) accuracy.Add(row, results);
        return accuracy;
    }

    /// <summary>Adds one scored prompt.</summary>
    /// <param name="row">The prompt.</param>
    /// <param name="results">Its results, one per instruction in the row's order.</param>
    /// <exception cref="ArgumentException">The results do not match the row's instruction ids.</exception>
    public void Add(IfEvalRow row, IReadOnlyList<InstructionResult> results)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count != row.InstructionIds.Count)
        {
            throw new ArgumentException($"row '{row.Key}' has {row.InstructionIds.Count} instructions but {results.Count} results.", nameof(results));
        }
        for (int i = 0; i < results.Count; i++)
        {
            if (results[i].InstructionId != row.InstructionIds[i])
            {
                throw new ArgumentException(
                    $"row '{row.Key}': result {i} is for '{results[i].InstructionId}' but the instruction is '{row.InstructionIds[i]}'.", nameof(results));
            }
        }

        PromptCount++;
        if (results.All(r => r.Strict)) PromptStrictFollowed++;
        if (results.All(r => r.Loose)) PromptLooseFollowed++;
        foreach (var r in results)
        {
            InstructionCount++;
            if (r.Strict) InstructionStrictFollowed++;
            if (r.Loose) InstructionLooseFollowed++;
            Count(_byId, r.InstructionId, r);
            Count(_byCategory, IfEvalInstructions.CategoryOf(r.InstructionId), r);
        }
    }

    private static void Count(SortedDictionary<string, (int Count, int Strict, int Loose)> tallies, string name, InstructionResult r)
    {
        var t = tallies.GetValueOrDefault(name);
        tallies[name] = (t.Count + 1, t.Strict + (r.Strict ? 1 : 0), t.Loose + (r.Loose ? 1 : 0));
    }

    private static IReadOnlyDictionary<string, InstructionTally> Snapshot(SortedDictionary<string, (int Count, int Strict, int Loose)> tallies)
    {
        var copy = new SortedDictionary<string, InstructionTally>(StringComparer.Ordinal);
        foreach (var (name, t) in tallies) copy[name] = new InstructionTally(t.Count, t.Strict, t.Loose);
        return copy;
    }
}
