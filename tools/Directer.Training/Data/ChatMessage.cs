using System.Text.Json.Nodes;

namespace Directer.Training.Data;

/// <summary>One chat message: role "system", "user", "assistant" or "tool"; an assistant message may carry a tool call.</summary>
internal sealed record ChatMessage(string Role, string Content, ToolCall? ToolCall = null)
{
    public static ChatMessage System(string content) => new("system", content);

    public static ChatMessage User(string content) => new("user", content);

    public static ChatMessage Assistant(string content) => new("assistant", content);

    public static ChatMessage AssistantCall(ToolCall call) => new("assistant", string.Empty, call);

    public static ChatMessage Tool(string content) => new("tool", content);

    /// <summary>The Hugging Face messages form (tool_calls as a list when present).</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject { ["role"] = Role, ["content"] = Content };
        if (ToolCall is not null)
        {
            o["tool_calls"] = new JsonArray(ToolCall.ToMessageJson());
        }

        return o;
    }
}
