using System.Text.RegularExpressions;

namespace Directer.Training.Data;

/// <summary>
/// Requests that point at the wanted tool only through one word of that tool's own name or description, a word no other
/// listed tool has, in a plain frame no archetype's wordings use, with the values labelled by argument name or
/// description. The archetypes' wordings let a small model learn each family's request words by heart (and pick the
/// calculator for any request with a number in it); a request written with a word of the listed schema it has never
/// seen in a request makes reading the tool list the only way to choose. Made-up names (<see cref="NovelNames"/>) give
/// keywords no statistics know at all.
/// </summary>
internal static partial class KeywordRequests
{
    /// <summary>The frames; <c>{kw}</c> is the keyword, <c>{args}</c> the labelled values.</summary>
    public static readonly string[] Frames =
    [
        "{kw}: {args}.",
        "Use the {kw} tool with {args}.",
        "The {kw} one, please, with {args}.",
        "Go ahead with {kw}: {args}.",
        "Please handle this {kw} task: {args}.",
        "Run {kw} for me with {args}.",
    ];

    // Words that do not say what a tool is for, even where only one listed tool happens to have them: the plugin-style
    // prefixes of made-up names, their verbs, and the general words of descriptions.
    private static readonly HashSet<string> Generic = new(
        NovelNames.Namespaces.Concat(NovelNames.Verbs).Concat(
        [
            "about", "from", "into", "with", "that", "this", "some", "what", "which", "give", "gives", "given", "returns",
            "return", "lists", "finds", "look", "make", "show", "shows", "tell", "tells", "many", "much", "does", "their",
            "there", "them", "they", "your", "other", "current", "start", "starts", "sets", "adds", "available", "unit",
            "info", "value", "values", "another", "short", "person", "today",
        ]),
        StringComparer.Ordinal);

    /// <summary>
    /// A keyword request for <paramref name="target"/> among <paramref name="tools"/> (the target included), or null when
    /// no word of the target's name or description is its own among them.
    /// </summary>
    /// <param name="rng">Random source.</param>
    /// <param name="target">The tool the request wants.</param>
    /// <param name="tools">Every listed tool.</param>
    /// <param name="values">Each slot's value as the request shows it.</param>
    public static (string Request, List<ToolSlot> Mentioned)? Write(SeededRandom rng, ToolInstance target, IReadOnlyList<ToolInstance> tools, IReadOnlyDictionary<string, string> values)
    {
        var others = tools.Where(t => !ReferenceEquals(t, target)).SelectMany(t => Words(t.Definition)).ToHashSet(StringComparer.Ordinal);
        var own = Words(target.Definition).Where(w => w.Length >= 4 && !Generic.Contains(w) && !others.Contains(w)).Distinct(StringComparer.Ordinal).ToList();
        if (own.Count == 0)
        {
            return null;
        }

        string keyword = rng.Pick(own);
        var mentioned = target.Archetype.Slots.Where(s => s.Required || rng.Chance(0.5)).ToList();
        var parameters = target.Definition.Parameters;
        var labelled = mentioned.Select(slot =>
        {
            string name = target.ArgumentNames[slot.Key];
            string value = values[slot.Key];
            return rng.Next(3) switch
            {
                0 => name + " " + value,
                1 => value + " as " + name,
                _ => WordBanks.LowerFirst(parameters.Single(p => p.Name == name).Description.TrimEnd('.')) + ": " + value,
            };
        }).ToList();
        string args = labelled.Count == 1 ? labelled[0] : string.Join(", ", labelled[..^1]) + " and " + labelled[^1];
        string frame = rng.Pick(Frames);
        string request = frame.Replace("{kw}", frame.StartsWith("{kw}", StringComparison.Ordinal) ? WordBanks.Capitalize(keyword) : keyword, StringComparison.Ordinal)
            .Replace("{args}", args, StringComparison.Ordinal);
        return (request, mentioned);
    }

    /// <summary>The lower-case words of a tool's name (snake_case and camelCase parts) and description.</summary>
    public static IEnumerable<string> Words(ToolDefinition tool) =>
        WordPattern().Matches(CamelBreak().Replace(tool.Name, "$1 $2") + " " + tool.Description)
            .Select(m => m.Value.ToLowerInvariant());

    [GeneratedRegex("[A-Za-z]+")]
    private static partial Regex WordPattern();

    [GeneratedRegex("([a-z])([A-Z])")]
    private static partial Regex CamelBreak();
}
