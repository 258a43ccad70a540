using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Directer.Core.Text.Templates;

namespace Directer.Evaluation.HeldOut;

/// <summary>Grades replies against <see cref="HeldOutRow"/>s.</summary>
public static partial class HeldOutGrader
{
    /// <summary>Grades a reply given as its text and the tool calls parsed from it.</summary>
    /// <param name="row">The row.</param>
    /// <param name="text">The reply text (tool calls removed).</param>
    /// <param name="calls">Tool calls the chat template's parser found in the reply.</param>
    public static HeldOutGrade Grade(HeldOutRow row, string text, IReadOnlyList<ToolCall> calls)
    {
        switch (row.Kind)
        {
            case "tool_call":
                if (calls.Count == 0 || ParseObject(calls[0].ArgumentsJson) is not { } arguments)
                {
                    return new HeldOutGrade(false, false, false);
                }

                var expected = row.ExpectedToolCall!;
                bool listed = row.Tools.Any(t => t.Name == calls[0].Name);
                bool right = calls[0].Name == expected.Name && JsonNode.DeepEquals(arguments, ParseObject(expected.ArgumentsJson));
                return new HeldOutGrade(true, listed, right);
            case "tool_answer":
                bool repeats = row.MustContain.All(v => text.Contains(v, StringComparison.OrdinalIgnoreCase));
                return new HeldOutGrade(true, true, calls.Count == 0 && repeats && ConstraintsMet(row, text));
            default:
                return new HeldOutGrade(true, true, calls.Count == 0 && ConstraintsMet(row, text));
        }
    }

    /// <summary>Grades a raw reply, finding a Hermes-style <c>&lt;tool_call&gt;</c> block in it (for callers without a template parser).</summary>
    public static HeldOutGrade GradeRaw(HeldOutRow row, string reply)
    {
        var call = ParseToolCall(reply);
        string text = call is null ? reply : ToolCallBlock().Replace(reply, string.Empty).Trim();
        return Grade(row, text, call is null ? [] : [call]);
    }

    /// <summary>True when every constraint of <paramref name="row"/> holds for <paramref name="text"/>.</summary>
    public static bool ConstraintsMet(HeldOutRow row, string text) => row.Constraints.All(c => ConstraintChecker.IsSatisfied(c, text));

    /// <summary>The first <c>&lt;tool_call&gt;{"name": ..., "arguments": {...}}&lt;/tool_call&gt;</c> of <paramref name="reply"/>, or null.</summary>
    public static ToolCall? ParseToolCall(string reply)
    {
        var m = ToolCallBlock().Match(reply);
        if (!m.Success || ParseObject(m.Groups[1].Value) is not { } o)
        {
            return null;
        }

        return o["name"] is JsonValue name && name.TryGetValue(out string? s) && o["arguments"] is JsonObject args ? new ToolCall(s, args.ToJsonString()) : null;
    }

    private static JsonObject? ParseObject(string json)
    {
        try
        {
            return JsonNode.Parse(json) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"<tool_call>\s*(\{.*?\})\s*</tool_call>", RegexOptions.Singleline)]
    private static partial Regex ToolCallBlock();
}
