using System.Diagnostics;
using Directer.Core.Chat;
using Directer.Core.Modeling;
using Directer.Core.Steering;
using Directer.Core.Emphasis;
using Directer.Core.Templates;
using Directer.Evaluation.IfEval;

namespace Directer.Evaluation.Harness;

/// <summary>
/// Runs IFEval rows through one loaded <see cref="ChatModel"/> under several steering methods and scores every
/// response with <see cref="IfEvalScorer"/>. Rows go in file order and, within a row, methods in the order given,
/// so an interrupted run leaves every method with (nearly) the same rows done and the partial comparison stays fair.
/// </summary>
public sealed class EvalRunner
{
    private readonly ChatModel model;
    private readonly EvalSettings settings;

    /// <summary>Creates a runner on a loaded model.</summary>
    public EvalRunner(ChatModel model, EvalSettings settings)
    {
        this.model = model ?? throw new ArgumentNullException(nameof(model));
        this.settings = settings ?? throw new ArgumentNullException(nameof(settings));
        if (settings.MaxNewTokens < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(settings), settings.MaxNewTokens, "MaxNewTokens must be at least 1.");
        }
    }

    /// <summary>
    /// Checks what can be checked before generating anything: distinct keys, a row's own emphasis occurring in its prompt
    /// or system message, and each method's settings (alpha, beta, trials) being valid.
    /// </summary>
    /// <exception cref="ArgumentException">A problem, naming the row or method.</exception>
    public void Validate(IReadOnlyList<IfEvalRow> rows, IReadOnlyList<EvalMethod> methods)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(methods);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (!keys.Add(row.Key))
            {
                throw new ArgumentException($"The data has two rows with key '{row.Key}'; keys identify rows in the results, so they must be distinct.");
            }

            foreach (string text in row.Emphasis ?? [])
            {
                if (!row.Prompt.Contains(text, StringComparison.Ordinal) && row.System?.Contains(text, StringComparison.Ordinal) != true)
                {
                    throw new ArgumentException($"Row '{row.Key}': its emphasis \"{text}\" is not in its prompt or system message (matching is exact and case-sensitive).");
                }
            }
        }

        foreach (var method in methods)
        {
            // Building a selector validates alpha, beta and the trial count before any row runs.
            method.Steering?.CreateSelector([new TokenSpan(0, 1)], model.Model.LayerCount);
        }
    }

    /// <summary>
    /// Runs every (row, method) pair not yet in <paramref name="log"/>, appending each result as it finishes. A pair that
    /// fails for a reason of its own row (<see cref="EvalRowException"/>) is recorded as an error result with the reason
    /// and the run goes on; it stays in the log, so a resumed run reports it the same way.
    /// </summary>
    /// <param name="rows">The rows (already limited).</param>
    /// <param name="methods">The methods.</param>
    /// <param name="log">Where results go; pairs already in it are skipped.</param>
    /// <param name="progress">Called after every pair (and once at the start).</param>
    /// <param name="cancellationToken">Stops after the current token; finished pairs stay in the log.</param>
    public async Task RunAsync(IReadOnlyList<IfEvalRow> rows, IReadOnlyList<EvalMethod> methods, ResultsLog log, Action<EvalProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(methods);
        ArgumentNullException.ThrowIfNull(log);
        int total = rows.Count * methods.Count;
        int resumed = rows.Sum(r => methods.Count(m => log.Contains(m.Name, r.Key)));
        int done = resumed;
        long tokens = 0;
        var clock = Stopwatch.StartNew();
        progress?.Invoke(new EvalProgress(done, total, resumed, TimeSpan.Zero, 0, methods.Count > 0 ? methods[0].Name : string.Empty, rows.Count > 0 ? rows[0].Key : string.Empty));
        foreach (var row in rows)
        {
            DerivedEmphasis? emphasis = null;
            foreach (var method in methods)
            {
                if (log.Contains(method.Name, row.Key))
                {
                    continue;
                }

                cancellationToken.ThrowIfCancellationRequested();
                emphasis ??= EmphasisDerivation.For(row);
                RowResult result;
                try
                {
                    result = await RunRowAsync(row, method, emphasis, cancellationToken).ConfigureAwait(false);
                }
                catch (EvalRowException e)
                {
                    result = ErrorResult(row, method, emphasis, e.InnerException?.Message ?? e.Message);
                }

                log.Append(result);
                done++;
                tokens += result.CompletionTokens;
                progress?.Invoke(new EvalProgress(done, total, resumed, clock.Elapsed, tokens, method.Name, row.Key));
            }
        }
    }

    /// <summary>Generates and scores one row under one method.</summary>
    /// <exception cref="EvalRowException">The row cannot be run or scored (the message names the row and the reason).</exception>
    public async Task<RowResult> RunRowAsync(IfEvalRow row, EvalMethod method, DerivedEmphasis emphasis, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(emphasis);
        var clock = Stopwatch.StartNew();
        var turns = new List<ChatTurn>();
        if (row.System is { } system)
        {
            turns.Add(new ChatTurn(ChatRole.System, system));
        }

        turns.Add(new ChatTurn(ChatRole.User, row.Prompt));
        var request = new ChatRequest
        {
            Turns = turns,

            // Data rows are plain text: "[[" in a prompt is content, not an inline emphasis marker.
            Emphasis = new EmphasisRequest { Texts = emphasis.Texts, InlineOpenMarker = null, InlineCloseMarker = null },
            Steering = method.Steering,
            MaxNewTokens = settings.MaxNewTokens,
            Temperature = settings.Temperature,
            Seed = settings.Seed is { } seed ? RowSeed(seed, row.Key) : null,
        };
        ChatResult reply;
        IReadOnlyList<InstructionResult> scores;
        try
        {
            reply = await model.CompleteAsync(request, cancellationToken).ConfigureAwait(false);

            // IFEval scores the response as generated; RawText keeps anything the template parser would strip.
            scores = IfEvalScorer.Score(row, reply.RawText);
        }
        catch (Exception e) when (IsRowSpecific(e))
        {
            throw new EvalRowException(row.Key, method.Name, e);
        }

        string response = reply.RawText;
        return new RowResult
        {
            Method = method.Name,
            Key = row.Key,
            Response = response,
            Instructions = scores,
            PromptTokens = reply.PromptTokens,
            CompletionTokens = reply.CompletionTokens,
            StopReason = reply.StopReason.ToString(),
            PrefillMs = reply.Generation.PrefillTime.TotalMilliseconds,
            DecodeMs = reply.Generation.DecodeTime.TotalMilliseconds,
            RowMs = clock.Elapsed.TotalMilliseconds,
            Emphasis = emphasis.Texts,
            EmphasisSource = emphasis.Source,
            EmphasisTokens = reply.EmphasisSpans.Sum(s => s.End - s.Start),
            Steering = reply.Steering,
        };
    }

    /// <summary>
    /// Failures that come from one row's content (too long for the context, emphasis not found, a value a checker
    /// refuses), as opposed to the model, the machine or cancellation, which end the run.
    /// </summary>
    private static bool IsRowSpecific(Exception e) =>
        e is ArgumentException or EmphasisNotFoundException or ContextLengthExceededException or FormatException;

    private static RowResult ErrorResult(IfEvalRow row, EvalMethod method, DerivedEmphasis emphasis, string reason) => new()
    {
        Method = method.Name,
        Key = row.Key,
        Response = string.Empty,
        Instructions = [],
        PromptTokens = 0,
        CompletionTokens = 0,
        StopReason = "error",
        PrefillMs = 0,
        DecodeMs = 0,
        RowMs = 0,
        Emphasis = emphasis.Texts,
        EmphasisSource = emphasis.Source,
        EmphasisTokens = 0,
        Error = reason,
    };

    /// <summary>The seed of one row: the run's seed mixed with a stable (FNV-1a) hash of the key.</summary>
    public static long RowSeed(long seed, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        ulong hash = 14695981039346656037;
        foreach (char c in key)
        {
            hash = (hash ^ c) * 1099511628211;
        }

        return seed ^ (long)(hash & long.MaxValue);
    }
}
