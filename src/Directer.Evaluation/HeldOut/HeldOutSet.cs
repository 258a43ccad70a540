using System.Text.Json;
using System.Text.Json.Nodes;

namespace Directer.Evaluation.HeldOut;

/// <summary>Reads the demo model's held-out evaluation file.</summary>
public static class HeldOutSet
{
    /// <summary>The file name inside the demo model folder.</summary>
    public const string FileName = Demo.DemoModel.HeldOutFile;

    /// <summary>All rows of <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">A line is not a valid row (the message names the file and line).</exception>
    public static IReadOnlyList<HeldOutRow> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Held-out evaluation file '{path}' does not exist.", path);
        }

        var rows = new List<HeldOutRow>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                var node = JsonNode.Parse(line) as JsonObject ?? throw new FormatException("the line is not a JSON object.");
                rows.Add(HeldOutRow.Parse(node));
            }
            catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: {e.Message}", e);
            }
        }

        return rows;
    }

    /// <summary>The first <paramref name="perGroup"/> rows of every group, in file order.</summary>
    public static IReadOnlyList<HeldOutRow> Stratified(IEnumerable<HeldOutRow> rows, int perGroup)
        => rows.GroupBy(r => r.Group).SelectMany(g => g.Take(perGroup)).ToList();
}
