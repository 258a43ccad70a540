namespace Directer.Core.Chat;

/// <summary>A function the model may call, rendered into the prompt the way Hugging Face renders
/// <c>{"type": "function", "function": {"name", "description", "parameters"}}</c>.</summary>
/// <param name="Name">The function name.</param>
/// <param name="Description">What the function does; omitted from the rendered schema when null.</param>
/// <param name="ParametersJsonSchema">The JSON schema of the arguments, as JSON text; rendered with its key order kept.</param>
public sealed record ToolDefinition(string Name, string? Description, string ParametersJsonSchema);
