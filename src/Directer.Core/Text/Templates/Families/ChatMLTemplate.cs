namespace Directer.Core.Text.Templates;

/// <summary>
/// Plain ChatML (<c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c>) as Qwen2, SmolLM2 and the
/// generic ChatML template render it; some add a default system message when the conversation
/// has none. No tool format: tools are refused rather than silently dropped. No BOS in the text.
/// </summary>
internal sealed class ChatMLTemplate(string name, string? defaultSystem) : ChatTemplateBase
{
    public override string Name => name;

    public override bool SupportsTools => false;

    protected override void RenderCore(IReadOnlyList<PreparedTurn> turns, IReadOnlyList<ToolDefinition> tools, bool addGenerationPrompt, PromptBuilder output)
    {
        if (defaultSystem is not null && turns[0].Role != ChatRole.System)
        {
            output.Text("<|im_start|>system\n" + defaultSystem + "<|im_end|>\n");
        }

        foreach (var turn in turns)
        {
            output.Text("<|im_start|>" + turn.RoleName + "\n");
            output.Content(turn);
            output.Text("<|im_end|>\n");
        }

        if (addGenerationPrompt)
        {
            output.Text("<|im_start|>assistant\n");
        }
    }
}
