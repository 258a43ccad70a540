using Directer.Core.Chat;
namespace Directer.Core.Templates;

/// <summary>Phi-3 / Phi-3.5-mini-instruct: <c>&lt;|system|&gt;</c>, <c>&lt;|user|&gt;</c>, <c>&lt;|assistant|&gt;</c> turns
/// ended by <c>&lt;|end|&gt;</c>; the EOS string at the end when no generation prompt is added. No BOS string and no
/// tool format. Phi-3.5's template skips an empty system turn.</summary>
internal sealed class Phi3ChatTemplate(string name, string eosToken, bool skipEmptySystem) : ChatTemplateBase
{
    /// <inheritdoc />
    public override string Name => name;

    /// <inheritdoc />
    public override bool SupportsTools => false;

    /// <inheritdoc />
    protected override void RenderCore(IReadOnlyList<PreparedTurn> turns, IReadOnlyList<ToolDefinition> tools, bool addGenerationPrompt, PromptBuilder output)
    {
        foreach (var turn in turns)
        {
            if (turn.Role == ChatRole.Tool)
            {
                throw new ChatTemplateException($"The {Name} chat template has no tool role: its jinja template would silently drop turn {turn.Index} (Tool).");
            }

            if (turn.Role == ChatRole.System && skipEmptySystem && turn.Content.Length == 0)
            {
                continue;
            }

            output.Text("<|" + turn.RoleName + "|>\n");
            output.Content(turn);
            output.Text("<|end|>\n");
        }

        output.Text(addGenerationPrompt ? "<|assistant|>\n" : eosToken);
    }
}
