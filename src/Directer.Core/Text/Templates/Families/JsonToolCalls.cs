using System.Text.Json;

namespace Directer.Core.Text.Templates;

/// <summary>
/// Parses Llama 3.1-style JSON tool calls: a reply that is a JSON object
/// <c>{"name": ..., "parameters": {...}}</c> (optionally after <c>&lt;|python_tag|&gt;</c>).
/// A reply that starts like one but does not parse is reported as malformed and kept as text.
/// </summary>
internal static class JsonToolCalls
{
    public static ToolCallParseResult Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string body = text.Trim();
        if (body.StartsWith("<|python_tag|>", StringComparison.Ordinal))
        {
            body = body["<|python_tag|>".Length..].TrimStart();
        }

        if (!body.StartsWith('{'))
        {
            return new ToolCallParseResult([], text, []);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
                && (root.TryGetProperty("parameters", out var args) || root.TryGetProperty("arguments", out args))
                && args.ValueKind == JsonValueKind.Object)
            {
                return new ToolCallParseResult([new ToolCall(name.GetString()!, args.GetRawText())], string.Empty, []);
            }

            return new ToolCallParseResult([], text, [new MalformedToolCall(body, "the JSON object has no string \"name\" and object \"parameters\"")]);
        }
        catch (JsonException e)
        {
            return new ToolCallParseResult([], text, [new MalformedToolCall(body, "invalid JSON: " + e.Message)]);
        }
    }
}
