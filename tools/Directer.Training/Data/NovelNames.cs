using System.Text.RegularExpressions;

namespace Directer.Training.Data;

/// <summary>
/// Made-up tool names and argument values for the copy stage. With word banks alone a small model can score
/// well by recalling a familiar name or value instead of reading the prompt; names and values that exist only
/// in this conversation make copying from the tool list and the request the only way to lower the loss.
/// </summary>
internal static partial class NovelNames
{
    // Plugin-style prefixes as agent frameworks write them (Semantic Kernel: "Plugin_function").
    internal static readonly string[] Namespaces =
    [
        "inventory", "calculator", "weather", "shop", "store", "calendar", "mail", "crm", "finance", "travel",
        "home", "office", "warehouse", "music", "contacts", "tools", "api", "util", "math", "data",
    ];

    internal static readonly string[] Verbs = ["get", "check", "find", "lookup", "fetch", "query", "read", "list", "compute", "run", "do"];

    /// <summary>A tool name: a namespace prefix, a made-up noun, a short verb-only form, or a wholly made-up name.</summary>
    public static string ToolName(SeededRandom rng, string baseName)
    {
        double r = rng.NextDouble();
        string prefix = rng.Chance(0.5) ? rng.Pick(Namespaces) : WordBanks.PseudoWord(rng);
        return r switch
        {
            < 0.35 => prefix + "_" + baseName,
            < 0.55 => rng.Pick(Verbs) + "_" + WordBanks.PseudoWord(rng),
            < 0.75 => prefix + "_" + baseName.Split('_')[0],
            < 0.9 => prefix + "_" + rng.Pick(Verbs) + "_" + WordBanks.PseudoWord(rng),
            _ => WordBanks.PseudoWord(rng) + "_" + WordBanks.PseudoWord(rng),
        };
    }

    /// <summary>A made-up value in the style of <paramref name="original"/> (capitalised if it was).</summary>
    public static string Value(SeededRandom rng, string original)
    {
        double r = rng.NextDouble();
        string value = r switch
        {
            < 0.35 => rng.Pick(WordBanks.Colors) + " " + WordBanks.PseudoWord(rng),
            < 0.55 => rng.Pick(WordBanks.Adjectives) + " " + rng.Pick(WordBanks.Nouns),
            < 0.8 => WordBanks.PseudoWord(rng),
            _ => WordBanks.PseudoWord(rng) + " " + WordBanks.PseudoWord(rng),
        };
        return char.IsUpper(original[0]) ? string.Join(' ', value.Split(' ').Select(WordBanks.Capitalize)) : value;
    }

    /// <summary>True for values made only of letters and spaces (items, cities, names), which can be replaced freely.</summary>
    public static bool IsPlainWords(string value) => PlainWords().IsMatch(value);

    [GeneratedRegex("^[A-Za-z][A-Za-z ]*$")]
    private static partial Regex PlainWords();
}
