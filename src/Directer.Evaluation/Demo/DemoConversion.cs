using System.Text.Json.Nodes;

namespace Directer.Evaluation.Demo;

/// <summary>The result of converting the demo's held-out set to IFEval rows.</summary>
/// <param name="Rows">IFEval-format rows (key, prompt, instruction_id_list, kwargs, system, emphasis).</param>
/// <param name="Skipped">Rows not converted, counted by their <c>kind</c>.</param>
public sealed record DemoConversion(IReadOnlyList<JsonObject> Rows, IReadOnlyDictionary<string, int> Skipped);
