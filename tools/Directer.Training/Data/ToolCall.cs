using System.Text.Json.Nodes;
using Directer.Core.PythonCompat;

namespace Directer.Training.Data;

/// <summary>A function call made by the assistant: the tool's name and its JSON arguments (key order kept).</summary>
internal sealed record ToolCall(string Name, JsonObject Arguments)
{
    /// <summary>{"name": ..., "arguments": {...}} as the chat template writes it inside &lt;tool_call&gt;.</summary>
    public string ToTemplateJson() => "{\"name\": " + PythonJson.DumpsString(Name) + ", \"arguments\": " + PythonJson.Dumps(Arguments) + "}";

    /// <summary>The OpenAI/HF message form: {"type": "function", "function": {"name", "arguments"}}.</summary>
    public JsonObject ToMessageJson() => new()
    {
        ["type"] = "function",
        ["function"] = new JsonObject { ["name"] = Name, ["arguments"] = Arguments.DeepClone() },
    };
}
