using System.Text.Json;

namespace Directer.Core.Text.Templates;

/// <summary>
/// Mistral v0.3 instruct format (mistralai/Mistral-7B-Instruct-v0.3's template): <c>&lt;s&gt;[INST] …[/INST]</c>,
/// the system message prepended to the LAST user message (as the template does; it is not
/// rendered when the conversation does not end with a user message), <c>[AVAILABLE_TOOLS]</c> before
/// the last user message, <c>[TOOL_CALLS]</c> JSON with 9-character call ids and
/// <c>[TOOL_RESULTS]</c>. No generation prompt; the text starts with <c>&lt;s&gt;</c>.
/// </summary>
internal sealed class MistralTemplate : ChatTemplateBase
{
    private const string Eos = "</s>";

    public override string Name => "mistral";

    public override bool SupportsTools => true;

    protected override void RenderCore(IReadOnlyList<PreparedTurn> turns, IReadOnlyList<ToolDefinition> tools, bool addGenerationPrompt, PromptBuilder output)
    {
        PreparedTurn? system = turns[0].Role == ChatRole.System ? turns[0] : null;
        var loop = system is null ? turns : turns.Skip(1).ToList();
        int index = 0;
        foreach (var turn in loop)
        {
            if (turn.Role != ChatRole.Tool && turn.ToolCalls.Count == 0)
            {
                if ((turn.Role == ChatRole.User) != (index % 2 == 0))
                {
                    throw TemplateRefuses("After the optional system message, conversation roles must alternate user/assistant/user/assistant/...", $"turn {turn.Index} is {turn.RoleName}");
                }

                index++;
            }
        }

        var lastUser = loop.LastOrDefault(t => t.Role == ChatRole.User);
        output.Text("<s>");
        for (int i = 0; i < loop.Count; i++)
        {
            var turn = loop[i];
            if (turn.Role == ChatRole.User)
            {
                // The template compares message dicts: an equal earlier user message gets the tools too.
                if (tools.Count > 0 && lastUser is not null && turn.Content == lastUser.Content)
                {
                    RenderTools(tools, output);
                }

                output.Text("[INST] ");
                if (i == loop.Count - 1 && system is not null)
                {
                    output.Content(system);
                    output.Text("\n\n");
                }

                output.Content(turn);
                output.Text("[/INST]");
            }
            else if (turn.ToolCalls.Count > 0)
            {
                output.Text("[TOOL_CALLS] [");
                for (int c = 0; c < turn.ToolCalls.Count; c++)
                {
                    var call = turn.ToolCalls[c];
                    var function = new PythonJsonObject([new("name", new PythonJsonString(call.Name)), new("arguments", ToolSchemas.Arguments(call, turn.Index))]);
                    string json = PythonJson.Dumps(function);
                    if (call.Id is not { Length: 9 })
                    {
                        throw TemplateRefuses("Tool call IDs should be alphanumeric strings with length 9!", $"turn {turn.Index} call '{call.Name}' has id '{call.Id}'");
                    }

                    output.Text(json[..^1] + ", \"id\": \"" + call.Id + "\"}" + (c < turn.ToolCalls.Count - 1 ? ", " : "]" + Eos));
                }
            }
            else if (turn.Role == ChatRole.Assistant)
            {
                output.Text(" ");
                output.StrippedContent(turn);
                output.Text(Eos);
            }
            else if (turn.Role == ChatRole.Tool)
            {
                output.Text("[TOOL_RESULTS] {\"content\": ");
                output.Content(turn);
                output.Text(", ");
                if (turn.ToolCallId is not { Length: 9 })
                {
                    throw TemplateRefuses("Tool call IDs should be alphanumeric strings with length 9!", $"turn {turn.Index} has tool call id '{turn.ToolCallId}'");
                }

                output.Text("\"call_id\": \"" + turn.ToolCallId + "\"}[/TOOL_RESULTS]");
            }
            else
            {
                throw TemplateRefuses("Only user and assistant roles are supported, with the exception of an initial optional system message!", $"turn {turn.Index} is {turn.RoleName}");
            }
        }
    }

    private static void RenderTools(IReadOnlyList<ToolDefinition> tools, PromptBuilder output)
    {
        output.Text("[AVAILABLE_TOOLS] [");
        for (int i = 0; i < tools.Count; i++)
        {
            var members = ToolSchemas.FunctionDict(tools[i], i).Members;
            var parts = members.Select(m => m.Value is PythonJsonString s
                ? "\"" + m.Key + "\": \"" + s.Value + "\"" // the template writes strings unescaped
                : "\"" + m.Key + "\": " + PythonJson.Dumps(m.Value));
            output.Text("{\"type\": \"function\", \"function\": {" + string.Join(", ", parts) + "}}" + (i < tools.Count - 1 ? ", " : "]"));
        }

        output.Text("[/AVAILABLE_TOOLS]");
    }

    public override ToolCallParseResult ParseToolCallsDetailed(string generatedText)
    {
        ArgumentNullException.ThrowIfNull(generatedText);
        int at = generatedText.IndexOf("[TOOL_CALLS]", StringComparison.Ordinal);
        if (at < 0)
        {
            return new ToolCallParseResult([], generatedText, []);
        }

        string body = generatedText[(at + "[TOOL_CALLS]".Length)..].Trim();
        try
        {
            using var document = JsonDocument.Parse(body);
            var calls = new List<ToolCall>();
            foreach (var item in document.RootElement.EnumerateArray())
            {
                if (!item.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || !item.TryGetProperty("arguments", out var args) || args.ValueKind != JsonValueKind.Object)
                {
                    return new ToolCallParseResult([], generatedText, [new MalformedToolCall(body, "a call needs a string \"name\" and an object \"arguments\"")]);
                }

                calls.Add(new ToolCall(name.GetString()!, args.GetRawText(), item.TryGetProperty("id", out var id) ? id.GetString() : null));
            }

            return new ToolCallParseResult(calls, generatedText[..at].Trim(), []);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return new ToolCallParseResult([], generatedText, [new MalformedToolCall(body, "invalid JSON: " + e.Message)]);
        }
    }
}
