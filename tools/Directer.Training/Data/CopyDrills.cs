using System.Globalization;
using System.Text;

namespace Directer.Training.Data;

/// <summary>
/// Short drills for the copy stage. A model this small learns to call tools by recalling familiar names and values,
/// not by reading them (its held-out tool names were never the listed ones). Copying a span it has never seen, and
/// finding an entry in a list by what it says and copying its name, are the two skills a tool call needs; these
/// drills reward exactly those, in a few tokens each, so the circuits for them (induction heads) get trained.
/// </summary>
internal static class CopyDrills
{
    private static readonly string[] EchoRequests =
    [
        "Repeat exactly: {x}", "Say back: {x}", "Copy this: {x}", "Write this again: {x}", "Echo the following: {x}",
    ];

    private static readonly string[] LookupRequests =
    [
        "What is the value of {k}?", "Give me the value for {k}.", "Look up {k}.", "Which value does {k} have?",
    ];

    private static readonly string[] PickRequests =
    [
        "Which function should I use to {d}", "Name the function that can {d}", "I need to {d} Which function?",
    ];

    /// <summary>One drill: echo a made-up span, look up a made-up key, or pick the listed function a request needs; with
    /// <paramref name="randomShare"/>, that share of drills echoes random letter strings instead.</summary>
    public static GeneratedConversation Generate(SeededRandom rng, double randomShare = 0)
    {
        // No extra draw at 0, so the stream of the shipped copy stage is unchanged.
        var (system, user, answer) = randomShare > 0 && rng.Chance(randomShare) ? RandomEcho(rng) : Standard(rng);
        var messages = new List<ChatMessage> { ChatMessage.System(system), ChatMessage.User(user), ChatMessage.Assistant(answer) };
        return new GeneratedConversation(ConversationKind.Chat, messages, [], [], null, []);
    }

    private static (string System, string User, string Answer) Standard(SeededRandom rng)
    {
        double r = rng.NextDouble();
        return r < 0.35 ? Echo(rng) : r < 0.65 ? Lookup(rng) : Pick(rng);
    }

    /// <summary>
    /// Echo 1–4 random "words" of 2–9 letters (or digits), which the tokenizer splits into pieces no statistics can
    /// predict; sometimes inside a JSON value or a function call, the places a tool call copies into.
    /// </summary>
    private static (string System, string User, string Answer) RandomEcho(SeededRandom rng)
    {
        const string letters = "abcdefghijklmnopqrstuvwxyz";
        int words = rng.Range(1, 4);
        var parts = new List<string>();
        for (int w = 0; w < words; w++)
        {
            int length = rng.Range(2, 9);
            var word = new StringBuilder();
            bool digits = rng.Chance(0.1);
            for (int i = 0; i < length; i++)
            {
                word.Append(digits ? (char)('0' + rng.Next(10)) : letters[rng.Next(letters.Length)]);
            }

            parts.Add(rng.Chance(0.2) ? char.ToUpperInvariant(word[0]) + word.ToString()[1..] : word.ToString());
        }

        string x = string.Join(rng.Chance(0.8) ? " " : rng.Pick(["_", "-"]), parts);
        double shape = rng.NextDouble();
        if (shape < 0.6)
        {
            return ("You are a careful assistant.", rng.Pick(EchoRequests).Replace("{x}", x, StringComparison.Ordinal), x);
        }

        string key = rng.Pick(["name", "item", "city", "product", "query", "title", "text"]);
        if (shape < 0.8)
        {
            return ("Answer with a JSON object.", $"Put \"{x}\" under the key \"{key}\".", $"{{\"{key}\": \"{x}\"}}");
        }

        return ("You are a careful assistant.", $"Write the call: function {x} with no arguments.", $"{x}()");
    }

    private static (string System, string User, string Answer) Echo(SeededRandom rng)
    {
        int n = rng.Range(1, 4);
        var items = Enumerable.Range(0, n).Select(_ => Item(rng)).ToList();
        string x = string.Join(", ", items);
        return ("You are a careful assistant.", rng.Pick(EchoRequests).Replace("{x}", x, StringComparison.Ordinal), x);
    }

    private static (string System, string User, string Answer) Lookup(SeededRandom rng)
    {
        int n = rng.Range(3, 8);
        var keys = new List<string>();
        var values = new List<string>();
        while (keys.Count < n)
        {
            string key = rng.Chance(0.5) ? WordBanks.PseudoWord(rng) + "_" + WordBanks.PseudoWord(rng) : NovelNames.ToolName(rng, rng.Pick(WordBanks.Nouns));
            if (!keys.Contains(key))
            {
                keys.Add(key);
                values.Add(Item(rng));
            }
        }

        var table = new StringBuilder("Reference table:");
        for (int i = 0; i < n; i++)
        {
            table.Append("\n- ").Append(keys[i]).Append(": ").Append(values[i]);
        }

        int k = rng.Next(n);
        return (table.ToString(), rng.Pick(LookupRequests).Replace("{k}", keys[k], StringComparison.Ordinal), values[k]);
    }

    private static (string System, string User, string Answer) Pick(SeededRandom rng)
    {
        var tools = new List<ToolInstance>();
        int n = rng.Range(2, 5);
        int guard = 0;
        while (tools.Count < n && guard++ < 50)
        {
            var archetype = rng.Pick(ToolCatalog.All);
            if (tools.Any(t => t.Archetype == archetype))
            {
                continue;
            }

            tools.Add(ToolInstance.Create(archetype, rng, novel: true));
        }

        var list = new StringBuilder("Functions:");
        foreach (var t in tools)
        {
            list.Append("\n- ").Append(t.Definition.Name).Append(": ").Append(t.Definition.Description);
        }

        var target = rng.Pick(tools);
        string need = WordBanks.LowerFirst(target.Definition.Description);
        return (list.ToString(), rng.Pick(PickRequests).Replace("{d}", need, StringComparison.Ordinal), target.Definition.Name);
    }

    private static string Item(SeededRandom rng)
    {
        double r = rng.NextDouble();
        return r switch
        {
            < 0.6 => NovelNames.Value(rng, rng.Chance(0.3) ? "X" : "x"),
            < 0.8 => WordBanks.Code(rng),
            _ => rng.Range(2, 9999).ToString(CultureInfo.InvariantCulture),
        };
    }
}
