using Directer.Core.Chat;
namespace Directer.Core.Templates;

/// <summary>Plain ChatML (<c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c>), optionally with the default system
/// turn that Qwen2 and SmolLM2 templates insert when the conversation has none. No tool format.</summary>
internal sealed class ChatMlChatTemplate(string name, string? defaultSystemPrompt) : ChatTemplateBase
{
    /// <inheritdoc />
    public override string Name => name;

    /// <inheritdoc />
    public override bool SupportsTools => false;

    /// <summary>The system prompt inserted before a conversation that does not start with a system turn, or null.</summary>
    public string? DefaultSystemPrompt => defaultSystemPrompt;

    /// <inheritdoc />
    protected override void RenderCore(IReadOnlyList<PreparedTurn> turns, IReadOnlyList<ToolDefinition> tools, bool addGenerationPrompt, PromptBuilder output)
    {
        for (int i = 0; i < turns.Count; i++)
        {
            var turn = turns[i];
            if (i == 0 && defaultSystemPrompt is not null && turn.Role != ChatRole.System)
            {
                output.Text("<|im_start|>system\n" + defaultSystemPrompt + "<|im_end|>\n");
            }

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
