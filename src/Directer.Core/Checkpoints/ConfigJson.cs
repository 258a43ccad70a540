using System.Text.Json;

namespace Directer.Core.Checkpoints;

/// <summary>Typed access to the fields of a config.json object, with errors that name the file and field.</summary>
internal readonly struct ConfigJson
{
    private readonly JsonElement root;
    private readonly string prefix;

    /// <param name="root">The JSON object.</param>
    /// <param name="sourceName">The file (or other source) named in errors.</param>
    /// <param name="prefix">Prepended to field names in errors, e.g. <c>rope_scaling.</c> for a nested object.</param>
    internal ConfigJson(JsonElement root, string sourceName, string prefix = "")
    {
        this.root = root;
        this.prefix = prefix;
        SourceName = sourceName;
    }

    internal string SourceName { get; }

    internal JsonElement Root => root;

    /// <summary>The field, or null when absent or JSON null.</summary>
    internal JsonElement? Get(string field) =>
        root.TryGetProperty(field, out JsonElement value) && value.ValueKind != JsonValueKind.Null ? value : null;

    internal CheckpointException Error(string message) => new($"{SourceName}: {message}", SourceName);

    internal int RequiredInt(string field) =>
        OptionalInt(field) ?? throw Error($"required field '{prefix}{field}' is missing.");

    internal int? OptionalInt(string field) => Get(field) is { } value ? ToInt(value, field) : null;

    internal double? OptionalDouble(string field) => Get(field) is { } value ? ToDouble(value, field) : null;

    internal bool? OptionalBool(string field)
    {
        if (Get(field) is not { } value)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error($"field '{prefix}{field}' is {value.GetRawText()}; expected true or false."),
        };
    }

    internal string? OptionalString(string field)
    {
        if (Get(field) is not { } value)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw Error($"field '{prefix}{field}' is {value.GetRawText()}; expected a string.");
    }

    /// <summary>An int, a list of ints, or null/absent (empty list).</summary>
    internal IReadOnlyList<int> IntOrList(string field)
    {
        if (Get(field) is not { } value)
        {
            return Array.Empty<int>();
        }

        if (value.ValueKind == JsonValueKind.Array)
        {
            var list = new List<int>();
            foreach (JsonElement item in value.EnumerateArray())
            {
                list.Add(ToInt(item, field));
            }

            return list;
        }

        return new[] { ToInt(value, field) };
    }

    internal int ToInt(JsonElement value, string field)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (value.TryGetInt32(out int number))
            {
                return number;
            }

            // Python writes some integers as floats (e.g. 8192.0).
            if (value.TryGetDouble(out double real) && real == Math.Floor(real) && real is >= int.MinValue and <= int.MaxValue)
            {
                return (int)real;
            }
        }

        throw Error($"field '{prefix}{field}' is {value.GetRawText()}; expected an integer.");
    }

    internal double ToDouble(JsonElement value, string field) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double number)
            ? number
            : throw Error($"field '{prefix}{field}' is {value.GetRawText()}; expected a number.");
}
