using System.Text.Json.Nodes;
using Directer.Evaluation.HeldOut;
using Directer.Training.Tokenization;

namespace Directer.Training.Data;

/// <summary>
/// Builds the long-context held-out split: the same system constraint and question, separated from the answer by
/// agent context of increasing length — earlier turns of the conversation and a pasted document for constraint rows,
/// a long tool result (plus earlier turns) for tool answers. Rows use the held-out seed and wordings, so no system
/// prompt, question or request occurs in training, and carry <c>context_tokens</c>: how many tokens the context adds
/// to the prompt, measured with the model's tokenizer.
/// </summary>
internal static class LongContextSetBuilder
{
    /// <summary>Default distances in tokens: within the demo's 1024-token window with room for a 96-token reply.</summary>
    public static readonly int[] DefaultDistances = [0, 250, 500, 800];

    /// <summary>Longest distance for tool-answer rows, whose bare prompt already takes ~300 of the 1024 positions.</summary>
    public const int MaxToolAnswerDistance = 500;

    /// <summary>Most prompt tokens of a row: the demo's 1024 positions less the 96-token reply budget.</summary>
    public const int MaxPromptTokens = 1024 - 96;

    /// <summary>Builds <paramref name="perType"/> constraint rows per type and <paramref name="toolAnswers"/> tool-answer rows, at every distance.</summary>
    public static List<JsonObject> Build(BpeVocabulary vocab, long seed, int perType, int toolAnswers, IReadOnlyList<int> distances)
    {
        var generator = new ConversationGenerator(seed, DataSplit.Eval);
        var rows = new List<JsonObject>();
        foreach (int distance in distances)
        {
            foreach (var kind in Enum.GetValues<ConstraintKind>())
            {
                for (int i = 0; i < perType; i++)
                {
                    var base0 = Untooled(generator.GenerateLongContextChat(i, kind, 0));
                    var c = Fit(vocab, base0, distance, chars => Untooled(generator.GenerateLongContextChat(i, kind, chars)));
                    rows.Add(Row($"long-{distance:D4}-{new Constraint(kind).TypeName}-{i:D4}", "constraint", c.Conversation, c.Tokens, distance));
                }
            }

            // A tool answer's bare prompt (tool schema, request, call, result) is ~300 tokens already.
            for (int i = 0; i < (distance <= MaxToolAnswerDistance ? toolAnswers : 0); i++)
            {
                var base0 = generator.GenerateLongContextToolAnswer(i, 0);
                var c = Fit(vocab, base0, distance, chars => generator.GenerateLongContextToolAnswer(i, chars));
                rows.Add(Row($"long-{distance:D4}-tool_answer-{i:D4}", "tool_answer", c.Conversation, c.Tokens, distance));
            }
        }

        foreach (var row in rows)
        {
            int n = vocab.EncodeWithOffsets(row["prompt"]!.GetValue<string>()).Count;
            if (n > MaxPromptTokens)
            {
                throw new InvalidOperationException($"Long-context row {row["id"]} has a {n}-token prompt; at most {MaxPromptTokens} leave room for the reply in the 1024-token window. Use shorter --distances.");
            }
        }

        return rows;
    }

    /// <summary>Tools listed in a constraint row are never needed; dropping them keeps the window for context.</summary>
    private static GeneratedConversation Untooled(GeneratedConversation c) => c with { Tools = [] };

    /// <summary>Finds the context length in characters whose prompt is <paramref name="distance"/> tokens longer than the bare one.</summary>
    private static (GeneratedConversation Conversation, int Tokens) Fit(BpeVocabulary vocab, GeneratedConversation bare, int distance, Func<int, GeneratedConversation> make)
    {
        int baseTokens = PromptTokens(vocab, bare);
        if (distance == 0)
        {
            return (bare, 0);
        }

        // Earlier turns come in whole blocks, so the length moves in steps: take the closest try that is not more than
        // 5% too long (a longer one could leave the window).
        int chars = distance * 4;
        (GeneratedConversation, int) best = (bare, 0);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            var c = make(chars);
            int extra = PromptTokens(vocab, c) - baseTokens;
            if (extra <= distance * 21 / 20 && Math.Abs(extra - distance) < Math.Abs(best.Item2 - distance))
            {
                best = (c, extra);
            }

            if (Math.Abs(extra - distance) <= distance / 20)
            {
                break;
            }

            double scale = (double)distance / Math.Max(1, extra);
            chars = Math.Max(40, (int)(chars * (attempt < 5 ? scale : Math.Min(scale, 0.97))));
        }

        return best;
    }

    private static int PromptTokens(BpeVocabulary vocab, GeneratedConversation c)
        => vocab.EncodeWithOffsets(ChatMlRenderer.Render(c.Messages.Take(c.Messages.Count - 1).ToList(), c.Tools, addGenerationPrompt: true).Text).Count;

    private static JsonObject Row(string id, string kind, GeneratedConversation c, int tokens, int distance)
    {
        var prompt = c.Messages.Take(c.Messages.Count - 1).ToList();
        var reference = c.Messages[^1];
        return new JsonObject
        {
            ["id"] = id,
            ["kind"] = kind,
            ["messages"] = new JsonArray(prompt.Select(m => (JsonNode?)m.ToJson()).ToArray()),
            ["tools"] = new JsonArray(c.Tools.Select(t => (JsonNode?)t.ToJson()).ToArray()),
            ["expected_tool_call"] = null,
            ["constraints"] = new JsonArray(c.Constraints.Select(x => (JsonNode?)x.ToJson()).ToArray()),
            ["must_contain"] = kind == "tool_answer" ? new JsonArray(c.MustContain.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()) : new JsonArray(),
            ["reference_answer"] = reference.Content,
            ["distance"] = distance,
            ["context_tokens"] = tokens,
            ["prompt"] = ChatMlRenderer.Render(prompt, c.Tools, addGenerationPrompt: true).Text,
        };
    }
}
