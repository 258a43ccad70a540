using Directer.Core.PythonCompat;
using Directer.Core.Chat;
namespace Directer.Core.Templates;

/// <summary>Tools and tool calls as the Python dicts Hugging Face templates receive.</summary>
internal static class ToolSchemas
{
    /// <summary><c>{"type": "function", "function": {"name", "description"?, "parameters"}}</c>.</summary>
    public static PythonJsonObject ToolDict(ToolDefinition tool, int index) =>
        new([new("type", new PythonJsonString("function")), new("function", FunctionDict(tool, index))]);

    /// <summary><c>{"name", "description"?, "parameters"}</c>, the <c>function</c> member of a tool.</summary>
    public static PythonJsonObject FunctionDict(ToolDefinition tool, int index)
    {
        var members = new List<KeyValuePair<string, PythonJsonValue>> { new("name", new PythonJsonString(tool.Name)) };
        if (tool.Description is not null)
        {
            members.Add(new("description", new PythonJsonString(tool.Description)));
        }

        members.Add(new("parameters", PythonJson.Parse(tool.ParametersJsonSchema, $"The parameters schema of tool {index} ('{tool.Name}')")));
        return new PythonJsonObject(members);
    }

    /// <summary>A tool call's arguments, parsed as <c>json.loads</c> would.</summary>
    public static PythonJsonValue Arguments(ToolCall call, int turnIndex) =>
        PythonJson.Parse(call.ArgumentsJson, $"The arguments of tool call '{call.Name}' in turn {turnIndex}");

    /// <summary>Checks the tool list (non-null entries with a name and a schema).</summary>
    public static void Validate(IReadOnlyList<ToolDefinition> tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        for (int i = 0; i < tools.Count; i++)
        {
            var tool = tools[i];
            if (tool is null || string.IsNullOrEmpty(tool.Name) || tool.ParametersJsonSchema is null)
            {
                throw new ArgumentException($"Tool {i} needs a name and a ParametersJsonSchema.", nameof(tools));
            }
        }
    }
}
