using System.Text.Json;
using Directer.Core.Chat;

namespace Directer.Cli.Commands;

/// <summary>Reads conversations and tools in Hugging Face's JSON shapes (what <c>apply_chat_template</c> takes):
/// messages <c>[{"role", "content", "tool_calls"?: [{"id"?, "type": "function", "function": {"name", "arguments"}}],
/// "tool_call_id"?, "name"?, "reasoning_content"? (assistant)}]</c> and tools <c>[{"type": "function", "function": {"name", "description"?, "parameters"}}]</c>.</summary>
internal static class HfConversationFile
{
    /// <summary>Reads a messages file.</summary>
    /// <exception cref="FormatException">The file is not a list of messages in that shape (the message says where).</exception>
    public static IReadOnlyList<ChatTurn> ReadMessages(string path)
    {
        using var document = Parse(path);
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("messages", out var inner))
        {
            root = inner;
        }

        if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() == 0)
        {
            throw new FormatException($"{path}: expected a non-empty JSON list of messages (or {{\"messages\": [...]}}).");
        }

        var turns = new List<ChatTurn>();
        int i = 0;
        foreach (var message in root.EnumerateArray())
        {
            string at = $"{path}: message {i++}";
            string role = String(message, "role", at) ?? throw new FormatException($"{at} has no \"role\".");
            var chatRole = role switch
            {
                "system" => ChatRole.System,
                "user" => ChatRole.User,
                "assistant" => ChatRole.Assistant,
                "tool" or "ipython" => ChatRole.Tool,
                _ => throw new FormatException($"{at}: role \"{role}\" is not one of system, user, assistant, tool."),
            };
            string content = message.TryGetProperty("content", out var c) && c.ValueKind != JsonValueKind.Null
                ? c.ValueKind == JsonValueKind.String ? c.GetString()! : throw new FormatException($"{at}: \"content\" must be a string (multimodal content lists are not supported).")
                : string.Empty;
            var calls = new List<ToolCall>();
            if (message.TryGetProperty("tool_calls", out var toolCalls) && toolCalls.ValueKind == JsonValueKind.Array)
            {
                int j = 0;
                foreach (var call in toolCalls.EnumerateArray())
                {
                    string callAt = $"{at}, tool call {j++}";
                    var function = call.TryGetProperty("function", out var f) ? f : call;
                    string name = String(function, "name", callAt) ?? throw new FormatException($"{callAt} has no function name.");
                    string arguments = function.TryGetProperty("arguments", out var args)
                        ? args.ValueKind == JsonValueKind.String ? args.GetString()! : args.GetRawText()
                        : "{}";
                    calls.Add(new ToolCall(name, arguments, String(call, "id", callAt)));
                }
            }

            turns.Add(new ChatTurn(chatRole, content)
            {
                ToolCalls = calls,
                ToolCallId = String(message, "tool_call_id", at),
                ToolName = String(message, "name", at),
                Reasoning = chatRole == ChatRole.Assistant ? String(message, "reasoning_content", at) : null,
            });
        }

        return turns;
    }

    /// <summary>Reads a tools file.</summary>
    /// <exception cref="FormatException">The file is not a list of tools in that shape.</exception>
    public static IReadOnlyList<ToolDefinition> ReadTools(string path)
    {
        using var document = Parse(path);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"{path}: expected a JSON list of tools.");
        }

        var tools = new List<ToolDefinition>();
        int i = 0;
        foreach (var tool in root.EnumerateArray())
        {
            string at = $"{path}: tool {i++}";
            var function = tool.TryGetProperty("function", out var f) ? f : tool;
            string name = String(function, "name", at) ?? throw new FormatException($"{at} has no function name.");
            string parameters = function.TryGetProperty("parameters", out var p) ? p.GetRawText() : "{\"type\": \"object\", \"properties\": {}}";
            tools.Add(new ToolDefinition(name, String(function, "description", at), parameters));
        }

        return tools;
    }

    private static JsonDocument Parse(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException error)
        {
            throw new FormatException($"{path} is not valid JSON: {error.Message}", error);
        }
    }

    private static string? String(JsonElement element, string name, string at) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : throw new FormatException($"{at}: \"{name}\" must be a string.")
            : null;
}
