namespace Directer.Training.Data;

/// <summary>One property of a tool's JSON-schema parameters.</summary>
/// <param name="Name">Argument name.</param>
/// <param name="Type">JSON-schema type: "string", "integer" or "number".</param>
/// <param name="Description">Short description.</param>
/// <param name="Required">Listed in "required".</param>
/// <param name="Enum">Allowed values, when the schema restricts them.</param>
internal sealed record ToolParameter(string Name, string Type, string Description, bool Required, IReadOnlyList<string>? Enum = null);
