using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Directer.Evaluation.Harness;

namespace Directer.Evaluation.Demo;

/// <summary>
/// Converts the demo model's held-out set (<c>models/directer-demo/heldout-eval.jsonl</c>, written by
/// tools/Directer.Training) into IFEval format, the default data of <c>directer eval</c>.
/// </summary>
/// <remarks>
/// Every <c>constraint</c> row becomes one IFEval row: <c>key</c> = the row's id, <c>system</c> = its system message
/// (where the demo states the constraint), <c>prompt</c> = its last (user) message, <c>history</c> = the turns between
/// them (the long-context split's agent context; absent when there are none), the constraint mapped by
/// <see cref="DemoConstraintMapping"/>, and <c>emphasis</c> = the system message's sentence that states the
/// constraint (every sentence after the persona's "You are ..."). Rows are interleaved by type (see
/// <see cref="Interleave"/>). The tools some constraint rows list are dropped
/// (IFEval rows carry none; the question never needs them). <c>tool_call</c> rows have no instruction to check and
/// <c>tool_answer</c> rows need their tool-call and tool-response turns, which an IFEval row cannot hold, so both are
/// skipped.
/// </remarks>
public static class DemoHeldOutConverter
{
    private static readonly JsonSerializerOptions LineOptions = new() { WriteIndented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Converts parsed held-out rows.</summary>
    /// <exception cref="FormatException">A constraint row is not shaped as the training tool writes it.</exception>
    public static DemoConversion Convert(IEnumerable<JsonObject> heldOut)
    {
        ArgumentNullException.ThrowIfNull(heldOut);
        var rows = new List<JsonObject>();
        var skipped = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var source in heldOut)
        {
            string id = Text(source, "id", "(no id)");
            string kind = Text(source, "kind", id);
            if (kind != "constraint")
            {
                skipped[kind] = skipped.GetValueOrDefault(kind) + 1;
                continue;
            }

            rows.Add(ConvertRow(source, id));
        }

        return new DemoConversion(Interleave(rows), skipped);
    }

    /// <summary>Reads <paramref name="input"/>, converts it and writes <paramref name="output"/> (one row per line, '\n' endings).</summary>
    public static DemoConversion ConvertFile(string input, string output)
    {
        var conversion = Convert(ReadJsonl(input));
        string? folder = Path.GetDirectoryName(Path.GetFullPath(output));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        File.WriteAllText(output, ToJsonl(conversion.Rows), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return conversion;
    }

    /// <summary>The rows as JSON lines, each ending with '\n'.</summary>
    public static string ToJsonl(IEnumerable<JsonObject> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.Append(row.ToJsonString(LineOptions)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Parses a JSON-lines file of objects.</summary>
    /// <exception cref="FormatException">A line that is not a JSON object, with its number.</exception>
    public static IReadOnlyList<JsonObject> ReadJsonl(string path)
    {
        var rows = new List<JsonObject>();
        int number = 0;
        foreach (string line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                rows.Add(JsonNode.Parse(line) as JsonObject ?? throw new FormatException("not a JSON object"));
            }
            catch (Exception e) when (e is JsonException or FormatException)
            {
                throw new FormatException($"{path}, line {number}: {e.Message}", e);
            }
        }

        return rows;
    }

    /// <summary>
    /// Round-robin over instruction types (first row of each type, then the second...), keeping each type's order: the
    /// held-out set lists types in blocks, and this way <c>--limit N</c> still samples every type.
    /// </summary>
    private static List<JsonObject> Interleave(List<JsonObject> rows)
    {
        var groups = rows.GroupBy(r => r["instruction_id_list"]!.ToJsonString(), StringComparer.Ordinal).Select(g => g.ToList()).ToList();
        var result = new List<JsonObject>(rows.Count);
        for (int i = 0; result.Count < rows.Count; i++)
        {
            result.AddRange(groups.Where(g => i < g.Count).Select(g => g[i]));
        }

        return result;
    }

    private static JsonObject ConvertRow(JsonObject source, string id)
    {
        var messages = source["messages"] as JsonArray ?? throw new FormatException($"{id}: no \"messages\".");
        string system = MessageOf(messages, "system", id);

        // The last message is the question; anything between it and the system message (the long-context split's
        // earlier turns) becomes the row's history.
        var last = messages.Count > 1 ? messages[^1] as JsonObject : null;
        string user = last?["role"]?.GetValue<string>() == "user" && last["content"] is JsonValue q && q.TryGetValue(out string? question)
            ? question
            : throw new FormatException($"{id}: the last message must be the user's question (text content).");
        var history = new JsonArray(messages.Skip(1).Take(messages.Count - 2).Select(m => (JsonNode?)m!.DeepClone()).ToArray());
        var constraints = source["constraints"] as JsonArray ?? throw new FormatException($"{id}: no \"constraints\".");
        if (constraints.Count == 0)
        {
            throw new FormatException($"{id}: a constraint row without constraints.");
        }

        var ids = new JsonArray();
        var kwargs = new JsonArray();
        foreach (var constraint in constraints)
        {
            var (instruction, arguments) = DemoConstraintMapping.ToIfEval(constraint as JsonObject ?? throw new FormatException($"{id}: a constraint is not an object."));
            ids.Add(instruction);
            kwargs.Add(arguments);
        }

        // The demo's system message is a persona sentence ("You are ...") followed by one sentence per constraint.
        var sentences = SentenceSplitter.Split(system);
        if (sentences.Count != 1 + constraints.Count || !sentences[0].StartsWith("You are", StringComparison.Ordinal))
        {
            throw new FormatException($"{id}: expected a persona sentence and {constraints.Count} instruction sentence(s) in the system message, found {sentences.Count} sentence(s): {system}");
        }

        var converted = new JsonObject
        {
            ["key"] = id,
            ["prompt"] = user,
            ["instruction_id_list"] = ids,
            ["kwargs"] = kwargs,
            ["system"] = system,
            ["emphasis"] = new JsonArray(sentences.Skip(1).Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
        };
        if (history.Count > 0)
        {
            converted["history"] = history;
        }

        return converted;
    }

    private static string MessageOf(JsonArray messages, string role, string id)
    {
        var found = messages.OfType<JsonObject>().Where(m => m["role"]?.GetValue<string>() == role).ToList();
        return found.Count == 1 && found[0]["content"] is JsonValue v && v.TryGetValue(out string? content)
            ? content
            : throw new FormatException($"{id}: expected exactly one {role} message with text content, found {found.Count}.");
    }

    private static string Text(JsonObject o, string name, string context) =>
        o[name] is JsonValue v && v.TryGetValue(out string? s) ? s : throw new FormatException($"{context}: no string \"{name}\".");
}
