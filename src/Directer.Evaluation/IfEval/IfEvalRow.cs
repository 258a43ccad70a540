using System.Text.Json.Nodes;
using Directer.Core.Chat;

namespace Directer.Evaluation.IfEval;

/// <summary>
/// One IFEval-format prompt: <c>key</c>, <c>prompt</c>, <c>instruction_id_list</c> and <c>kwargs</c> (one object per
/// instruction, same order), plus Directer's optional <c>emphasis</c> (the instruction text to steer towards) and <c>system</c>.
/// </summary>
/// <param name="Key">The row's key (unique within a data file).</param>
/// <param name="Prompt">The user prompt.</param>
/// <param name="InstructionIds">IFEval instruction ids such as <c>punctuation:no_comma</c>.</param>
/// <param name="Kwargs">The checker arguments of each instruction (nulls removed, as IFEval's own evaluation does).</param>
/// <param name="Emphasis">Text of the prompt (or system message) to emphasize, or null when the row does not name it.</param>
/// <param name="System">Directer's optional <c>system</c> field: a system message sent before the prompt (the demo
/// model's held-out set states its instructions there), or null.</param>
/// <param name="History">Directer's optional <c>history</c> field: earlier turns (user, assistant, tool) sent between the
/// system message and the prompt — the agent context of the demo's long-context split — or null.</param>
public sealed record IfEvalRow(
    string Key,
    string Prompt,
    IReadOnlyList<string> InstructionIds,
    IReadOnlyList<JsonObject> Kwargs,
    IReadOnlyList<string>? Emphasis,
    string? System = null,
    IReadOnlyList<ChatTurn>? History = null);
