using System.Text.Json;
using System.Text.Json.Nodes;
using Directer.Core.Templates;
using Directer.Core.Chat;

namespace Directer.Evaluation.HeldOut;

/// <summary>Grades replies against <see cref="HeldOutRow"/>s.</summary>
public static class HeldOutGrader
{
    private static readonly IChatTemplate HermesTemplate = ChatTemplates.ByName("qwen2.5");

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
                    return new HeldOutGrade(false, false, false, false);
                }

                var expected = row.ExpectedToolCall!;
                bool listed = row.Tools.Any(t => t.Name == calls[0].Name);
                bool right = calls[0].Name == expected.Name && JsonNode.DeepEquals(arguments, ParseObject(expected.ArgumentsJson));
                return new HeldOutGrade(true, listed, right, calls[0].Name == expected.Name);
            case "tool_answer":
                bool repeats = row.MustContain.All(v => text.Contains(v, StringComparison.OrdinalIgnoreCase));
                return new HeldOutGrade(true, true, calls.Count == 0 && repeats && ConstraintsMet(row, text), true);
            default:
                return new HeldOutGrade(true, true, calls.Count == 0 && ConstraintsMet(row, text), true);
        }
    }

    /// <summary>
    /// Grades a raw reply (for callers without a chat model, such as the trainer's own decoder), parsing its tool calls
    /// with the Qwen2.5 template's Hermes parser — the one <c>ChatModel</c> uses for the demo model.
    /// </summary>
    public static HeldOutGrade GradeRaw(HeldOutRow row, string reply)
    {
        var parsed = HermesTemplate.ParseToolCallsDetailed(reply);
        return Grade(row, parsed.RemainingText, parsed.ToolCalls);
    }

    /// <summary>True when every constraint of <paramref name="row"/> holds for <paramref name="text"/>.</summary>
    public static bool ConstraintsMet(HeldOutRow row, string text) => row.Constraints.All(c => ConstraintChecker.IsSatisfied(c, text));

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

}
