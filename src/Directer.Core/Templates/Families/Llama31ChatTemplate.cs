using Directer.Core.PythonCompat;
using Directer.Core.Chat;
namespace Directer.Core.Templates;

/// <summary>Llama 3.1-Instruct: header ids, a system block with "Cutting Knowledge Date: December 2023" and
/// "Today Date: 26 Jul 2024", JSON tool calling with the tool schemas in the first user turn (by default), tool
/// results in the <c>ipython</c> role. Renders the BOS string <c>&lt;|begin_of_text|&gt;</c> itself.</summary>
internal sealed class Llama31ChatTemplate(string bosToken, string dateString, bool toolsInUserMessage) : ChatTemplateBase
{
    private const string Header = "<|start_header_id|>{0}<|end_header_id|>\n\n";
    private const string CallFormat = "Respond in the format {\"name\": function name, \"parameters\": dictionary of argument name and its value}.";

    /// <inheritdoc />
    public override string Name => "llama3";

    /// <inheritdoc />
    public override bool SupportsTools => true;

    /// <inheritdoc />
    protected override void RenderCore(IReadOnlyList<PreparedTurn> turns, IReadOnlyList<ToolDefinition> tools, bool addGenerationPrompt, PromptBuilder output)
    {
        bool hasTools = tools.Count > 0;
        output.Text(bosToken);
        int next = 0;
        PreparedTurn? system = null;
        if (turns[0].Role == ChatRole.System)
        {
            system = turns[0];
            next = 1;
        }

        output.Text(string.Format(Header, "system"));
        if (hasTools)
        {
            output.Text("Environment: ipython\n");
        }

        output.Text("Cutting Knowledge Date: December 2023\n");
        output.Text("Today Date: ");
        output.Data(dateString);
        output.Text("\n\n");
        if (hasTools && !toolsInUserMessage)
        {
            output.Text("You have access to the following functions. To call a function, please respond with JSON for a function call.");
            output.Text(CallFormat);
            output.Text("Do not use variables.\n\n");
            WriteTools(tools, output);
        }

        if (system is not null)
        {
            output.StrippedContent(system);
        }

        output.Text("<|eot_id|>");

        if (toolsInUserMessage && hasTools)
        {
            if (next >= turns.Count)
            {
                throw TemplateRefuses("Cannot put tools in the first user message when there's no first user message!", "the conversation has no turn after the system message");
            }

            var first = turns[next];
            if (first.Role != ChatRole.User)
            {
                // The template would render this turn's content as the user message and drop its role.
                throw new ChatTemplateException($"The {Name} chat template puts the tools into the first turn after the system message, which must be a user turn; turn {first.Index} is a {first.Role} turn.");
            }

            next++;
            output.Text(string.Format(Header, "user"));
            output.Text("Given the following functions, please respond with a JSON for a function call ");
            output.Text("with its proper arguments that best answers the given prompt.\n\n");
            output.Text(CallFormat);
            output.Text("Do not use variables.\n\n");
            WriteTools(tools, output);
            output.StrippedContent(first);
            output.Text("<|eot_id|>");
        }

        for (int i = next; i < turns.Count; i++)
        {
            var turn = turns[i];
            if (turn.Role != ChatRole.Tool && turn.ToolCalls.Count == 0)
            {
                output.Text(string.Format(Header, turn.RoleName));
                output.StrippedContent(turn);
                output.Text("<|eot_id|>");
            }
            else if (turn.ToolCalls.Count > 0)
            {
                if (turn.ToolCalls.Count != 1)
                {
                    throw TemplateRefuses("This model only supports single tool-calls at once!", $"turn {turn.Index} has {turn.ToolCalls.Count} tool calls");
                }

                // The template renders only the call: the turn's text content, if any, is not part of the prompt.
                var call = turn.ToolCalls[0];
                output.Text(string.Format(Header, "assistant"));
                output.Text("{\"name\": \"");
                output.Data(call.Name, turn.AllowControlTokens);
                output.Text("\", ");
                output.Text("\"parameters\": ");
                output.Data(PythonJson.Dumps(ToolSchemas.Arguments(call, turn.Index)), turn.AllowControlTokens);
                output.Text("}");
                output.Text("<|eot_id|>");
            }
            else
            {
                // A string is iterable in jinja, so the template writes tool results through tojson: a JSON string.
                output.Text(string.Format(Header, "ipython"));
                output.JsonStringContent(turn);
                output.Text("<|eot_id|>");
            }
        }

        if (addGenerationPrompt)
        {
            output.Text(string.Format(Header, "assistant"));
        }
    }

    private static void WriteTools(IReadOnlyList<ToolDefinition> tools, PromptBuilder output)
    {
        for (int i = 0; i < tools.Count; i++)
        {
            output.Data(PythonJson.Dumps(ToolSchemas.ToolDict(tools[i], i), indent: 4));
            output.Text("\n\n");
        }
    }

    /// <inheritdoc />
    public override ToolCallParseResult ParseToolCallsDetailed(string generatedText) => Llama3JsonToolCallParser.Parse(generatedText);
}
