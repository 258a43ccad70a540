using Directer.Core.Chat;
namespace Directer.Core.Templates;

/// <summary>Llama-2-chat: <c>&lt;s&gt;[INST] ... [/INST] answer &lt;/s&gt;</c> per exchange, the system message wrapped
/// in <c>&lt;&lt;SYS&gt;&gt;</c> inside the first user turn. Renders the BOS string before every user turn. Strict
/// user/assistant alternation; no tool format and no generation prompt (the template has neither).</summary>
internal sealed class Llama2ChatTemplate(string bosToken, string eosToken) : ChatTemplateBase
{
    private const string Alternate = "Conversation roles must alternate user/assistant/user/assistant/...";

    /// <inheritdoc />
    public override string Name => "llama2";

    /// <inheritdoc />
    public override bool SupportsTools => false;

    /// <inheritdoc />
    protected override void RenderCore(IReadOnlyList<PreparedTurn> turns, IReadOnlyList<ToolDefinition> tools, bool addGenerationPrompt, PromptBuilder output)
    {
        PreparedTurn? system = turns[0].Role == ChatRole.System ? turns[0] : null;
        int offset = system is null ? 0 : 1;
        for (int i = offset; i < turns.Count; i++)
        {
            var turn = turns[i];
            int position = i - offset;
            if ((turn.Role == ChatRole.User) != (position % 2 == 0))
            {
                throw TemplateRefuses(Alternate, $"turn {turn.Index} is a {turn.Role} turn");
            }

            if (turn.Role == ChatRole.User)
            {
                output.Text(bosToken + "[INST] ");
                if (position == 0 && system is not null)
                {
                    output.StrippedConcatenation(
                        PromptPiece.Scaffold("<<SYS>>\n"),
                        PromptPiece.ContentOf(system),
                        PromptPiece.Scaffold("\n<</SYS>>\n\n"),
                        PromptPiece.ContentOf(turn));
                }
                else
                {
                    output.StrippedContent(turn);
                }

                output.Text(" [/INST]");
            }
            else if (turn.Role == ChatRole.Assistant)
            {
                output.Text(" ");
                output.StrippedContent(turn);
                output.Text(" " + eosToken);
            }
            else
            {
                throw new ChatTemplateException($"The {Name} chat template renders only user and assistant turns after an optional first system turn; its jinja template would silently drop turn {turn.Index} ({turn.Role}).");
            }
        }
    }
}
