using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Directer.Core.PythonCompat;
using Directer.Evaluation.HeldOut;

namespace Directer.Training.Data;

/// <summary>
/// Seeded generator of ChatML/Hermes-tools conversations. Conversation <c>i</c> of seed <c>s</c> depends only
/// on (s, i, split), so the same command always produces the same data, in any order.
/// </summary>
internal sealed partial class ConversationGenerator
{
    private static readonly string[] TrainQuestions =
    [
        "Tell me about {t}.", "What do you know about {t}?", "Give me some facts about {t}.", "Describe {t} briefly.",
        "Can you explain {t} to me?", "Say something about {t}.", "I want to know about {t}.",
    ];

    private static readonly string[] EvalQuestions = ["I'd like to learn something about {t}.", "Share a few things about {t}.", "What can you tell me regarding {t}?"];

    private readonly long seed;
    private readonly DataSplit split;
    private readonly double novelShare;
    private readonly double drillShare;
    private readonly double randomCopyShare;
    private readonly double longContextShare;
    private readonly bool wideWordings;
    private readonly double keywordShare;

    /// <param name="seed">Data seed.</param>
    /// <param name="split">Training or held-out phrasings.</param>
    /// <param name="novelShare">Share of tool-use conversations with made-up tool names and values (0 keeps the
    /// original stream bit for bit: no extra random draws are made).</param>
    /// <param name="drillShare">Share of copy drills; null = a quarter of <paramref name="novelShare"/>.</param>
    /// <param name="randomCopyShare">Share of drills that echo random letter strings (0: no extra draw).</param>
    /// <param name="longContextShare">Share of conversations set in a long agent context (<see cref="AgentContext"/>; 0: no extra draw).</param>
    /// <param name="wideWordings">Training requests also drawn from <see cref="ToolArchetype.MoreTrainRequests"/> (false:
    /// the original wordings, bit for bit; the held-out split never uses them).</param>
    /// <param name="keywordShare">Share of training tool requests written with a word of the wanted tool's own schema
    /// (<see cref="KeywordRequests"/>; 0: no extra draw; the held-out split never uses them).</param>
    public ConversationGenerator(long seed, DataSplit split = DataSplit.Train, double novelShare = 0, double? drillShare = null, double randomCopyShare = 0, double longContextShare = 0, bool wideWordings = false, double keywordShare = 0)
    {
        this.keywordShare = keywordShare;
        this.wideWordings = wideWordings;
        this.longContextShare = longContextShare;
        this.randomCopyShare = randomCopyShare;
        this.seed = seed;
        this.split = split;
        this.novelShare = novelShare;
        this.drillShare = drillShare ?? novelShare / 4;
    }

    /// <summary>Conversation <paramref name="index"/> of the training mixture (44% chat, 8% chat with unused tools, 48% tool use).</summary>
    public GeneratedConversation Generate(long index)
    {
        var rng = SeededRandom.ForItem(seed, index, split == DataSplit.Train ? 1 : 2);

        // The copy stage mixes in drills (by default a quarter of novelShare: 17.5% at 0.7); no extra draw otherwise.
        if (novelShare > 0 && rng.Chance(drillShare))
        {
            return CopyDrills.Generate(rng, randomCopyShare);
        }

        // Stage 4: constraints kept across history, documents and long tool results; no extra draw at 0.
        if (longContextShare > 0 && rng.Chance(longContextShare))
        {
            return InLongContext(rng, rng.Range(200, MaxContextChars));
        }

        double roll = rng.NextDouble();
        if (roll < 0.44)
        {
            return Chat(rng, withTools: false, forcedKind: null);
        }

        if (roll < 0.52)
        {
            return Chat(rng, withTools: true, forcedKind: null);
        }

        return ToolUse(rng);
    }

    /// <summary>A single-constraint chat whose constraint is <paramref name="kind"/> (for per-type evaluation).</summary>
    public GeneratedConversation GenerateChat(long index, ConstraintKind kind)
    {
        var rng = SeededRandom.ForItem(seed, index, 3 + (int)kind);
        return Chat(rng, withTools: rng.Chance(0.2), forcedKind: kind);
    }

    /// <summary>
    /// Conversation <paramref name="index"/> of the long-context split: one <paramref name="kind"/> constraint in the
    /// system prompt, a question, and about <paramref name="contextChars"/> characters of agent context (earlier turns,
    /// a pasted document) between them. The same index gives the same system prompt, question and reference answer at
    /// every length; only the context differs.
    /// </summary>
    public GeneratedConversation GenerateLongContextChat(long index, ConstraintKind kind, int contextChars)
    {
        var conversation = GenerateChat(index, kind);
        if (contextChars <= 0)
        {
            return conversation;
        }

        var rng = SeededRandom.ForItem(seed, index, 40 + contextChars);
        return AddContext(rng, conversation, contextChars);
    }

    /// <summary>
    /// Tool answer <paramref name="index"/> of the long-context split: one answer constraint in the system prompt, a
    /// request, the call and a tool result padded with about <paramref name="contextChars"/> × 0.7 characters of
    /// records, after about 0.3 × <paramref name="contextChars"/> characters of earlier turns. Only the called tool is
    /// listed (to leave the window to the context). The same index gives the same request, call, values and answer at
    /// every length.
    /// </summary>
    public GeneratedConversation GenerateLongContextToolAnswer(long index, int contextChars)
    {
        var rng = SeededRandom.ForItem(seed, index, 30);
        int resultChars = contextChars * 7 / 10;
        var tool = ToolUse(rng, constraintChance: 1.0, resultPadChars: resultChars);
        tool = tool with { Tools = tool.Tools.Where(t => t.Name == tool.Call!.Name).ToList() };
        int historyChars = contextChars - resultChars;
        if (historyChars <= 0)
        {
            return tool;
        }

        var historyRng = SeededRandom.ForItem(seed, index, 31 + contextChars);
        var history = AgentContext.History(historyRng, tool.Constraints, historyChars, null, TrainQuestionsFor(split));
        return tool with { Messages = tool.Messages.Take(1).Concat(history).Concat(tool.Messages.Skip(1)).ToList() };
    }

    /// <summary>The longest agent context drawn for training, in characters (about 600 tokens of prose, fewer of records).</summary>
    public const int MaxContextChars = 2400;

    /// <summary>A chat or tool conversation with constraints, set after history, documents or inside a long tool result.</summary>
    private GeneratedConversation InLongContext(SeededRandom rng, int contextChars)
    {
        if (rng.Chance(0.5))
        {
            var kinds = ConstraintSampler.DrawKinds(rng, rng.Chance(0.25) ? 2 : 1);
            var chat = Chat(rng, withTools: rng.Chance(0.3), forcedKind: null, forcedKinds: kinds);
            return AddContext(rng, chat, contextChars);
        }

        // A long tool result (and sometimes earlier turns): the answer must copy the right values out of it. Tool
        // schemas and records are token-dense, so the context is shorter to stay within the 1024-token window.
        contextChars = contextChars * 3 / 5;
        int resultChars = rng.Chance(0.7) ? rng.Range(contextChars / 2, contextChars) : 0;
        var tool = ToolUse(rng, constraintChance: 0.75, resultPadChars: resultChars);
        int historyChars = contextChars - resultChars;
        if (historyChars < 150)
        {
            return tool;
        }

        var history = AgentContext.History(rng, tool.Constraints, historyChars, null, TrainQuestionsFor(split));
        var messages = tool.Messages.Take(1).Concat(history).Concat(tool.Messages.Skip(1)).ToList();
        return tool with { Messages = messages };
    }

    /// <summary>Inserts earlier turns and/or a pasted document between the system prompt and the last question.</summary>
    private GeneratedConversation AddContext(SeededRandom rng, GeneratedConversation chat, int contextChars)
    {
        var topic = TopicFacts.All.FirstOrDefault(t => chat.Messages[1].Content.Contains(t.Name, StringComparison.Ordinal));
        double r = rng.NextDouble();
        int historyChars = r < 0.4 ? contextChars : r < 0.7 ? 0 : contextChars / 2;
        int documentChars = contextChars - historyChars;
        var history = historyChars > 0 ? AgentContext.History(rng, chat.Constraints, historyChars, topic, TrainQuestionsFor(split)) : [];
        string question = chat.Messages[1].Content;
        if (documentChars > 0)
        {
            question = AgentContext.WithDocument(rng, question, documentChars, topic);
        }

        var messages = new List<ChatMessage> { chat.Messages[0] };
        messages.AddRange(history);
        messages.Add(ChatMessage.User(question));
        messages.AddRange(chat.Messages.Skip(2));
        return chat with { Messages = messages };
    }

    private static IReadOnlyList<string> TrainQuestionsFor(DataSplit split) => split == DataSplit.Train ? TrainQuestions : EvalQuestions;

    /// <summary>A tool-use conversation (for evaluation of tool calls and tool-result answers).</summary>
    public GeneratedConversation GenerateToolUse(long index)
    {
        var rng = SeededRandom.ForItem(seed, index, 20);
        return ToolUse(rng);
    }

    private GeneratedConversation Chat(SeededRandom rng, bool withTools, ConstraintKind? forcedKind, List<ConstraintKind>? forcedKinds = null)
    {
        var topic = rng.Pick(TopicFacts.All);
        List<ConstraintKind> kinds;
        if (forcedKind is { } forced)
        {
            kinds = [forced];
        }
        else if (forcedKinds is not null)
        {
            kinds = forcedKinds;
        }
        else
        {
            double r = rng.NextDouble();
            int count = r < 0.12 ? 0 : r < 0.75 ? 1 : 2;
            kinds = ConstraintSampler.DrawKinds(rng, count);
        }

        var constraints = ConstraintSampler.Parameterize(kinds, topic, rng);
        var tools = withTools ? DrawTools(rng, rng.Range(1, 3), null).Select(t => t.Definition).ToList() : [];
        string question = rng.Pick(split == DataSplit.Train ? TrainQuestions : EvalQuestions).Replace("{t}", topic.Name, StringComparison.Ordinal);
        string instructions = string.Join(" ", constraints.Select(c => ConstraintPhrasing.Instruction(c, split, rng)));
        string persona = ConstraintPhrasing.Persona(split, rng);
        string system = persona;
        string user = question;
        if (instructions.Length > 0)
        {
            if (split == DataSplit.Train && rng.Chance(0.15))
            {
                user = question + " " + instructions;
            }
            else
            {
                system = persona + " " + instructions;
            }
        }

        string answer = TopicAnswerWriter.Write(topic, constraints, rng);
        var messages = new List<ChatMessage> { ChatMessage.System(system), ChatMessage.User(user), ChatMessage.Assistant(answer) };
        return new GeneratedConversation(withTools ? ConversationKind.ChatWithTools : ConversationKind.Chat, messages, tools, constraints, null, []);
    }

    private GeneratedConversation ToolUse(SeededRandom rng, double constraintChance = 0.35, int resultPadChars = 0)
    {
        var target = rng.Pick(ToolCatalog.All);
        bool novel = novelShare > 0 && rng.Chance(novelShare);
        var targetTool = ToolInstance.Create(target, rng, novel);
        var tools = DrawTools(rng, rng.Range(1, 3), targetTool, novel);
        tools.Insert(rng.Next(tools.Count + 1), targetTool);

        // Slot values; distinct string values so that "from"/"to" style pairs are unambiguous.
        var values = new Dictionary<string, string>(targetTool.Variables);
        var typed = new Dictionary<string, object>();
        foreach (var slot in target.Slots)
        {
            object v = Draw(slot, rng, novel);
            for (int attempt = 0; attempt < 8 && typed.Values.Any(existing => Equals(existing, v)); attempt++)
            {
                v = Draw(slot, rng, novel);
            }

            typed[slot.Key] = v;
            values[slot.Key] = Display(v);
        }

        var keyworded = keywordShare > 0 && split == DataSplit.Train && rng.Chance(keywordShare)
            ? KeywordRequests.Write(rng, targetTool, tools, values) : null;
        List<ToolSlot> mentioned;
        string request;
        if (keyworded is { } k)
        {
            (request, mentioned) = k;
        }
        else
        {
            string template = rng.Pick(split == DataSplit.Eval ? target.EvalRequests
                : wideWordings ? [.. target.TrainRequests, .. target.MoreTrainRequests] : target.TrainRequests);
            mentioned = target.Slots.Where(s => template.Contains("{" + s.Key + "}", StringComparison.Ordinal)).ToList();
            request = ToolInstance.Fill(template, values);
        }

        var arguments = new JsonObject();
        foreach (var slot in mentioned)
        {
            arguments[targetTool.ArgumentNames[slot.Key]] = typed[slot.Key] switch
            {
                int i => JsonValue.Create(i),
                double d => JsonValue.Create(d),
                string s => JsonValue.Create(s),
                var other => throw new InvalidOperationException($"Unsupported slot value {other}."),
            };
        }

        var call = new ToolCall(targetTool.Definition.Name, arguments);
        var result = target.Result(rng, values);
        var resultValues = new Dictionary<string, string>(values.Where(kv => mentioned.Any(s => s.Key == kv.Key) || targetTool.Variables.ContainsKey(kv.Key)));
        string? lastField = null;
        foreach (var (field, node) in result)
        {
            resultValues["r." + field] = DisplayNode(node);
            lastField = field;
        }

        resultValues["r.value"] = resultValues["r." + lastField];
        var usable = target.Answers.Where(a => Placeholders().Matches(a).All(m => resultValues.ContainsKey(m.Groups[1].Value))).ToList();
        string answer = ToolInstance.Fill(rng.Pick(usable), resultValues);
        var mustContain = target.KeyResultFields.Select(f => resultValues["r." + ToolInstance.Fill(f, targetTool.Variables)]).ToList();

        var constraints = new List<Constraint>();
        if (rng.Chance(constraintChance))
        {
            var kinds = ConstraintSampler.DrawKinds(rng, rng.Chance(0.2) ? 2 : 1, ConstraintSampler.ToolAnswerKinds);
            constraints = ConstraintSampler.Parameterize(kinds, null, rng);
            answer = ApplyToAnswer(answer, constraints, rng);
        }

        string system = ConstraintPhrasing.Persona(split, rng);
        if (constraints.Count > 0)
        {
            system += " " + string.Join(" ", constraints.Select(c => ConstraintPhrasing.Instruction(c, split, rng)));
        }

        if (resultPadChars > 0)
        {
            result = AgentContext.PadResult(rng, result, resultPadChars);
        }

        var messages = new List<ChatMessage>
        {
            ChatMessage.System(system),
            ChatMessage.User(request),
            ChatMessage.AssistantCall(call),
            ChatMessage.Tool(PythonJson.Dumps(result)),
            ChatMessage.Assistant(answer),
        };
        return new GeneratedConversation(ConversationKind.ToolUse, messages, tools.Select(t => t.Definition).ToList(), constraints, call, mustContain);
    }

    /// <summary>Applies tool-answer constraints (include, end phrase, lowercase, no commas) and verifies them.</summary>
    private static string ApplyToAnswer(string answer, IReadOnlyList<Constraint> constraints, SeededRandom rng)
    {
        foreach (var c in constraints.Where(c => c.Kind == ConstraintKind.Include))
        {
            answer += " " + rng.Pick(TopicFacts.KeywordSentences).Replace("{w}", c.Text!, StringComparison.Ordinal);
        }

        foreach (var c in constraints.Where(c => c.Kind == ConstraintKind.EndWith))
        {
            answer += " " + c.Text;
        }

        if (constraints.Any(c => c.Kind == ConstraintKind.Lowercase))
        {
            answer = answer.ToLowerInvariant();
        }

        if (constraints.Any(c => c.Kind == ConstraintKind.NoCommas))
        {
            answer = TopicAnswerWriter.StripCommas(answer);
        }

        foreach (var c in constraints)
        {
            if (!ConstraintChecker.IsSatisfied(c, answer))
            {
                throw new InvalidOperationException($"Generated tool answer breaks its own constraint {c.TypeName}: {answer}");
            }
        }

        return answer;
    }

    /// <summary>Distractor tools from other archetypes (the made-up family may repeat with another noun).</summary>
    private static object Draw(ToolSlot slot, SeededRandom rng, bool novel)
    {
        object v = slot.Value(rng);
        return novel && v is string s && slot.Enum is null && NovelNames.IsPlainWords(s) ? NovelNames.Value(rng, s) : v;
    }

    private static List<ToolInstance> DrawTools(SeededRandom rng, int count, ToolInstance? target, bool novel = false)
    {
        var chosen = new List<ToolInstance>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (target is not null)
        {
            names.Add(target.Definition.Name);
        }

        int guard = 0;
        while (chosen.Count < count && guard++ < 100)
        {
            var archetype = rng.Pick(ToolCatalog.All);
            bool clash = !archetype.Repeatable && (archetype == target?.Archetype || chosen.Any(c => c.Archetype == archetype));
            if (clash)
            {
                continue;
            }

            var tool = ToolInstance.Create(archetype, rng, novel);
            if (names.Add(tool.Definition.Name))
            {
                chosen.Add(tool);
            }
        }

        return chosen;
    }

    private static string Display(object v) => v switch
    {
        int i => i.ToString(CultureInfo.InvariantCulture),
        double d => PythonFloat.Repr(d),
        string s => s,
        _ => throw new InvalidOperationException($"Unsupported value {v}."),
    };

    private static string DisplayNode(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : PythonJson.Dumps(node);

    [GeneratedRegex(@"\{([a-z_.]+)\}")]
    private static partial Regex Placeholders();
}
