using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Directer.Training.Data;

namespace Directer.Training.Evaluation;

/// <summary>Grades a model reply against an evaluation row (see <see cref="EvalSetBuilder"/>).</summary>
internal static partial class EvalGrader
{
    /// <summary>Outcome for one row.</summary>
    /// <param name="Valid">tool_call: a well-formed &lt;tool_call&gt; with JSON name and arguments; other kinds: always true.</param>
    /// <param name="Correct">tool_call: right name and arguments; tool_answer: repeats the result and meets constraints; constraint: constraint met.</param>
    internal sealed record Grade(bool Valid, bool Correct);

    public static Grade Score(JsonObject row, string reply)
    {
        string kind = row["kind"]!.GetValue<string>();
        switch (kind)
        {
            case "tool_call":
                var call = ParseToolCall(reply);
                if (call is null)
                {
                    return new Grade(false, false);
                }

                var expected = row["expected_tool_call"]!.AsObject();
                bool nameOk = call.Value.Name == expected["name"]!.GetValue<string>();
                bool argsOk = JsonNode.DeepEquals(Normalize(call.Value.Arguments), Normalize(expected["arguments"]));
                return new Grade(true, nameOk && argsOk);
            case "tool_answer":
                bool contains = row["must_contain"]!.AsArray().All(v => reply.Contains(v!.GetValue<string>(), StringComparison.OrdinalIgnoreCase));
                return new Grade(true, contains && ConstraintsMet(row, reply));
            case "constraint":
                return new Grade(true, ConstraintsMet(row, reply));
            default:
                throw new InvalidDataException($"Evaluation row {row["id"]} has unknown kind '{kind}'.");
        }
    }

    public static bool ConstraintsMet(JsonObject row, string reply)
        => row["constraints"]!.AsArray().All(c => ConstraintChecker.IsSatisfied(Constraint.FromJson(c!.AsObject()), reply));

    /// <summary>The first &lt;tool_call&gt;{"name": ..., "arguments": {...}}&lt;/tool_call&gt; in <paramref name="reply"/>, or null.</summary>
    public static (string Name, JsonNode? Arguments)? ParseToolCall(string reply)
    {
        var m = ToolCallRegex().Match(reply);
        if (!m.Success)
        {
            return null;
        }

        try
        {
            if (JsonNode.Parse(m.Groups[1].Value) is not JsonObject o || o["name"] is not JsonValue name || !name.TryGetValue(out string? s) || o["arguments"] is not JsonObject args)
            {
                return null;
            }

            return (s, args);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonNode? Normalize(JsonNode? node) => node is null ? null : JsonNode.Parse(node.ToJsonString());

    [GeneratedRegex(@"<tool_call>\s*(\{.*\})\s*</tool_call>", RegexOptions.Singleline)]
    private static partial Regex ToolCallRegex();
}
