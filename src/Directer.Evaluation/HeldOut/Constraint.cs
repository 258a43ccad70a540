using System.Text.Json.Nodes;

namespace Directer.Evaluation.HeldOut;

/// <summary>One verifiable instruction with its parameters.</summary>
/// <param name="Kind">What is checked.</param>
/// <param name="Text">The phrase (EndWith) or word (Include, Avoid).</param>
/// <param name="Count">Bullet count (Bullets) or word limit (WordLimit).</param>
/// <param name="Keys">Required keys (Json).</param>
public sealed record Constraint(ConstraintKind Kind, string? Text = null, int? Count = null, IReadOnlyList<string>? Keys = null)
{
    /// <summary>The snake_case type name used in the evaluation file.</summary>
    public string TypeName => Kind switch
    {
        ConstraintKind.Lowercase => "lowercase",
        ConstraintKind.NoCommas => "no_commas",
        ConstraintKind.EndWith => "end_with",
        ConstraintKind.Bullets => "bullets",
        ConstraintKind.Json => "json",
        ConstraintKind.WordLimit => "word_limit",
        ConstraintKind.Include => "include",
        ConstraintKind.Avoid => "avoid",
        _ => throw new InvalidOperationException($"Unknown constraint {Kind}."),
    };

    /// <summary>{"type": ..., parameters...} as written to the evaluation file.</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject { ["type"] = TypeName };
        switch (Kind)
        {
            case ConstraintKind.EndWith:
                o["phrase"] = Text;
                break;
            case ConstraintKind.Include:
            case ConstraintKind.Avoid:
                o["word"] = Text;
                break;
            case ConstraintKind.Bullets:
                o["count"] = Count;
                break;
            case ConstraintKind.WordLimit:
                o["max_words"] = Count;
                break;
            case ConstraintKind.Json:
                o["keys"] = new JsonArray(Keys!.Select(k => (JsonNode?)JsonValue.Create(k)).ToArray());
                break;
        }

        return o;
    }

    /// <summary>Reads the form written by <see cref="ToJson"/>.</summary>
    /// <exception cref="FormatException">Unknown type or missing parameter.</exception>
    public static Constraint FromJson(JsonObject o)
    {
        string type = o["type"]?.GetValue<string>() ?? throw new FormatException("Constraint has no \"type\".");
        string Need(string key) => o[key]?.GetValue<string>() ?? throw new FormatException($"Constraint '{type}' needs \"{key}\".");
        int NeedInt(string key) => o[key]?.GetValue<int>() ?? throw new FormatException($"Constraint '{type}' needs \"{key}\".");
        return type switch
        {
            "lowercase" => new Constraint(ConstraintKind.Lowercase),
            "no_commas" => new Constraint(ConstraintKind.NoCommas),
            "end_with" => new Constraint(ConstraintKind.EndWith, Text: Need("phrase")),
            "include" => new Constraint(ConstraintKind.Include, Text: Need("word")),
            "avoid" => new Constraint(ConstraintKind.Avoid, Text: Need("word")),
            "bullets" => new Constraint(ConstraintKind.Bullets, Count: NeedInt("count")),
            "word_limit" => new Constraint(ConstraintKind.WordLimit, Count: NeedInt("max_words")),
            "json" => new Constraint(ConstraintKind.Json, Keys: (o["keys"] as JsonArray ?? throw new FormatException("Constraint 'json' needs \"keys\"."))
                .Select(k => k!.GetValue<string>()).ToList()),
            _ => throw new FormatException($"Unknown constraint type '{type}'."),
        };
    }
}
