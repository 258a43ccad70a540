using System.Text.Json;
using System.Text.Json.Nodes;
using Directer.Core.Templates;
using Directer.Core.Chat;

namespace Directer.Evaluation.HeldOut;

/// <summary>
/// One row of the demo model's held-out evaluation set (<c>heldout-eval.jsonl</c>, written by
/// <c>tools/Directer.Training</c>): a prompt conversation, the tools it lists, and what a reply must do.
/// </summary>
/// <param name="Id">Row id, e.g. <c>tool_call-0003</c>.</param>
/// <param name="Kind"><c>tool_call</c>, <c>tool_answer</c> or <c>constraint</c>.</param>
/// <param name="Turns">The conversation to complete (system, user, and for tool answers the call and its result).</param>
/// <param name="Tools">Tools listed in the system prompt.</param>
/// <param name="ExpectedToolCall">For <c>tool_call</c> rows: the right call.</param>
/// <param name="Constraints">Instructions the reply must follow.</param>
/// <param name="MustContain">Values a tool answer must repeat (case-insensitive).</param>
/// <param name="Distance">For the long-context split: the nominal number of context tokens between the system
/// instructions and the reply (the row's <c>distance</c>), else null.</param>
public sealed record HeldOutRow(
    string Id,
    string Kind,
    IReadOnlyList<ChatTurn> Turns,
    IReadOnlyList<ToolDefinition> Tools,
    ToolCall? ExpectedToolCall,
    IReadOnlyList<Constraint> Constraints,
    IReadOnlyList<string> MustContain,
    int? Distance = null)
{
    /// <summary>
    /// Report group: the kind, and for constraint rows the constraint type (<c>constraint:json</c>); for long-context
    /// rows the kind and the distance (<c>constraint @0500</c>), so that the report reads as accuracy against distance.
    /// </summary>
    public string Group => Distance is { } d
        ? $"{Kind} @{d:D4}"
        : Kind == "constraint" && Constraints.Count > 0 ? "constraint:" + Constraints[0].TypeName : Kind;

    /// <summary>Reads one JSON row.</summary>
    /// <exception cref="FormatException">A field is missing or has the wrong shape (the message names it).</exception>
    public static HeldOutRow Parse(JsonObject row)
    {
        string id = Text(row, "id");
        string kind = Text(row, "kind");
        if (kind is not ("tool_call" or "tool_answer" or "constraint"))
        {
            throw new FormatException($"Row '{id}': \"kind\" is '{kind}'; expected tool_call, tool_answer or constraint.");
        }

        var turns = Array(row, "messages", id).Select(m => ParseTurn(m as JsonObject ?? throw new FormatException($"Row '{id}': every message must be an object."), id)).ToList();
        var tools = (row["tools"] as JsonArray ?? []).Select(t => ParseTool(t as JsonObject, id)).ToList();
        ToolCall? expected = row["expected_tool_call"] is JsonObject call ? ParseCall(call, id) : null;
        if (kind == "tool_call" && expected is null)
        {
            throw new FormatException($"Row '{id}': a tool_call row needs \"expected_tool_call\".");
        }

        var constraints = (row["constraints"] as JsonArray ?? []).Select(c => Constraint.FromJson(c as JsonObject ?? throw new FormatException($"Row '{id}': constraints must be objects."))).ToList();
        var mustContain = (row["must_contain"] as JsonArray ?? []).Select(v => v?.GetValue<string>() ?? throw new FormatException($"Row '{id}': must_contain holds a null.")).ToList();
        int? distance = row["distance"] switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out int d) && d >= 0 => d,
            var other => throw new FormatException($"Row '{id}': \"distance\" must be a non-negative integer, got {other.ToJsonString()}."),
        };
        return new HeldOutRow(id, kind, turns, tools, expected, constraints, mustContain, distance);
    }

    private static ChatTurn ParseTurn(JsonObject m, string id)
    {
        string role = Text(m, "role");
        string content = m["content"]?.GetValue<string>() ?? string.Empty;
        return role switch
        {
            "system" => new ChatTurn(ChatRole.System, content),
            "user" => new ChatTurn(ChatRole.User, content),
            "assistant" => new ChatTurn(ChatRole.Assistant, content)
            {
                ToolCalls = (m["tool_calls"] as JsonArray ?? []).Select(c => ParseCall(c?["function"] as JsonObject ?? throw new FormatException($"Row '{id}': a tool call needs \"function\"."), id)).ToList(),
            },
            "tool" => new ChatTurn(ChatRole.Tool, content),
            _ => throw new FormatException($"Row '{id}': message role '{role}' is not system, user, assistant or tool."),
        };
    }

    private static ToolCall ParseCall(JsonObject call, string id)
        => new(Text(call, "name"), (call["arguments"] as JsonObject ?? throw new FormatException($"Row '{id}': tool call arguments must be an object.")).ToJsonString());

    private static ToolDefinition ParseTool(JsonObject? tool, string id)
    {
        var function = tool?["function"] as JsonObject ?? throw new FormatException($"Row '{id}': every tool needs a \"function\" object.");
        var parameters = function["parameters"] as JsonObject ?? throw new FormatException($"Row '{id}': tool '{function["name"]}' needs \"parameters\".");
        return new ToolDefinition(Text(function, "name"), function["description"]?.GetValue<string>(), parameters.ToJsonString());
    }

    private static JsonArray Array(JsonObject o, string key, string id)
        => o[key] as JsonArray ?? throw new FormatException($"Row '{id}': \"{key}\" must be an array.");

    private static string Text(JsonObject o, string key)
    {
        try
        {
            return o[key]?.GetValue<string>() ?? throw new FormatException($"\"{key}\" is missing in {Short(o)}.");
        }
        catch (InvalidOperationException)
        {
            throw new FormatException($"\"{key}\" must be a string in {Short(o)}.");
        }
    }

    private static string Short(JsonObject o)
    {
        string s = o.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
        return s.Length <= 80 ? s : s[..80] + "…";
    }
}
