using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Directer.Core.Chat;

namespace Directer.Evaluation.IfEval;

/// <summary>
/// Reads IFEval-format JSON Lines: one object per line with <c>key</c> (integer or string), <c>prompt</c>,
/// <c>instruction_id_list</c>, <c>kwargs</c> (one object per instruction; null-valued entries are dropped, as the
/// Hugging Face copy of IFEval stores every kwarg name with nulls), and Directer's optional <c>emphasis</c> (string or
/// list of strings), <c>system</c> (string) and <c>history</c> (earlier turns, each <c>{"role", "content"}</c> with
/// role user, assistant or tool; an assistant turn may carry <c>tool_calls</c>). Other fields (such as a stored <c>response</c>) are ignored. Every
/// instruction is bound to its checker while reading, so an unknown id or a bad kwarg fails at load time.
/// </summary>
public static class IfEvalDataset
{
    /// <summary>Reads every row of a JSON Lines file. Blank lines are skipped.</summary>
    /// <param name="path">The file to read.</param>
    /// <returns>The rows in file order.</returns>
    /// <exception cref="InvalidDataException">A line is not a valid row, or two rows share a key; the message names the
    /// file, the line number, the field and what was expected.</exception>
    public static IReadOnlyList<IfEvalRow> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var rows = new List<IfEvalRow>();
        var firstLineOfKey = new Dictionary<string, int>(StringComparer.Ordinal);
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var row = Parse(line, path, lineNumber);
            if (!firstLineOfKey.TryAdd(row.Key, lineNumber))
            {
                throw new InvalidDataException(
                    $"{path}:{lineNumber}: field 'key': duplicate key \"{row.Key}\" (first used on line {firstLineOfKey[row.Key]}); keys must be unique.");
            }
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>Parses and validates one JSON Lines row.</summary>
    /// <param name="jsonLine">The JSON object text.</param>
    /// <param name="source">The file (or other source) named in error messages.</param>
    /// <param name="lineNumber">The 1-based line number named in error messages.</param>
    /// <returns>The row, with null-valued kwargs removed.</returns>
    /// <exception cref="InvalidDataException">The line is not a valid row; the message names the source, the line number,
    /// the field and what was expected.</exception>
    public static IfEvalRow Parse(string jsonLine, string source = "<input>", int lineNumber = 1)
    {
        ArgumentNullException.ThrowIfNull(jsonLine);
        string where = $"{source}:{lineNumber}";
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(jsonLine);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{where}: not valid JSON: {e.Message}", e);
        }
        if (node is not JsonObject obj) throw new InvalidDataException($"{where}: expected a JSON object, got {Kind(node)}.");

        // JsonObject builds its dictionary lazily, so a repeated property name only surfaces on first access.
        try
        {
            _ = obj.Count;
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{where}: the object repeats a property name ({e.Message}).", e);
        }
        try
        {
            return ParseObject(obj, where);
        }
        catch (ArgumentException e) when (e is not ArgumentNullException)
        {
            throw new InvalidDataException($"{where}: {e.Message}", e);
        }
    }

    private static IfEvalRow ParseObject(JsonObject obj, string where)
    {
        string key = obj["key"] switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out long n) => n.ToString(CultureInfo.InvariantCulture),
            var other => throw Field(where, "key", "an integer or a string", other),
        };

        string prompt = obj["prompt"] is JsonValue p && p.GetValueKind() == JsonValueKind.String
            ? p.GetValue<string>()
            : throw Field(where, "prompt", "a string", obj["prompt"]);

        if (obj["instruction_id_list"] is not JsonArray idArray) throw Field(where, "instruction_id_list", "a list of instruction ids", obj["instruction_id_list"]);
        var ids = new List<string>(idArray.Count);
        for (int i = 0; i < idArray.Count; i++)
        {
            if (idArray[i] is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
            {
                throw Field(where, $"instruction_id_list[{i}]", "a string", idArray[i]);
            }
            string id = v.GetValue<string>();
            if (!IfEvalInstructions.IsSupported(id))
            {
                throw new InvalidDataException(
                    $"{where}: field 'instruction_id_list[{i}]': unknown instruction id \"{id}\" (expected one of the {IfEvalInstructions.All.Count} IFEval ids, e.g. punctuation:no_comma).");
            }
            ids.Add(id);
        }

        if (obj["kwargs"] is not JsonArray kwargsArray) throw Field(where, "kwargs", "a list of objects, one per instruction", obj["kwargs"]);
        if (kwargsArray.Count != ids.Count)
        {
            throw new InvalidDataException(
                $"{where}: field 'kwargs': expected {ids.Count} objects (one per instruction id), got {kwargsArray.Count}.");
        }
        var kwargs = new List<JsonObject>(ids.Count);
        for (int i = 0; i < kwargsArray.Count; i++)
        {
            if (kwargsArray[i] is not JsonObject k) throw Field(where, $"kwargs[{i}]", $"an object (the kwargs of {ids[i]})", kwargsArray[i]);
            var cleaned = new JsonObject();
            foreach (var (name, value) in k)
            {
                // Null means "not given" (the Hugging Face copy lists every kwarg name of every instruction).
                if (value is not null) cleaned[name] = value.DeepClone();
            }
            try
            {
                IfEvalInstructions.CreateChecker(ids[i], cleaned);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"{where}: field 'kwargs[{i}]': {e.Message}", e);
            }
            kwargs.Add(cleaned);
        }

        IReadOnlyList<string>? emphasis = obj["emphasis"] switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => [v.GetValue<string>()],
            JsonArray a => a.Select((item, i) => item is JsonValue s && s.GetValueKind() == JsonValueKind.String
                ? s.GetValue<string>()
                : throw Field(where, $"emphasis[{i}]", "a string", item)).ToList(),
            var other => throw Field(where, "emphasis", "a string or a list of strings", other),
        };

        string? system = obj["system"] switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            var other => throw Field(where, "system", "a string", other),
        };

        IReadOnlyList<ChatTurn>? history = obj["history"] switch
        {
            null => null,
            JsonArray a => a.Select((item, i) => HistoryTurn(item, where, i)).ToList(),
            var other => throw Field(where, "history", "a list of {\"role\", \"content\"} objects", other),
        };

        return new IfEvalRow(key, prompt, ids, kwargs, emphasis, system, history);
    }

    /// <summary>One earlier turn: role user, assistant or tool, text content, and for an assistant optional tool calls.</summary>
    private static ChatTurn HistoryTurn(JsonNode? item, string where, int i)
    {
        if (item is not JsonObject turn) throw Field(where, $"history[{i}]", "an object with \"role\" and \"content\"", item);
        string content = turn["content"] is JsonValue c && c.GetValueKind() == JsonValueKind.String
            ? c.GetValue<string>()
            : throw Field(where, $"history[{i}].content", "a string", turn["content"]);
        var calls = new List<ToolCall>();
        if (turn["tool_calls"] is JsonArray callArray)
        {
            foreach (var (call, j) in callArray.Select((x, j) => (x, j)))
            {
                var function = call?["function"] as JsonObject ?? call as JsonObject;
                if (function?["name"] is not JsonValue name || name.GetValueKind() != JsonValueKind.String || function["arguments"] is not JsonObject arguments)
                {
                    throw Field(where, $"history[{i}].tool_calls[{j}]", "{\"function\": {\"name\": string, \"arguments\": object}}", call);
                }

                calls.Add(new ToolCall(name.GetValue<string>(), arguments.ToJsonString()));
            }
        }

        return (turn["role"] as JsonValue)?.GetValueKind() == JsonValueKind.String ? turn["role"]!.GetValue<string>() switch
        {
            "user" => new ChatTurn(ChatRole.User, content),
            "assistant" => new ChatTurn(ChatRole.Assistant, content) { ToolCalls = calls },
            "tool" => new ChatTurn(ChatRole.Tool, content),
            var role => throw Field(where, $"history[{i}].role", "user, assistant or tool", turn["role"]),
        }
        : throw Field(where, $"history[{i}].role", "user, assistant or tool", turn["role"]);
    }

    private static InvalidDataException Field(string where, string field, string expected, JsonNode? got)
        => new($"{where}: field '{field}': expected {expected}, got {Kind(got)}.");

    private static string Kind(JsonNode? node) => node switch
    {
        null => "nothing (missing or null)",
        JsonObject => "an object",
        JsonArray => "a list",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => $"the string {v.ToJsonString()}",
            JsonValueKind.Number => $"the number {v.ToJsonString()}",
            JsonValueKind.True or JsonValueKind.False => $"the boolean {v.ToJsonString()}",
            _ => v.ToJsonString(),
        },
        _ => node.ToJsonString(),
    };
}
