namespace Directer.Core.Text.Templates;

/// <summary>
/// Qwen2.5's ChatML with Hermes-style tools: a <c># Tools</c> section with <c>&lt;tools&gt;</c> JSON
/// schemas in the system message, assistant calls as <c>&lt;tool_call&gt;</c> JSON blocks, and tool
/// results as <c>&lt;tool_response&gt;</c> blocks in a user turn. Mirrors the jinja template of
/// Qwen/Qwen2.5-*-Instruct character for character. No BOS in the text.
/// </summary>
internal sealed class Qwen25Template : ChatTemplateBase
{
    internal const string DefaultSystem = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";

    public override string Name => "qwen2.5";

    public override bool SupportsTools => true;

    protected override void RenderCore(IReadOnlyList<PreparedTurn> turns, IReadOnlyList<ToolDefinition> tools, bool addGenerationPrompt, PromptBuilder output)
    {
        bool firstIsSystem = turns[0].Role == ChatRole.System;
        output.Text("<|im_start|>system\n");
        if (firstIsSystem)
        {
            output.Content(turns[0]);
        }
        else
        {
            output.Text(DefaultSystem);
        }

        if (tools.Count > 0)
        {
            output.Text("\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>");
            for (int i = 0; i < tools.Count; i++)
            {
                output.Text("\n" + PythonJson.Dumps(ToolSchemas.ToolDict(tools[i], i)));
            }

            output.Text("\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>");
        }

        output.Text("<|im_end|>\n");
        for (int i = 0; i < turns.Count; i++)
        {
            var turn = turns[i];
            bool first = i == 0;
            if (turn.Role == ChatRole.User || (turn.Role == ChatRole.System && !first) || (turn.Role == ChatRole.Assistant && turn.ToolCalls.Count == 0))
            {
                output.Text("<|im_start|>" + turn.RoleName + "\n");
                output.Content(turn);
                output.Text("<|im_end|>\n");
            }
            else if (turn.Role == ChatRole.Assistant)
            {
                output.Text("<|im_start|>assistant");
                if (turn.Content.Length > 0)
                {
                    output.Text("\n");
                    output.Content(turn);
                }

                foreach (var call in turn.ToolCalls)
                {
                    output.Text("\n<tool_call>\n{\"name\": \"" + call.Name + "\", \"arguments\": " + PythonJson.Dumps(ToolSchemas.Arguments(call, turn.Index)) + "}\n</tool_call>");
                }

                output.Text("<|im_end|>\n");
            }
            else if (turn.Role == ChatRole.Tool)
            {
                if (first || turns[i - 1].Role != ChatRole.Tool)
                {
                    output.Text("<|im_start|>user");
                }

                output.Text("\n<tool_response>\n");
                output.Content(turn);
                output.Text("\n</tool_response>");
                if (i == turns.Count - 1 || turns[i + 1].Role != ChatRole.Tool)
                {
                    output.Text("<|im_end|>\n");
                }
            }
        }

        if (addGenerationPrompt)
        {
            output.Text("<|im_start|>assistant\n");
        }
    }

    public override ToolCallParseResult ParseToolCallsDetailed(string generatedText) => HermesToolCalls.Parse(generatedText);
}
