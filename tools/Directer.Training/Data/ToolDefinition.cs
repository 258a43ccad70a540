using System.Text.Json.Nodes;

namespace Directer.Training.Data;

/// <summary>A function tool as listed to the model: name, description and JSON-schema parameters.</summary>
internal sealed record ToolDefinition(string Name, string Description, IReadOnlyList<ToolParameter> Parameters)
{
    /// <summary>
    /// The Hugging Face / OpenAI tool form, in the key order chat templates render:
    /// {"type": "function", "function": {"name", "description", "parameters": {"type", "properties", "required"}}}.
    /// </summary>
    public JsonObject ToJson()
    {
        var properties = new JsonObject();
        foreach (var p in Parameters)
        {
            var schema = new JsonObject { ["type"] = p.Type, ["description"] = p.Description };
            if (p.Enum is not null)
            {
                schema["enum"] = new JsonArray(p.Enum.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
            }

            properties[p.Name] = schema;
        }

        var required = new JsonArray(Parameters.Where(p => p.Required).Select(p => (JsonNode?)JsonValue.Create(p.Name)).ToArray());
        return new JsonObject
        {
            ["type"] = "function",
            ["function"] = new JsonObject
            {
                ["name"] = Name,
                ["description"] = Description,
                ["parameters"] = new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = properties,
                    ["required"] = required,
                },
            },
        };
    }
}
