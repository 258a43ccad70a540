using Directer.Evaluation.IfEval;

namespace Directer.Evaluation.Harness;

/// <summary>Builds the <see cref="EvalReport"/> of a run from its results log.</summary>
public static class EvalReportBuilder
{
    /// <summary>The report over <paramref name="rows"/> × <paramref name="methods"/>, from the results in <paramref name="log"/>.</summary>
    /// <exception cref="InvalidOperationException">A pair has no result (the run is not finished).</exception>
    public static EvalReport Build(RunConfiguration configuration, IReadOnlyList<IfEvalRow> rows, IReadOnlyList<EvalMethod> methods, ResultsLog log, EvalSession session)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(methods);
        ArgumentNullException.ThrowIfNull(log);
        var reports = new List<MethodReport>();
        foreach (var method in methods)
        {
            var results = rows.Select(r => log.Find(method.Name, r.Key)
                ?? throw new InvalidOperationException($"Row '{r.Key}' of method '{method.Name}' has no result yet.")).ToList();
            reports.Add(ForMethod(method, rows, results));
        }

        return new EvalReport
        {
            Model = configuration.Model,
            Data = configuration.Data,
            Rows = rows.Count,
            Configuration = configuration,
            Session = session,
            Methods = reports,
        };
    }

    private static MethodReport ForMethod(EvalMethod method, IReadOnlyList<IfEvalRow> allRows, IReadOnlyList<RowResult> allResults)
    {
        // Error rows (nothing generated) are counted and named, and left out of accuracy and throughput.
        var errors = allResults.Where(r => r.Error is not null).ToList();
        var ran = allRows.Zip(allResults).Where(p => p.Second.Error is null).ToList();
        var rows = ran.Select(p => p.First).ToList();
        var results = ran.Select(p => p.Second).ToList();
        var accuracy = IfEvalAccuracy.Compute(rows.Zip(results, (row, result) => (row, result.Instructions)));
        long tokens = results.Sum(r => (long)r.CompletionTokens);
        double generationSeconds = results.Sum(r => r.PrefillMs + r.DecodeMs) / 1000;
        double decodeSeconds = results.Sum(r => r.DecodeMs) / 1000;
        return new MethodReport
        {
            Method = method.Name,
            Settings = method.Settings,
            Rows = results.Count,
            Errors = errors.Count,
            RowErrors = errors.ToDictionary(r => r.Key, r => r.Error!, StringComparer.Ordinal),
            PromptStrict = accuracy.PromptStrict,
            PromptLoose = accuracy.PromptLoose,
            InstructionStrict = accuracy.InstructionStrict,
            InstructionLoose = accuracy.InstructionLoose,
            PerInstruction = accuracy.ByInstruction,
            PerCategory = accuracy.ByCategory,
            CompletionTokens = tokens,
            MeanCompletionTokens = results.Count == 0 ? 0 : tokens / (double)results.Count,
            GenerationSeconds = generationSeconds,
            TokensPerSecond = generationSeconds > 0 ? tokens / generationSeconds : 0,
            DecodeTokensPerSecond = decodeSeconds > 0 ? tokens / decodeSeconds : 0,
            Steering = SteeringStatistics.Pool(results.Select(r => r.Steering)),
            EmphasisSources = results.GroupBy(r => r.EmphasisSource).OrderBy(g => g.Key)
                .ToDictionary(g => g.Key.ToString().ToLowerInvariant(), g => g.Count()),
            MeanEmphasisTokens = results.Count == 0 ? 0 : results.Average(r => r.EmphasisTokens),
        };
    }
}
