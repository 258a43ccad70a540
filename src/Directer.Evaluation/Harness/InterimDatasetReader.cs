using System.Text.Json.Nodes;
using Directer.Evaluation.IfEval;

namespace Directer.Evaluation.Harness;

/// <summary>TEMPORARY: stands in for IfEval.IfEvalDataset.Read until the ifeval branch lands; delete then.</summary>
public static class InterimDatasetReader
{
    /// <summary>Reads IFEval rows.</summary>
    public static IReadOnlyList<IfEvalRow> Read(string path)
    {
        var rows = new List<IfEvalRow>();
        foreach (string line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var o = JsonNode.Parse(line)!.AsObject();
            rows.Add(new IfEvalRow(
                o["key"]!.ToString(),
                o["prompt"]!.GetValue<string>(),
                o["instruction_id_list"]!.AsArray().Select(x => x!.GetValue<string>()).ToList(),
                o["kwargs"]!.AsArray().Select(x => x!.AsObject()).ToList(),
                o["emphasis"] is JsonArray e ? e.Select(x => x!.GetValue<string>()).ToList() : null,
                o["system"]?.GetValue<string>()));
        }

        return rows;
    }
}
