namespace Directer.Core.Text.Templates;

/// <summary>
/// Llama 2 chat format (<c>&lt;s&gt;[INST] &lt;&lt;SYS&gt;&gt;…&lt;&lt;/SYS&gt;&gt; … [/INST] answer &lt;/s&gt;</c>), mirroring
/// meta-llama/Llama-2-7b-chat-hf's template: roles must alternate user/assistant after an optional
/// system message, contents are stripped, the text carries a <c>&lt;s&gt;</c> before every
/// <c>[INST]</c> (do not add another BOS), and there is no separate generation prompt.
/// </summary>
internal sealed class Llama2Template : ChatTemplateBase
{
    public override string Name => "llama2";

    public override bool SupportsTools => false;

    protected override void RenderCore(IReadOnlyList<PreparedTurn> turns, IReadOnlyList<ToolDefinition> tools, bool addGenerationPrompt, PromptBuilder output)
    {
        PreparedTurn? system = turns[0].Role == ChatRole.System ? turns[0] : null;
        var loop = system is null ? turns : turns.Skip(1).ToList();
        for (int i = 0; i < loop.Count; i++)
        {
            var turn = loop[i];
            if ((turn.Role == ChatRole.User) != (i % 2 == 0) || turn.Role is ChatRole.System or ChatRole.Tool)
            {
                throw TemplateRefuses("Conversation roles must alternate user/assistant/user/assistant/...", $"turn {turn.Index} is {turn.RoleName}");
            }

            if (turn.Role == ChatRole.User)
            {
                output.Text("<s>[INST] ");
                if (i == 0 && system is not null)
                {
                    output.StrippedConcatenation(PromptPiece.Scaffold("<<SYS>>\n"), PromptPiece.ContentOf(system), PromptPiece.Scaffold("\n<</SYS>>\n\n"), PromptPiece.ContentOf(turn));
                }
                else
                {
                    output.StrippedContent(turn);
                }

                output.Text(" [/INST]");
            }
            else
            {
                output.Text(" ");
                output.StrippedContent(turn);
                output.Text(" </s>");
            }
        }
    }
}
