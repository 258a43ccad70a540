using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Directer.Core.Templates;
using Directer.Core.Chat;

namespace Directer.Core.Generation.Constraints;

/// <summary>
/// What a call of one tool may look like: its argument names (a literal trie of the JSON-quoted names),
/// which of them are required, and the kind of each value. A schema without <c>properties</c> lets the
/// arguments be any JSON object.
/// </summary>
internal sealed class ToolGrammar
{
    // Models write names and values unescaped (no \u003C for '<'), as Python's json.dumps(ensure_ascii=False) would.
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private ToolGrammar(string name, LiteralTrie? keys, IReadOnlyList<ArgumentKind> kinds, IReadOnlyList<LiteralTrie?> literals, ulong required)
    {
        Name = name;
        Keys = keys;
        Kinds = kinds;
        Literals = literals;
        Required = required;
        All = kinds.Count == 64 ? ulong.MaxValue : (1UL << kinds.Count) - 1;
    }

    /// <summary>The tool name.</summary>
    public string Name { get; }

    /// <summary>Trie of the quoted argument names (<c>"city"</c>); null when any object is accepted.</summary>
    public LiteralTrie? Keys { get; }

    /// <summary>The value kind of argument i.</summary>
    public IReadOnlyList<ArgumentKind> Kinds { get; }

    /// <summary>For <see cref="ArgumentKind.Literals"/> arguments, the trie of their allowed JSON texts.</summary>
    public IReadOnlyList<LiteralTrie?> Literals { get; }

    /// <summary>Bit i set when argument i is required.</summary>
    public ulong Required { get; }

    /// <summary>Bit i set for every declared argument.</summary>
    public ulong All { get; }

    /// <summary>Reads <paramref name="tool"/>'s parameter schema.</summary>
    /// <exception cref="ArgumentException">The schema is not a JSON object, or declares more than 64 arguments.</exception>
    public static ToolGrammar From(ToolDefinition tool)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(string.IsNullOrWhiteSpace(tool.ParametersJsonSchema) ? "{}" : tool.ParametersJsonSchema);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"Tool '{tool.Name}': the parameters schema is not valid JSON ({e.Message}).", nameof(tool), e);
        }

        using (document)
        {
            var schema = document.RootElement;
            if (schema.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException($"Tool '{tool.Name}': the parameters schema must be a JSON object, found {schema.ValueKind}.", nameof(tool));
            }

            if (!schema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
            {
                return new ToolGrammar(tool.Name, null, [], [], 0);
            }

            var names = new List<string>();
            var kinds = new List<ArgumentKind>();
            var literals = new List<LiteralTrie?>();
            foreach (var property in properties.EnumerateObject())
            {
                names.Add(property.Name);
                var (kind, trie) = KindOf(property.Value);
                kinds.Add(kind);
                literals.Add(trie);
            }

            if (names.Count > 64)
            {
                throw new ArgumentException($"Tool '{tool.Name}' declares {names.Count} arguments; the tool-call constraint handles at most 64.", nameof(tool));
            }

            if (names.Count == 0)
            {
                return new ToolGrammar(tool.Name, null, [], [], 0);
            }

            ulong required = 0;
            if (schema.TryGetProperty("required", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in list.EnumerateArray())
                {
                    int index = item.ValueKind == JsonValueKind.String ? names.IndexOf(item.GetString()!) : -1;
                    if (index >= 0)
                    {
                        required |= 1UL << index;
                    }
                }
            }

            var keys = LiteralTrie.Build(names.Select(JsonQuoted).ToList());
            return new ToolGrammar(tool.Name, keys, kinds, literals, required);
        }
    }

    /// <summary>The UTF-8 bytes of <paramref name="text"/> as a JSON string literal, quotes included.</summary>
    public static byte[] JsonQuoted(string text) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(text, Relaxed));

    private static (ArgumentKind Kind, LiteralTrie? Literals) KindOf(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return (ArgumentKind.Any, null);
        }

        if (schema.TryGetProperty("enum", out var values) && values.ValueKind == JsonValueKind.Array && values.GetArrayLength() is > 0 and <= 64)
        {
            var texts = new List<byte[]>();
            foreach (var value in values.EnumerateArray())
            {
                if (value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                {
                    return (ArgumentKind.Any, null);
                }

                texts.Add(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value, Relaxed)));
            }

            var distinct = texts.DistinctBy(Convert.ToBase64String).ToList();
            return (ArgumentKind.Literals, LiteralTrie.Build(distinct));
        }

        string? type = schema.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        return type switch
        {
            "string" => (ArgumentKind.String, null),
            "integer" => (ArgumentKind.Integer, null),
            "number" => (ArgumentKind.Number, null),
            "boolean" => (ArgumentKind.Literals, LiteralTrie.Build([Encoding.UTF8.GetBytes("true"), Encoding.UTF8.GetBytes("false")])),
            _ => (ArgumentKind.Any, null),
        };
    }
}
