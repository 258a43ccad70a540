using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Directer.Evaluation.HeldOut;

/// <summary>Per-group rates of held-out outcomes, one column per method.</summary>
public sealed class HeldOutReport
{
    private readonly IReadOnlyList<HeldOutOutcome> outcomes;

    /// <summary>Aggregates <paramref name="outcomes"/> (any number of methods).</summary>
    public HeldOutReport(IReadOnlyList<HeldOutOutcome> outcomes) => this.outcomes = outcomes;

    /// <summary>Methods in the order they first appear.</summary>
    public IReadOnlyList<string> Methods => outcomes.Select(o => o.Method).Distinct().ToList();

    /// <summary>Groups in ordinal order.</summary>
    public IReadOnlyList<string> Groups => outcomes.Select(o => o.Row.Group).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>Rates of one method on one group (null group = all rows).</summary>
    public GroupRates Rates(string method, string? group)
    {
        var list = outcomes.Where(o => o.Method == method && (group is null || o.Row.Group == group)).ToList();
        double Share(Func<HeldOutGrade, bool> f) => list.Count == 0 ? 0 : (double)list.Count(o => f(o.Grade)) / list.Count;
        double seconds = list.Sum(o => o.Seconds);
        return new GroupRates(list.Count, Share(g => g.Valid), Share(g => g.Listed), Share(g => g.Correct), Share(g => g.RightTool), seconds <= 0 ? 0 : list.Sum(o => o.CompletionTokens) / seconds)
        {
            CutAtLimit = list.Count(o => o.CutAtLimit),
            Looping = list.Count(o => o.Looping),
        };
    }

    /// <summary>A markdown table: one row per group, the correct rate per method (and validity for tool calls).</summary>
    public string ToMarkdown()
    {
        var methods = Methods;
        var sb = new StringBuilder();
        sb.Append("| group | n |");
        foreach (string m in methods)
        {
            sb.Append(CultureInfo.InvariantCulture, $" {m} |");
        }

        sb.AppendLine();
        sb.Append("| --- | ---: |");
        foreach (string _ in methods)
        {
            sb.Append(" ---: |");
        }

        sb.AppendLine();
        foreach (string? group in Groups.Cast<string?>().Append(null))
        {
            int n = Rates(methods[0], group).Count;
            sb.Append(CultureInfo.InvariantCulture, $"| {group ?? "**all rows**"} | {n} |");
            foreach (string m in methods)
            {
                var r = Rates(m, group);
                string cell = group == "tool_call"
                    ? string.Create(CultureInfo.InvariantCulture, $"{r.Correct:P0} right (valid {r.Valid:P0}, listed tool {r.Listed:P0}, right tool {r.RightTool:P0})")
                    : string.Create(CultureInfo.InvariantCulture, $"{r.Correct:P0}");
                sb.Append(CultureInfo.InvariantCulture, $" {cell} |");
            }

            sb.AppendLine();
        }

        sb.Append("| cut at the token limit (of them looping) | |");
        foreach (string m in methods)
        {
            var all = Rates(m, null);
            sb.Append(CultureInfo.InvariantCulture, $" {all.CutAtLimit} ({all.Looping}) |");
        }

        sb.AppendLine();
        sb.Append("| tokens/s | |");
        foreach (string m in methods)
        {
            sb.Append(CultureInfo.InvariantCulture, $" {Rates(m, null).TokensPerSecond:F1} |");
        }

        sb.AppendLine();
        return sb.ToString();
    }

    /// <summary>The same figures as JSON: <c>{method: {group: {n, valid, listed, correct, right_tool}, "all": {n, correct, cut_at_limit, looping}, "tokens_per_second": x}}</c>.</summary>
    public JsonObject ToJson()
    {
        var root = new JsonObject();
        foreach (string m in Methods)
        {
            var byGroup = new JsonObject();
            foreach (string group in Groups)
            {
                var r = Rates(m, group);
                byGroup[group] = new JsonObject { ["n"] = r.Count, ["valid"] = Math.Round(r.Valid, 4), ["listed"] = Math.Round(r.Listed, 4), ["correct"] = Math.Round(r.Correct, 4), ["right_tool"] = Math.Round(r.RightTool, 4) };
            }

            var all = Rates(m, null);
            byGroup["all"] = new JsonObject { ["n"] = all.Count, ["correct"] = Math.Round(all.Correct, 4), ["cut_at_limit"] = all.CutAtLimit, ["looping"] = all.Looping };
            byGroup["tokens_per_second"] = Math.Round(all.TokensPerSecond, 2);
            root[m] = byGroup;
        }

        return root;
    }
}

/// <summary>Counts and shares of one method on one group.</summary>
/// <param name="Count">Rows.</param>
/// <param name="Valid">Share with a well-formed tool call (tool_call rows; 1 elsewhere).</param>
/// <param name="Listed">Share calling a listed tool (tool_call rows; 1 elsewhere).</param>
/// <param name="Correct">Share graded correct.</param>
/// <param name="RightTool">Share calling the expected tool (tool_call rows; 1 elsewhere).</param>
/// <param name="TokensPerSecond">Generated tokens per second of wall time.</param>
public sealed record GroupRates(int Count, double Valid, double Listed, double Correct, double RightTool, double TokensPerSecond)
{
    /// <summary>Replies cut by the token budget or the context window.</summary>
    public int CutAtLimit { get; init; }

    /// <summary>Of those, replies that end repeating themselves (<see cref="ReplyLoop"/>).</summary>
    public int Looping { get; init; }
}
