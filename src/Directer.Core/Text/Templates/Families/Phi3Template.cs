namespace Directer.Core.Text.Templates;

/// <summary>
/// Phi-3 / Phi-3.5 instruct format (<c>&lt;|system|&gt;</c>, <c>&lt;|user|&gt;</c>,
/// <c>&lt;|assistant|&gt;</c>, <c>&lt;|end|&gt;</c>), mirroring microsoft/Phi-3-mini-4k-instruct's and
/// Phi-3.5-mini-instruct's templates (3.5 omits an empty system message; without a generation
/// prompt both end with the eos token). No tool format; no BOS in the text.
/// </summary>
internal sealed class Phi3Template(bool version35) : ChatTemplateBase
{
    public override string Name => version35 ? "phi3.5" : "phi3";

    public override bool SupportsTools => false;

    protected override void RenderCore(IReadOnlyList<PreparedTurn> turns, IReadOnlyList<ToolDefinition> tools, bool addGenerationPrompt, PromptBuilder output)
    {
        foreach (var turn in turns)
        {
            if (turn.Role == ChatRole.Tool)
            {
                throw new ChatTemplateException($"Turn {turn.Index} is a tool result, but the {Name} chat template has no tool format: its jinja template would silently drop it.");
            }

            if (version35 && turn.Role == ChatRole.System && turn.Content.Length == 0)
            {
                continue;
            }

            output.Text("<|" + turn.RoleName + "|>\n");
            output.Content(turn);
            output.Text("<|end|>\n");
        }

        output.Text(addGenerationPrompt ? "<|assistant|>\n" : "<|endoftext|>");
    }
}
