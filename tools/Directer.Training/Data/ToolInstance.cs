using System.Text;

namespace Directer.Training.Data;

/// <summary>A concrete tool drawn from an archetype: its definition plus the mapping from slots to argument names.</summary>
internal sealed record ToolInstance(ToolArchetype Archetype, ToolDefinition Definition, IReadOnlyDictionary<string, string> ArgumentNames, IReadOnlyDictionary<string, string> Variables)
{
    /// <summary>Draws names, description and argument names for <paramref name="archetype"/>.</summary>
    /// <param name="archetype">The tool family.</param>
    /// <param name="rng">Random source.</param>
    /// <param name="novel">Also draw made-up names (<see cref="NovelNames.ToolName"/>); false keeps the original draws.</param>
    public static ToolInstance Create(ToolArchetype archetype, SeededRandom rng, bool novel = false)
    {
        var variables = archetype.Variables?.Invoke(rng) ?? new Dictionary<string, string>();
        bool camel = rng.Chance(0.25);
        string baseName = rng.Pick(archetype.Verbs) + "_" + Fill(rng.Pick(archetype.Nouns), variables);
        if (rng.Chance(0.12))
        {
            baseName = WordBanks.PseudoWord(rng) + "_" + baseName;
        }

        if (novel)
        {
            baseName = NovelNames.ToolName(rng, baseName);
        }

        string name = camel ? ToCamel(baseName) : baseName;
        string description = Fill(rng.Pick(archetype.Descriptions), variables);
        int linked = rng.Next(archetype.Slots.Min(s => s.Names.Length));
        var argumentNames = new Dictionary<string, string>();
        var parameters = new List<ToolParameter>();
        foreach (var slot in archetype.Slots)
        {
            string raw = Fill(archetype.LinkedNames ? slot.Names[linked] : rng.Pick(slot.Names), variables);
            string argName = camel ? ToCamel(raw) : raw;
            argumentNames[slot.Key] = argName;
            parameters.Add(new ToolParameter(argName, slot.Type, Fill(rng.Pick(slot.Descriptions), variables), slot.Required, slot.Enum));
        }

        return new ToolInstance(archetype, new ToolDefinition(name, description, parameters), argumentNames, variables);
    }

    /// <summary>Replaces {variable} placeholders.</summary>
    public static string Fill(string template, IReadOnlyDictionary<string, string> values)
    {
        if (!template.Contains('{', StringComparison.Ordinal))
        {
            return template;
        }

        var sb = new StringBuilder(template);
        foreach (var (key, value) in values)
        {
            sb.Replace("{" + key + "}", value);
        }

        return sb.ToString();
    }

    /// <summary>snake_case to camelCase: get_weather_report → getWeatherReport.</summary>
    public static string ToCamel(string snake)
    {
        var parts = snake.Split('_', StringSplitOptions.RemoveEmptyEntries);
        return parts[0] + string.Concat(parts.Skip(1).Select(WordBanks.Capitalize));
    }
}
