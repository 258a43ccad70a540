namespace Directer.Training.Data;

/// <summary>
/// One argument of a tool archetype: its placeholder key in request/answer templates, the argument names
/// it may be given, its JSON type, and how its values are drawn.
/// </summary>
/// <param name="Key">Placeholder in templates, e.g. "city" for "{city}".</param>
/// <param name="Names">Argument-name options (snake_case; may use archetype variables such as "{thing}_id").</param>
/// <param name="Type">"string", "integer" or "number".</param>
/// <param name="Descriptions">Schema description options.</param>
/// <param name="Value">Draws a value: a string, int or double.</param>
/// <param name="Required">Listed as required; every request template must then mention it.</param>
/// <param name="Enum">Allowed values, written to the schema.</param>
internal sealed record ToolSlot(
    string Key,
    string[] Names,
    string Type,
    string[] Descriptions,
    Func<SeededRandom, object> Value,
    bool Required = true,
    string[]? Enum = null);
