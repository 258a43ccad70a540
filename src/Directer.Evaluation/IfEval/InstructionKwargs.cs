using System.Text.Json;
using System.Text.Json.Nodes;

namespace Directer.Evaluation.IfEval;

/// <summary>
/// Typed access to one instruction's kwargs, with the official <c>build_description</c> rules turned into errors:
/// where the Python code would pick a random value (argument missing or out of range) or raise, this throws an
/// <see cref="ArgumentException"/> naming the instruction and the kwarg. Unknown kwargs are errors too (Python's
/// <c>build_description(**kwargs)</c> raises <c>TypeError</c> for them). Null values count as absent.
/// </summary>
internal sealed class InstructionKwargs
{
    private readonly string _id;
    private readonly JsonObject _kwargs;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public InstructionKwargs(string instructionId, JsonObject? kwargs)
    {
        _id = instructionId;
        _kwargs = kwargs ?? new JsonObject();
    }

    private ArgumentException Error(string name, string expected, JsonNode? got)
        => new($"instruction '{_id}': kwarg '{name}' must be {expected}, got {Describe(got)}.");

    private static string Describe(JsonNode? node) => node is null ? "nothing (missing or null)" : node.ToJsonString();

    private JsonNode? Get(string name)
    {
        _read.Add(name);
        return _kwargs.TryGetPropertyValue(name, out var node) ? node : null;
    }

    /// <summary>A required integer, at least <paramref name="min"/> (null for no minimum).</summary>
    public int Int(string name, int? min = 0)
    {
        var node = Get(name);
        string expected = min is null ? "an integer" : $"an integer >= {min}";
        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.Number) throw Error(name, expected, node);
        // Python accepts any int; integral JSON numbers such as 3.0 are accepted here too.
        if (!value.TryGetValue(out double d) || d != Math.Floor(d) || d > int.MaxValue || d < int.MinValue) throw Error(name, expected, node);
        int n = (int)d;
        if (min is not null && n < min) throw Error(name, expected, node);
        return n;
    }

    /// <summary>A required string (possibly empty unless <paramref name="nonEmpty"/>).</summary>
    public string String(string name, bool nonEmpty = false)
    {
        var node = Get(name);
        string expected = nonEmpty ? "a non-empty string" : "a string";
        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.String) throw Error(name, expected, node);
        string s = value.GetValue<string>();
        if (nonEmpty && s.Length == 0) throw Error(name, expected, node);
        return s;
    }

    /// <summary>A required non-empty list of strings.</summary>
    public IReadOnlyList<string> StringList(string name)
    {
        var node = Get(name);
        const string expected = "a non-empty list of strings";
        if (node is not JsonArray array || array.Count == 0) throw Error(name, expected, node);
        var list = new List<string>(array.Count);
        foreach (var item in array)
        {
            if (item is not JsonValue v || v.GetValueKind() != JsonValueKind.String) throw Error(name, expected, node);
            list.Add(v.GetValue<string>());
        }
        return list;
    }

    /// <summary>A required relation, exactly <c>less than</c> or <c>at least</c>.</summary>
    public ComparisonRelation Relation(string name)
    {
        var node = Get(name);
        const string expected = "\"less than\" or \"at least\"";
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String
            && ComparisonRelations.Parse(value.GetValue<string>()) is { } relation)
        {
            return relation;
        }
        throw Error(name, expected, node);
    }

    /// <summary>A regex pattern: the official code passes keywords to Python's <c>re</c> unescaped, so they are patterns.</summary>
    public System.Text.RegularExpressions.Regex Pattern(string name, string pattern, System.Text.RegularExpressions.RegexOptions options)
    {
        try
        {
            return new System.Text.RegularExpressions.Regex(pattern, options, TimeSpan.FromSeconds(5));
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"instruction '{_id}': kwarg '{name}' is not a valid regular expression ({pattern}): {e.Message}");
        }
    }

    /// <summary>Throws when a kwarg was given that the instruction does not take.</summary>
    public void EnsureNoOthers()
    {
        foreach (var (key, value) in _kwargs)
        {
            if (value is not null && !_read.Contains(key))
            {
                throw new ArgumentException($"instruction '{_id}': unexpected kwarg '{key}'.");
            }
        }
    }
}
