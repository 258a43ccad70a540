namespace Directer.Evaluation.IfEval;

/// <summary>
/// Scores a response against every instruction of an <see cref="IfEvalRow"/> the way the official
/// <c>evaluation_lib</c> does: strict (<c>test_instruction_following_strict</c>) and loose
/// (<c>test_instruction_following_loose</c>).
/// </summary>
public static class IfEvalScorer
{
    /// <summary>One result per instruction of <paramref name="row"/>, in order.</summary>
    /// <param name="row">The prompt and its instructions.</param>
    /// <param name="response">The model's response text.</param>
    /// <exception cref="ArgumentException">The row names an unknown instruction, has invalid kwargs, or has a kwargs list
    /// whose length differs from its instruction list (rows from <see cref="IfEvalDataset"/> are already validated).</exception>
    public static IReadOnlyList<InstructionResult> Score(IfEvalRow row, string response)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(response);
        if (row.Kwargs.Count != row.InstructionIds.Count)
        {
            throw new ArgumentException(
                $"row '{row.Key}' has {row.InstructionIds.Count} instruction ids but {row.Kwargs.Count} kwargs objects.", nameof(row));
        }

        var variants = LooseVariants(response);
        var results = new InstructionResult[row.InstructionIds.Count];
        for (int i = 0; i < results.Length; i++)
        {
            var checker = IfEvalInstructions.CreateChecker(row.InstructionIds[i], row.Kwargs[i]);
            // An empty (or all-whitespace) text never follows an instruction, in either mode.
            bool strict = !PyText.IsBlank(response) && checker.IsFollowed(response);
            bool loose = strict || variants.Any(v => !PyText.IsBlank(v) && checker.IsFollowed(v));
            results[i] = new InstructionResult(row.InstructionIds[i], strict, loose);
        }
        return results;
    }

    /// <summary>
    /// The eight texts the loose score tries, in the official order: the response; the response without any
    /// <c>*</c>; the response without its first line, without its last line, and without both (each stripped); and
    /// those three again without any <c>*</c>. Lines are split on <c>\n</c> only.
    /// </summary>
    /// <param name="response">The model's response text.</param>
    public static IReadOnlyList<string> LooseVariants(string response)
    {
        ArgumentNullException.ThrowIfNull(response);
        string[] lines = response.Split('\n');
        string removeFirst = PyText.Strip(string.Join('\n', lines.Skip(1)));
        string removeLast = PyText.Strip(string.Join('\n', lines.Take(lines.Length - 1)));
        // Python's r[1:-1] is empty for a single line.
        string removeBoth = PyText.Strip(lines.Length > 2 ? string.Join('\n', lines[1..^1]) : "");
        return
        [
            response,
            response.Replace("*", "", StringComparison.Ordinal),
            removeFirst,
            removeLast,
            removeBoth,
            removeFirst.Replace("*", "", StringComparison.Ordinal),
            removeLast.Replace("*", "", StringComparison.Ordinal),
            removeBoth.Replace("*", "", StringComparison.Ordinal),
        ];
    }
}
