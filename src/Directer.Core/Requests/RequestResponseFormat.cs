using System.Text.Json;

namespace Directer.Core.Requests;

/// <summary>
/// The reply format a request asks for. Local generation asks for JSON in the prompt (an emphasised system
/// instruction) and checks the reply; it does not constrain decoding to JSON.
/// </summary>
public sealed record RequestResponseFormat
{
    /// <summary>Plain text (the default).</summary>
    public static RequestResponseFormat Text { get; } = new();

    /// <summary>Any JSON value.</summary>
    public static RequestResponseFormat Json { get; } = new() { IsJson = true };

    /// <summary>Whether JSON is asked for.</summary>
    public bool IsJson { get; init; }

    /// <summary>The JSON schema the reply should follow; null = any JSON.</summary>
    public JsonElement? Schema { get; init; }

    /// <summary>The schema's name, shown in the instruction.</summary>
    public string? SchemaName { get; init; }

    /// <summary>The schema's description, shown in the instruction.</summary>
    public string? SchemaDescription { get; init; }

    /// <summary>JSON following <paramref name="schema"/>.</summary>
    public static RequestResponseFormat ForJsonSchema(JsonElement schema, string? name = null, string? description = null) =>
        new() { IsJson = true, Schema = schema.Clone(), SchemaName = name, SchemaDescription = description };
}
