using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Directer.Core.PythonCompat;

/// <summary>
/// Builds <see cref="PythonJsonValue"/> trees from .NET values, so that everything Directer writes as Python would
/// (chat-template JSON, the trainer's data, test checkpoints' config.json) goes through <see cref="PythonJson.Dumps(PythonJsonValue, int?, bool, bool)"/>.
/// Integers stay integers, doubles become Python floats (<see cref="PythonFloat.Repr"/>), key order is kept.
/// </summary>
internal static class PythonJsonConversion
{
    /// <summary>A <see cref="JsonNode"/> tree (strings, booleans, int/long/double values, or parsed elements).</summary>
    /// <exception cref="ArgumentException">A value of another .NET type (e.g. a float or decimal node).</exception>
    public static PythonJsonValue FromNode(JsonNode? node) => node switch
    {
        null => new PythonJsonLiteral("null"),
        JsonObject obj => new PythonJsonObject(obj.Select(p => new KeyValuePair<string, PythonJsonValue>(p.Key, FromNode(p.Value))).ToList()),
        JsonArray array => new PythonJsonArray(array.Select(FromNode).ToList()),
        JsonValue value => FromValue(value),
        _ => throw new ArgumentException($"Unsupported JSON node type {node.GetType().Name}."),
    };

    /// <summary>Dictionaries with string keys, lists, strings, booleans, integers, doubles, floats and null.</summary>
    /// <exception cref="ArgumentException">A value of another type.</exception>
    public static PythonJsonValue FromObject(object? value) => value switch
    {
        null => new PythonJsonLiteral("null"),
        bool b => new PythonJsonLiteral(b ? "true" : "false"),
        string s => new PythonJsonString(s),
        int or long or uint or ulong or short => new PythonJsonNumber(Convert.ToString(value, CultureInfo.InvariantCulture)!),
        double d => Float(d),
        float f => Float(f),
        IDictionary dictionary => new PythonJsonObject(dictionary.Keys.Cast<string>().Select(k => new KeyValuePair<string, PythonJsonValue>(k, FromObject(dictionary[k]))).ToList()),
        IEnumerable list => new PythonJsonArray(list.Cast<object?>().Select(FromObject).ToList()),
        _ => throw new ArgumentException($"Cannot write {value.GetType()} as Python JSON.", nameof(value)),
    };

    private static PythonJsonValue FromValue(JsonValue value)
    {
        if (value.TryGetValue(out string? s))
        {
            return new PythonJsonString(s);
        }

        if (value.TryGetValue(out bool b))
        {
            return new PythonJsonLiteral(b ? "true" : "false");
        }

        if (value.TryGetValue(out int i))
        {
            return new PythonJsonNumber(i.ToString(CultureInfo.InvariantCulture));
        }

        if (value.TryGetValue(out long l))
        {
            return new PythonJsonNumber(l.ToString(CultureInfo.InvariantCulture));
        }

        if (value.TryGetValue(out double d))
        {
            return Float(d);
        }

        if (value.TryGetValue(out JsonElement element))
        {
            return element.ValueKind switch
            {
                JsonValueKind.String => new PythonJsonString(element.GetString()!),
                JsonValueKind.True => new PythonJsonLiteral("true"),
                JsonValueKind.False => new PythonJsonLiteral("false"),
                JsonValueKind.Null => new PythonJsonLiteral("null"),
                JsonValueKind.Number when element.TryGetInt64(out long n) => new PythonJsonNumber(n.ToString(CultureInfo.InvariantCulture)),
                JsonValueKind.Number => Float(element.GetDouble()),
                _ => FromNode(JsonNode.Parse(element.GetRawText())),
            };
        }

        throw new ArgumentException($"Unsupported JSON value {value.ToJsonString()}.");
    }

    private static PythonJsonNumber Float(double value) => new(PythonFloat.Repr(value));
}
