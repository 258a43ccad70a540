namespace Directer.Core.Text.Templates;

/// <summary>
/// Llama 3 (<c>llama3.0</c>: Meta-Llama-3-*-Instruct) and Llama 3.1/3.2/3.3 (<c>llama3</c>) chat
/// formats, mirroring their jinja templates: header ids, trimmed contents, the 3.1 system block
/// ("Cutting Knowledge Date…"), and 3.1's JSON tool calling with the tools in the first user
/// message, one call per assistant turn and tool results as JSON-quoted ipython turns. The text
/// starts with <c>&lt;|begin_of_text|&gt;</c> as the template renders it: do not add another BOS.
/// </summary>
internal sealed class Llama3Template(bool version31) : ChatTemplateBase
{
    private const string Bos = "<|begin_of_text|>";

    public override string Name => version31 ? "llama3" : "llama3.0";

    public override bool SupportsTools => version31;

    protected override void RenderCore(IReadOnlyList<PreparedTurn> turns, IReadOnlyList<ToolDefinition> tools, bool addGenerationPrompt, PromptBuilder output)
    {
        output.Text(Bos);
        if (!version31)
        {
            foreach (var turn in turns)
            {
                Plain(turn, output);
            }
        }
        else
        {
            Render31(turns, tools, output);
        }

        if (addGenerationPrompt)
        {
            output.Text("<|start_header_id|>assistant<|end_header_id|>\n\n");
        }
    }

    private void Render31(IReadOnlyList<PreparedTurn> turns, IReadOnlyList<ToolDefinition> tools, PromptBuilder output)
    {
        int next = 0;
        PreparedTurn? system = turns[0].Role == ChatRole.System ? turns[next++] : null;
        bool hasTools = tools.Count > 0;
        output.Text("<|start_header_id|>system<|end_header_id|>\n\n");
        if (hasTools)
        {
            output.Text("Environment: ipython\n");
        }

        output.Text("Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n");
        if (system is not null)
        {
            output.StrippedContent(system);
        }

        output.Text("<|eot_id|>");
        if (hasTools)
        {
            if (next >= turns.Count)
            {
                throw TemplateRefuses("Cannot put tools in the first user message when there's no first user message!", "the conversation has no message after the system message");
            }

            var first = turns[next++];
            output.Text("<|start_header_id|>user<|end_header_id|>\n\n");
            output.Text("Given the following functions, please respond with a JSON for a function call with its proper arguments that best answers the given prompt.\n\n");
            output.Text("Respond in the format {\"name\": function name, \"parameters\": dictionary of argument name and its value}.Do not use variables.\n\n");
            for (int i = 0; i < tools.Count; i++)
            {
                output.Text(PythonJson.Dumps(ToolSchemas.ToolDict(tools[i], i), indent: 4) + "\n\n");
            }

            output.StrippedContent(first);
            output.Text("<|eot_id|>");
        }

        for (int i = next; i < turns.Count; i++)
        {
            var turn = turns[i];
            if (turn.ToolCalls.Count > 0)
            {
                if (turn.ToolCalls.Count != 1)
                {
                    throw TemplateRefuses("This model only supports single tool-calls at once!", $"turn {turn.Index} has {turn.ToolCalls.Count} tool calls");
                }

                var call = turn.ToolCalls[0];
                output.Text("<|start_header_id|>assistant<|end_header_id|>\n\n{\"name\": \"" + call.Name + "\", \"parameters\": " + PythonJson.Dumps(ToolSchemas.Arguments(call, turn.Index)) + "}<|eot_id|>");
            }
            else if (turn.Role == ChatRole.Tool)
            {
                // The template tests "content is iterable", which a string is: results are JSON-quoted.
                output.Text("<|start_header_id|>ipython<|end_header_id|>\n\n");
                output.JsonStringContent(turn);
                output.Text("<|eot_id|>");
            }
            else
            {
                Plain(turn, output);
            }
        }
    }

    private static void Plain(PreparedTurn turn, PromptBuilder output)
    {
        output.Text("<|start_header_id|>" + turn.RoleName + "<|end_header_id|>\n\n");
        output.StrippedContent(turn);
        output.Text("<|eot_id|>");
    }

    public override ToolCallParseResult ParseToolCallsDetailed(string generatedText) => version31
        ? JsonToolCalls.Parse(generatedText)
        : base.ParseToolCallsDetailed(generatedText);
}
