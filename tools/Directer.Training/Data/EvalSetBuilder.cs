using System.Text.Json.Nodes;
using Directer.Evaluation.HeldOut;

namespace Directer.Training.Data;

/// <summary>
/// Builds the held-out evaluation set: conversations from another seed and the <see cref="DataSplit.Eval"/>
/// wordings, cut just before the assistant turn being graded, with what a grader checks.
/// Row kinds: "tool_call" (expected name and arguments), "tool_answer" (the final answer after a tool response
/// must repeat <c>must_contain</c> and meet any constraints) and "constraint" (one constraint per row, so
/// accuracy can be reported per type).
/// </summary>
internal static class EvalSetBuilder
{
    /// <summary>Default seed of the evaluation set (training uses another).</summary>
    public const long DefaultSeed = 90210;

    public static List<JsonObject> Build(long seed, int toolCallRows, int toolAnswerRows, int rowsPerConstraint)
    {
        var generator = new ConversationGenerator(seed, DataSplit.Eval);
        var rows = new List<JsonObject>();
        for (int i = 0; i < toolCallRows; i++)
        {
            var c = generator.GenerateToolUse(i);
            rows.Add(Row($"tool_call-{i:D4}", "tool_call", c, prefix: 2, expectCall: true));
        }

        for (int i = 0; i < toolAnswerRows; i++)
        {
            var c = generator.GenerateToolUse(100_000 + i);
            rows.Add(Row($"tool_answer-{i:D4}", "tool_answer", c, prefix: 4, expectCall: false));
        }

        foreach (var kind in Enum.GetValues<ConstraintKind>())
        {
            for (int i = 0; i < rowsPerConstraint; i++)
            {
                var c = generator.GenerateChat(i, kind);
                rows.Add(Row($"constraint-{new Constraint(kind).TypeName}-{i:D4}", "constraint", c, prefix: 2, expectCall: false));
            }
        }

        return rows;
    }

    private static JsonObject Row(string id, string kind, GeneratedConversation c, int prefix, bool expectCall)
    {
        var prompt = c.Messages.Take(prefix).ToList();
        var reference = c.Messages[prefix];
        var row = new JsonObject
        {
            ["id"] = id,
            ["kind"] = kind,
            ["messages"] = new JsonArray(prompt.Select(m => (JsonNode?)m.ToJson()).ToArray()),
            ["tools"] = new JsonArray(c.Tools.Select(t => (JsonNode?)t.ToJson()).ToArray()),
            ["expected_tool_call"] = expectCall ? new JsonObject { ["name"] = c.Call!.Name, ["arguments"] = c.Call.Arguments.DeepClone() } : null,
            ["constraints"] = expectCall ? new JsonArray() : new JsonArray(c.Constraints.Select(x => (JsonNode?)x.ToJson()).ToArray()),
            ["must_contain"] = kind == "tool_answer" ? new JsonArray(c.MustContain.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()) : new JsonArray(),
            ["reference_answer"] = reference.ToolCall is null ? reference.Content : reference.ToolCall.ToTemplateJson(),
            ["prompt"] = ChatMlRenderer.Render(prompt, c.Tools, addGenerationPrompt: true).Text,
        };
        return row;
    }
}
