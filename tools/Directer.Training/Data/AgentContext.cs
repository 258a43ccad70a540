using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Directer.Evaluation.HeldOut;

namespace Directer.Training.Data;

/// <summary>
/// The context an agent piles up between its system prompt and the answer being written: earlier turns of the
/// conversation, documents the user pastes in, long tool results full of records. The fourth training stage (and the
/// long-context held-out split) put this material between the system constraints and the reply, so that the model
/// learns to keep an instruction it read hundreds of tokens earlier, and to copy the one value it needs from a result
/// full of similar ones.
/// </summary>
internal static class AgentContext
{
    private static readonly string[] DocumentIntros =
    [
        "Here is some background I collected:", "For context, these are my notes:", "I found this page earlier:",
        "Some notes from our team wiki:", "Pasting a document for reference:", "Background material:",
    ];

    private static readonly string[] RecordShapes =
    [
        "Order {code}: {n} boxes of {item} shipped to {city}.", "Ticket {code} was opened by {person} on {day}.",
        "{person} booked {n} seats for {day}.", "Invoice {code} for {n}.{m} {currency} is due {day}.",
        "Sensor {code} in {city} reads {n} units.", "{item}: {n} in stock at the {city} site.",
        "Meeting with {person} moved to {day} at {hour}.", "Shipment {code} weighs {n} kg.",
    ];

    private static readonly string[] RecordFields = ["id", "ref", "code", "key"];

    /// <summary>A document of about <paramref name="chars"/> characters: facts about other topics and business records.</summary>
    public static string Document(SeededRandom rng, int chars, Topic? exclude)
    {
        var sb = new StringBuilder();
        var topics = TopicFacts.All.Where(t => t != exclude).ToList();
        while (sb.Length < chars)
        {
            if (sb.Length > 0)
            {
                sb.Append(rng.Chance(0.25) ? "\n" : " ");
            }

            sb.Append(rng.Chance(0.5) ? rng.Pick(rng.Pick(topics).Facts) : Record(rng));
        }

        return sb.ToString();
    }

    /// <summary>A user turn that pastes a document of about <paramref name="chars"/> characters before <paramref name="question"/>.</summary>
    public static string WithDocument(SeededRandom rng, string question, int chars, Topic? exclude)
        => rng.Pick(DocumentIntros) + "\n" + Document(rng, chars, exclude) + "\n\n" + question;

    /// <summary>
    /// The tool result with about <paramref name="chars"/> characters of extra fields (a notes text, a list of records
    /// with ids and numbers) before or after its own fields, which keep their values: the answer copies those.
    /// </summary>
    public static JsonObject PadResult(SeededRandom rng, JsonObject result, int chars)
    {
        var extra = new List<KeyValuePair<string, JsonNode?>>();
        int budget = chars;
        if (rng.Chance(0.5))
        {
            int noteChars = budget / 2;
            extra.Add(new("notes", Document(rng, noteChars, null)));
            budget -= noteChars;
        }

        var records = new JsonArray();
        string idField = rng.Pick(RecordFields);
        int used = 0;
        while (used < budget)
        {
            var record = new JsonObject
            {
                [idField] = WordBanks.Code(rng),
                ["value"] = rng.Range(1, 9999),
                ["label"] = rng.Chance(0.5) ? rng.Pick(WordBanks.Items) : WordBanks.PseudoWord(rng),
            };
            used += 62; // about the record's JSON length
            records.Add(record);
        }

        extra.Add(new(rng.Pick(["history", "records", "related", "log"]), records));
        bool before = rng.Chance(0.5);
        var padded = new JsonObject();
        if (before)
        {
            foreach (var (k, v) in extra)
            {
                padded[k] = v;
            }
        }

        foreach (var (k, v) in result)
        {
            padded[k] = v?.DeepClone();
        }

        if (!before)
        {
            foreach (var (k, v) in extra)
            {
                padded[k] = v;
            }
        }

        return padded;
    }

    /// <summary>
    /// Earlier question-and-answer turns, about <paramref name="chars"/> characters in all, whose answers already keep
    /// <paramref name="constraints"/> (the system prompt's rules hold for every reply, not only the last).
    /// </summary>
    public static List<ChatMessage> History(SeededRandom rng, IReadOnlyList<Constraint> constraints, int chars, Topic? exclude, IReadOnlyList<string> questions)
    {
        var messages = new List<ChatMessage>();
        int used = 0;
        var topics = TopicFacts.All.Where(t => t != exclude).ToList();
        while (used < chars)
        {
            var topic = rng.Pick(topics);
            while (!TopicAnswerWriter.CanWrite(topic, constraints))
            {
                // Drawn again only where the reply could not keep the rules (so every other stream is unchanged).
                topic = rng.Pick(topics);
            }

            string question = rng.Pick(questions).Replace("{t}", topic.Name, StringComparison.Ordinal);
            if (rng.Chance(0.3))
            {
                question = WithDocument(rng, question, Math.Min(chars - used, rng.Range(150, 600)), topic);
            }

            string answer = TopicAnswerWriter.Write(topic, constraints, rng);
            messages.Add(ChatMessage.User(question));
            messages.Add(ChatMessage.Assistant(answer));
            used += question.Length + answer.Length + 40;
        }

        return messages;
    }

    private static string Record(SeededRandom rng)
    {
        string shape = rng.Pick(RecordShapes);
        return shape
            .Replace("{code}", WordBanks.Code(rng), StringComparison.Ordinal)
            .Replace("{n}", rng.Range(2, 999).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{m}", rng.Range(10, 99).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{item}", rng.Pick(WordBanks.Items), StringComparison.Ordinal)
            .Replace("{city}", rng.Pick(WordBanks.Cities), StringComparison.Ordinal)
            .Replace("{person}", rng.Pick(WordBanks.FirstNames) + " " + rng.Pick(WordBanks.LastNames), StringComparison.Ordinal)
            .Replace("{day}", rng.Pick(WordBanks.Weekdays), StringComparison.Ordinal)
            .Replace("{hour}", ToolCatalog.Time(rng), StringComparison.Ordinal)
            .Replace("{currency}", rng.Pick(WordBanks.Currencies), StringComparison.Ordinal);
    }
}
