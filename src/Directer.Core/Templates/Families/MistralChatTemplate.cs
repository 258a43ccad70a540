using Directer.Core.PythonCompat;
using Directer.Core.Chat;
namespace Directer.Core.Templates;

/// <summary>Mistral-7B-Instruct-v0.3 (Mistral's "v3" template): <c>[INST] user[/INST] answer&lt;/s&gt;</c>, the system
/// message prepended to the last turn when that turn is a user turn (and otherwise not rendered, as in the jinja
/// template), <c>[AVAILABLE_TOOLS]</c> before the last user turn, <c>[TOOL_CALLS]</c> and <c>[TOOL_RESULTS]</c> with
/// 9-character call ids. Renders the BOS string <c>&lt;s&gt;</c> itself; has no generation prompt.</summary>
internal sealed class MistralChatTemplate(string bosToken, string eosToken) : ChatTemplateBase
{
    private const string Alternate = "After the optional system message, conversation roles must alternate user/assistant/user/assistant/...";
    private const string IdRule = "Tool call IDs should be alphanumeric strings with length 9!";

    /// <inheritdoc />
    public override string Name => "mistral";

    /// <inheritdoc />
    public override bool SupportsTools => true;

    /// <inheritdoc />
    protected override void RenderCore(IReadOnlyList<PreparedTurn> turns, IReadOnlyList<ToolDefinition> tools, bool addGenerationPrompt, PromptBuilder output)
    {
        PreparedTurn? system = turns[0].Role == ChatRole.System ? turns[0] : null;
        var loop = turns.Skip(system is null ? 0 : 1).ToList();
        var lastUser = loop.LastOrDefault(t => t.Role == ChatRole.User);

        int index = 0;
        foreach (var turn in loop)
        {
            if (turn.Role == ChatRole.Tool || turn.ToolCalls.Count > 0)
            {
                continue;
            }

            if ((turn.Role == ChatRole.User) != (index % 2 == 0))
            {
                throw TemplateRefuses(Alternate, $"turn {turn.Index} is a {turn.Role} turn");
            }

            index++;
        }

        output.Text(bosToken);
        for (int i = 0; i < loop.Count; i++)
        {
            var turn = loop[i];
            if (turn.Role == ChatRole.User)
            {
                // The template compares message dicts: any user turn equal to the last one gets the tools.
                if (tools.Count > 0 && lastUser is not null && SameUserMessage(turn, lastUser))
                {
                    WriteTools(tools, output);
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
                // Only the calls are rendered: the turn's text content is not part of the prompt.
                output.Text("[TOOL_CALLS] [");
                for (int c = 0; c < turn.ToolCalls.Count; c++)
                {
                    var call = turn.ToolCalls[c];
                    var function = new PythonJsonObject(
                        [new("name", new PythonJsonString(call.Name)), new("arguments", ToolSchemas.Arguments(call, turn.Index))]);
                    string json = PythonJson.Dumps(function);
                    output.Data(json[..^1], turn.AllowControlTokens);
                    if (call.Id is null || call.Id.Length != 9)
                    {
                        throw TemplateRefuses(IdRule, $"tool call '{call.Name}' of turn {turn.Index} has id {(call.Id is null ? "null" : $"'{call.Id}'")}");
                    }

                    output.Text(", \"id\": \"");
                    output.Data(call.Id, turn.AllowControlTokens);
                    output.Text("\"}");
                    output.Text(c < turn.ToolCalls.Count - 1 ? ", " : "]" + eosToken);
                }
            }
            else if (turn.Role == ChatRole.Assistant)
            {
                output.Text(" ");
                output.StrippedContent(turn);
                output.Text(eosToken);
            }
            else if (turn.Role == ChatRole.Tool)
            {
                output.Text("[TOOL_RESULTS] {\"content\": ");
                output.Content(turn);
                output.Text(", ");
                if (turn.ToolCallId is null || turn.ToolCallId.Length != 9)
                {
                    throw TemplateRefuses(IdRule, $"tool turn {turn.Index} has ToolCallId {(turn.ToolCallId is null ? "null" : $"'{turn.ToolCallId}'")}");
                }

                output.Text("\"call_id\": \"");
                output.Data(turn.ToolCallId, turn.AllowControlTokens);
                output.Text("\"}[/TOOL_RESULTS]");
            }
            else
            {
                throw TemplateRefuses(
                    "Only user and assistant roles are supported, with the exception of an initial optional system message!",
                    $"turn {turn.Index} is a {turn.Role} turn");
            }
        }
    }

    private static bool SameUserMessage(PreparedTurn a, PreparedTurn b) =>
        a.Content == b.Content && a.ToolCallId == b.ToolCallId && a.ToolName == b.ToolName;

    private static void WriteTools(IReadOnlyList<ToolDefinition> tools, PromptBuilder output)
    {
        output.Text("[AVAILABLE_TOOLS] [");
        for (int i = 0; i < tools.Count; i++)
        {
            // The template writes string members raw between quotes (no JSON escaping) and the rest through tojson.
            output.Text("{\"type\": \"function\", \"function\": {");
            var members = ToolSchemas.FunctionDict(tools[i], i).Members;
            for (int m = 0; m < members.Count; m++)
            {
                var (key, value) = members[m];
                if (value is PythonJsonString s)
                {
                    output.Text("\"" + key + "\": \"");
                    output.Data(s.Value);
                    output.Text("\"");
                }
                else
                {
                    output.Text("\"" + key + "\": ");
                    output.Data(PythonJson.Dumps(value));
                }
                if (m < members.Count - 1)
                {
                    output.Text(", ");
                }
            }

            output.Text("}}");
            output.Text(i < tools.Count - 1 ? ", " : "]");
        }

        output.Text("[/AVAILABLE_TOOLS]");
    }

    /// <inheritdoc />
    public override ToolCallParseResult ParseToolCallsDetailed(string generatedText) => MistralToolCallParser.Parse(generatedText);
}
