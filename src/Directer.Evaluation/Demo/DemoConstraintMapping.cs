using System.Text.Json.Nodes;

namespace Directer.Evaluation.Demo;

/// <summary>
/// Maps a constraint of the demo model's held-out set (<c>{"type": "word_limit", "max_words": 12}</c>, as written by
/// tools/Directer.Training's <c>Constraint.ToJson</c>) to the IFEval instruction that checks the same thing, with its
/// kwargs. Where IFEval's check differs from the demo's own <c>ConstraintChecker</c>, docs/EVALUATION.md says how.
/// </summary>
public static class DemoConstraintMapping
{
    /// <summary>The demo constraint types, in the training tool's order.</summary>
    public static IReadOnlyList<string> Types { get; } = ["lowercase", "no_commas", "end_with", "bullets", "json", "word_limit", "include", "avoid"];

    /// <summary>The IFEval instruction id and kwargs of one demo constraint.</summary>
    /// <exception cref="FormatException">An unknown type or a missing parameter.</exception>
    public static (string InstructionId, JsonObject Kwargs) ToIfEval(JsonObject constraint)
    {
        ArgumentNullException.ThrowIfNull(constraint);
        string type = Text(constraint, "type");
        return type switch
        {
            "lowercase" => ("change_case:english_lowercase", new JsonObject()),
            "no_commas" => ("punctuation:no_comma", new JsonObject()),
            "end_with" => ("startend:end_checker", new JsonObject { ["end_phrase"] = Text(constraint, "phrase") }),
            "bullets" => ("detectable_format:number_bullet_lists", new JsonObject { ["num_bullets"] = Number(constraint, "count") }),
            "json" => ("detectable_format:json_format", new JsonObject()),

            // The demo allows "at most N" words; IFEval's relations are "less than" and "at least", so: less than N + 1.
            "word_limit" => ("length_constraints:number_words", new JsonObject { ["relation"] = "less than", ["num_words"] = Number(constraint, "max_words") + 1 }),
            "include" => ("keywords:existence", new JsonObject { ["keywords"] = new JsonArray(Text(constraint, "word")) }),
            "avoid" => ("keywords:forbidden_words", new JsonObject { ["forbidden_words"] = new JsonArray(Text(constraint, "word")) }),
            _ => throw new FormatException($"Unknown demo constraint type '{type}'; known: {string.Join(", ", Types)}."),
        };
    }

    private static string Text(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue(out string? s) ? s : throw new FormatException($"Demo constraint {o.ToJsonString()} needs a string \"{name}\".");

    private static int Number(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue(out int n) ? n : throw new FormatException($"Demo constraint {o.ToJsonString()} needs an integer \"{name}\".");
}
