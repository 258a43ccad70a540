using Directer.Core.PythonCompat;
using Directer.Core.Chat;
namespace Directer.Core.Templates;

/// <summary>Qwen2.5-Instruct: ChatML with the default system prompt "You are Qwen, created by Alibaba Cloud...",
/// Hermes-style tools (a <c>&lt;tools&gt;</c> block of JSON schemas in the system turn), <c>&lt;tool_call&gt;</c> blocks
/// in assistant turns and tool results grouped into a user turn of <c>&lt;tool_response&gt;</c> blocks.</summary>
internal sealed class Qwen25ChatTemplate : ChatTemplateBase, IHermesToolCalls
{
    /// <summary>The system prompt the template uses when the conversation has none.</summary>
    public const string DefaultSystemPrompt = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";

    /// <inheritdoc />
    public override string Name => "qwen2.5";

    /// <inheritdoc />
    public override bool SupportsTools => true;

    /// <inheritdoc />
    protected override void RenderCore(IReadOnlyList<PreparedTurn> turns, IReadOnlyList<ToolDefinition> tools, bool addGenerationPrompt, PromptBuilder output)
    {
        bool firstIsSystem = turns[0].Role == ChatRole.System;
        if (tools.Count > 0)
        {
            output.Text("<|im_start|>system\n");
            if (firstIsSystem)
            {
                output.Content(turns[0]);
            }
            else
            {
                output.Text(DefaultSystemPrompt);
            }

            output.Text("\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>");
            for (int i = 0; i < tools.Count; i++)
            {
                output.Text("\n");
                output.Data(PythonJson.Dumps(ToolSchemas.ToolDict(tools[i], i)));
            }

            output.Text("\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n");
        }
        else if (firstIsSystem)
        {
            output.Text("<|im_start|>system\n");
            output.Content(turns[0]);
            output.Text("<|im_end|>\n");
        }
        else
        {
            output.Text("<|im_start|>system\n" + DefaultSystemPrompt + "<|im_end|>\n");
        }

        for (int i = 0; i < turns.Count; i++)
        {
            var turn = turns[i];
            if (turn.Role == ChatRole.User || (turn.Role == ChatRole.System && i > 0) || (turn.Role == ChatRole.Assistant && turn.ToolCalls.Count == 0))
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
                    output.Text("\n<tool_call>\n{\"name\": \"");
                    output.Data(call.Name, turn.AllowControlTokens);
                    output.Text("\", \"arguments\": ");
                    output.Data(PythonJson.Dumps(ToolSchemas.Arguments(call, i)), turn.AllowControlTokens);
                    output.Text("}\n</tool_call>");
                }

                output.Text("<|im_end|>\n");
            }
            else if (turn.Role == ChatRole.Tool)
            {
                if (i == 0 || turns[i - 1].Role != ChatRole.Tool)
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

            // A leading system turn was rendered above.
        }

        if (addGenerationPrompt)
        {
            output.Text("<|im_start|>assistant\n");
        }
    }

    /// <inheritdoc />
    public override ToolCallParseResult ParseToolCallsDetailed(string generatedText) => HermesToolCallParser.Parse(generatedText);
}
