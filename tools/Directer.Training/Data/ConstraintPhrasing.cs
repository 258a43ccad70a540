using System.Globalization;
using Directer.Evaluation.HeldOut;

namespace Directer.Training.Data;

/// <summary>How a constraint is worded in the system prompt; training and evaluation use disjoint wordings.</summary>
internal static class ConstraintPhrasing
{
    private static readonly Dictionary<ConstraintKind, string[]> TrainWordings = new()
    {
        [ConstraintKind.Lowercase] = ["Write your whole answer in lowercase letters only.", "Use only lowercase letters.", "Do not use any capital letters.", "Reply in all lowercase."],
        [ConstraintKind.NoCommas] = ["Do not use any commas.", "Never use a comma in your reply.", "Avoid commas completely.", "Your answer must not contain commas."],
        [ConstraintKind.EndWith] = ["End your answer with the exact phrase \"{p}\"", "Finish your reply with \"{p}\"", "Always end with the words \"{p}\"", "The last words of your answer must be \"{p}\""],
        [ConstraintKind.Bullets] = ["Answer with exactly {n} bullet points.", "Use exactly {n} bullet points that start with \"- \".", "Reply as a list of exactly {n} bullets.", "Write exactly {n} bullet points and nothing else."],
        [ConstraintKind.Json] = ["Respond only with a valid JSON object with the keys \"{k1}\" and \"{k2}\".", "Reply in JSON: an object with the keys \"{k1}\" and \"{k2}\".", "Your whole answer must be a JSON object with keys \"{k1}\" and \"{k2}\"."],
        [ConstraintKind.WordLimit] = ["Answer in at most {n} words.", "Use no more than {n} words.", "Keep your answer to {n} words or fewer.", "Your reply must be at most {n} words long."],
        [ConstraintKind.Include] = ["Include the word \"{w}\" in your answer.", "Make sure to use the word \"{w}\".", "Your answer must mention the word \"{w}\".", "Always include the word \"{w}\"."],
        [ConstraintKind.Avoid] = ["Do not use the word \"{w}\".", "Never say the word \"{w}\".", "Avoid the word \"{w}\" in your answer.", "The word \"{w}\" is forbidden."],
    };

    private static readonly Dictionary<ConstraintKind, string[]> EvalWordings = new()
    {
        [ConstraintKind.Lowercase] = ["Your reply must be entirely in lowercase.", "Capital letters are not allowed anywhere in your response."],
        [ConstraintKind.NoCommas] = ["Commas are not allowed in your answer.", "Write your response without a single comma."],
        [ConstraintKind.EndWith] = ["Close your response with the phrase \"{p}\"", "Your response has to finish with \"{p}\""],
        [ConstraintKind.Bullets] = ["Format the reply as {n} bullet points, no more and no less.", "Give your answer as precisely {n} bullets."],
        [ConstraintKind.Json] = ["Output nothing but a JSON object that has the keys \"{k1}\" and \"{k2}\".", "Format your response as JSON containing the keys \"{k1}\" and \"{k2}\"."],
        [ConstraintKind.WordLimit] = ["Limit your answer to {n} words.", "Do not exceed {n} words in your response."],
        [ConstraintKind.Include] = ["Your response has to contain the word \"{w}\".", "Be sure the word \"{w}\" appears in your reply."],
        [ConstraintKind.Avoid] = ["The word \"{w}\" must not appear in your reply.", "Stay away from the word \"{w}\"."],
    };

    /// <summary>The instruction sentence for <paramref name="c"/>.</summary>
    public static string Instruction(Constraint c, DataSplit split, SeededRandom rng)
    {
        var pool = (split == DataSplit.Train ? TrainWordings : EvalWordings)[c.Kind];
        string template = rng.Pick(pool);
        string text = template
            .Replace("{p}", c.Text ?? string.Empty, StringComparison.Ordinal)
            .Replace("{w}", c.Text ?? string.Empty, StringComparison.Ordinal)
            .Replace("{n}", c.Count?.ToString(CultureInfo.InvariantCulture) ?? string.Empty, StringComparison.Ordinal);
        if (c.Keys is { Count: >= 2 })
        {
            text = text.Replace("{k1}", c.Keys[0], StringComparison.Ordinal).Replace("{k2}", c.Keys[1], StringComparison.Ordinal);
        }

        // End-phrase wordings quote the phrase last; add the full stop after the closing quote.
        return c.Kind == ConstraintKind.EndWith ? text + "." : text;
    }

    /// <summary>Opening line of the system prompt.</summary>
    public static string Persona(DataSplit split, SeededRandom rng)
    {
        string name = WordBanks.Capitalize(WordBanks.PseudoWord(rng));
        string[] pool = split == DataSplit.Train
            ? ["You are a helpful assistant.", $"You are {name}, a friendly assistant.", "You are a concise assistant.", $"You are {name}. You help users with short answers.", "You are a careful assistant that follows instructions."]
            : ["You are an AI helper.", $"You are {name}, an assistant that answers briefly.", "You are a polite and precise assistant."];
        return rng.Pick(pool);
    }

    /// <summary>A phrase to end with; without commas, and lower case when <paramref name="lower"/>.</summary>
    public static string EndPhrase(SeededRandom rng, bool lower)
    {
        string adj = rng.Pick(WordBanks.Adjectives);
        string noun = rng.Pick(WordBanks.Nouns);
        string[] pool =
        [
            $"Have a {adj} day!", $"Stay {adj}.", "Hope this helps!", "That is all.", "Thanks for asking.", $"Keep exploring the {noun}.",
            $"Until the next {noun}.", "Over and out.", $"The {adj} {noun} awaits.", "Goodbye for now.", $"Remember the {noun}.", "Any other questions?",
        ];
        string phrase = rng.Pick(pool);
        return lower ? phrase.ToLowerInvariant() : phrase;
    }

    /// <summary>Two distinct JSON keys.</summary>
    public static IReadOnlyList<string> JsonKeys(SeededRandom rng)
    {
        string[] pool = ["topic", "answer", "summary", "title", "fact", "note", "subject", "detail", "text", "reply", "info", "main_point", "headline", "body", "content", "result"];
        var keys = rng.Sample(pool, 2);
        if (rng.Chance(0.15))
        {
            keys[rng.Next(2)] = WordBanks.PseudoWord(rng);
        }

        return keys;
    }
}
