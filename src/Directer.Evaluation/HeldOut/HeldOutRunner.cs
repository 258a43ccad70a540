using System.Diagnostics;
using Directer.Core.Chat;
using Directer.Core.Steering;
using Directer.Core.Emphasis;

namespace Directer.Evaluation.HeldOut;

/// <summary>
/// Runs held-out rows through <see cref="ChatModel"/> — the same template, tokenizer, decoding and tool-call parser
/// every checkpoint uses — greedily, with or without steering. Steered requests emphasize the system message,
/// which is where the demo set states its instructions.
/// </summary>
public static class HeldOutRunner
{
    /// <summary>Runs every row with one method.</summary>
    /// <param name="model">The loaded model.</param>
    /// <param name="rows">Rows to run.</param>
    /// <param name="method">Label for the report.</param>
    /// <param name="steering">Steering settings; null or <see cref="SteeringMethod.None"/> for plain greedy decoding.</param>
    /// <param name="maxNewTokens">Token budget per reply.</param>
    /// <param name="onOutcome">Called after each row (progress).</param>
    /// <param name="constrainToolCalls">Constrain tool calls to the listed tools' grammar (<see cref="ChatRequest.ConstrainToolCalls"/>).</param>
    /// <param name="cancellationToken">Stops between (and inside) rows.</param>
    /// <param name="decoding">Changes each row's request before it runs (e.g. repetition or presence penalties); null runs
    /// the rows as built (greedy, no penalties).</param>
    public static async Task<IReadOnlyList<HeldOutOutcome>> RunAsync(
        ChatModel model,
        IReadOnlyList<HeldOutRow> rows,
        string method,
        SteeringSettings? steering,
        int maxNewTokens = 96,
        Action<HeldOutOutcome>? onOutcome = null,
        bool constrainToolCalls = false,
        CancellationToken cancellationToken = default,
        Func<ChatRequest, ChatRequest>? decoding = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(rows);
        var outcomes = new List<HeldOutOutcome>(rows.Count);
        bool steered = steering is { Method: not SteeringMethod.None };
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var request = new ChatRequest
            {
                Turns = row.Turns,
                Tools = row.Tools,
                MaxNewTokens = maxNewTokens,
                Steering = steered ? steering : null,
                Emphasis = steered ? new EmphasisRequest { SystemMessage = true } : null,
                ConstrainToolCalls = constrainToolCalls,
            };
            request = decoding?.Invoke(request) ?? request;
            var clock = Stopwatch.StartNew();
            var result = await model.CompleteAsync(request, cancellationToken).ConfigureAwait(false);
            var outcome = new HeldOutOutcome(method, row, result.RawText, HeldOutGrader.Grade(row, result.Text, result.ToolCalls), result.CompletionTokens, clock.Elapsed.TotalSeconds, result.Steering)
            {
                StopReason = result.StopReason,
            };
            outcomes.Add(outcome);
            onOutcome?.Invoke(outcome);
        }

        return outcomes;
    }
}
