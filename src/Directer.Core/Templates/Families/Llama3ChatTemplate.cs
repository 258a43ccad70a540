using Directer.Core.Chat;
namespace Directer.Core.Templates;

/// <summary>Meta-Llama-3-Instruct (3.0): header ids and trimmed contents, BOS string before the first turn, no
/// system block of its own and no tool format.</summary>
internal sealed class Llama3ChatTemplate(string bosToken) : ChatTemplateBase
{
    /// <inheritdoc />
    public override string Name => "llama3.0";

    /// <inheritdoc />
    public override bool SupportsTools => false;

    /// <inheritdoc />
    protected override void RenderCore(IReadOnlyList<PreparedTurn> turns, IReadOnlyList<ToolDefinition> tools, bool addGenerationPrompt, PromptBuilder output)
    {
        for (int i = 0; i < turns.Count; i++)
        {
            if (i == 0)
            {
                output.Text(bosToken);
            }

            output.Text("<|start_header_id|>" + turns[i].RoleName + "<|end_header_id|>\n\n");
            output.StrippedContent(turns[i]);
            output.Text("<|eot_id|>");
        }

        if (addGenerationPrompt)
        {
            output.Text("<|start_header_id|>assistant<|end_header_id|>\n\n");
        }
    }
}
