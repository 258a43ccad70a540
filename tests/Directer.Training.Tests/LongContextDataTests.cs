using System.Text.Json.Nodes;
using Directer.Core.PythonCompat;
using Directer.Evaluation.Demo;
using Directer.Evaluation.HeldOut;
using Directer.Training.Data;
using Directer.Training.Tokenization;

namespace Directer.Training.Tests;

/// <summary>
/// Stage 4's long agent context (<see cref="AgentContext"/>, <c>--long-context</c>) and the long-context held-out split
/// (<see cref="LongContextSetBuilder"/>): the instruction holds for every reply however much context lies between, the
/// values an answer copies survive the padding, and the split keeps the same question at every distance.
/// </summary>
public class LongContextDataTests
{
    private static string Text(GeneratedConversation c) => ChatMlRenderer.Render(c.Messages, c.Tools).Text;

    [Fact]
    public void LongContextZeroKeepsTheStreamAndLongContextPutsContextBetweenTheInstructionAndTheReply()
    {
        var before = new ConversationGenerator(17, DataSplit.Train, 0.8, 0.25, 0.5);
        var zero = new ConversationGenerator(17, DataSplit.Train, 0.8, 0.25, 0.5, 0);
        Assert.Equal(Enumerable.Range(0, 150).Select(i => Text(before.Generate(i))), Enumerable.Range(0, 150).Select(i => Text(zero.Generate(i))));

        var all = new ConversationGenerator(17, DataSplit.Train, 0.8, 0.0, 0, 1.0);
        int history = 0, padded = 0, documents = 0, checkedReplies = 0;
        for (int i = 0; i < 300; i++)
        {
            var c = all.Generate(i);
            int length = Text(c).Length;
            Assert.True(length > 300, $"conversation {i} is short ({length} characters)");

            // Every assistant text reply — earlier turns included — keeps the system prompt's constraints.
            foreach (var reply in c.Messages.Where(m => m.Role == "assistant" && m.ToolCall is null))
            {
                foreach (var constraint in c.Constraints)
                {
                    Assert.True(ConstraintChecker.IsSatisfied(constraint, reply.Content), $"conversation {i}: {constraint.TypeName} broken by: {reply.Content}");
                    checkedReplies++;
                }
            }

            history += c.Messages.Count(m => m.Role == "assistant" && m.ToolCall is null) > 1 ? 1 : 0;
            documents += c.Messages.Any(m => m.Role == "user" && m.Content.Contains("\n\n", StringComparison.Ordinal)) ? 1 : 0;
            if (c.Kind == ConversationKind.ToolUse && c.Messages.First(m => m.Role == "tool").Content.Length > 400)
            {
                padded++;

                // The padded result still holds every value the answer must repeat, and the answer repeats them.
                string result = c.Messages.First(m => m.Role == "tool").Content;
                foreach (string value in c.MustContain)
                {
                    Assert.Contains(value, result, StringComparison.Ordinal);
                    Assert.Contains(value, c.Messages[^1].Content, StringComparison.OrdinalIgnoreCase);
                }
            }
        }

        Assert.True(checkedReplies > 300, $"constrained replies checked: {checkedReplies}");
        Assert.True(history > 60 && padded > 40 && documents > 40, $"with history {history}, padded tool results {padded}, documents {documents}");
    }

    [Fact]
    public void PaddedToolResultsKeepTheirFieldsAndAddRecords()
    {
        var rng = new SeededRandom(5);
        var result = new JsonObject { ["city"] = "Oslo", ["temperature"] = 444, ["condition"] = "snowy" };
        var padded = AgentContext.PadResult(rng, result, 1200);
        Assert.Equal(444, padded["temperature"]!.GetValue<int>());
        Assert.Equal("Oslo", padded["city"]!.GetValue<string>());
        Assert.True(padded.Count >= 4);
        Assert.True(PythonJson.Dumps(padded).Length > 1000, PythonJson.Dumps(padded));
    }

    [Fact]
    public void TheSplitAsksTheSameQuestionAtGrowingMeasuredDistancesWithinTheWindow()
    {
        var vocab = HfTokenizerFiles.Read(Path.Combine(DemoModel.Require(), "tokenizer.json"));
        var rows = LongContextSetBuilder.Build(vocab, EvalSetBuilder.DefaultSeed, perType: 1, toolAnswers: 2, LongContextSetBuilder.DefaultDistances);
        Assert.Equal(rows.Select(r => r.ToJsonString()), LongContextSetBuilder.Build(vocab, EvalSetBuilder.DefaultSeed, 1, 2, LongContextSetBuilder.DefaultDistances).Select(r => r.ToJsonString()));

        // 8 constraint rows at each distance, tool answers up to the longest distance their ~300-token prompt allows.
        Assert.Equal((8 * 4) + (2 * 3), rows.Count);
        foreach (var group in rows.GroupBy(r => r["id"]!.GetValue<string>()[10..]))
        {
            var byDistance = group.OrderBy(r => (int)r["distance"]!).ToList();
            JsonNode? System(JsonObject r) => r["messages"]![0]!["content"];
            static JsonNode? Question(JsonObject r)
            {
                // A constraint row's question is its last message; a tool answer's request is the turn before the call.
                var messages = r["messages"]!.AsArray();
                int call = messages.ToList().FindIndex(m => m!["tool_calls"] is not null);
                return (call < 0 ? messages[^1] : messages[call - 1])!["content"];
            }

            foreach (var row in byDistance)
            {
                int distance = (int)row["distance"]!;
                int measured = (int)row["context_tokens"]!;
                Assert.Equal(System(byDistance[0])!.GetValue<string>(), System(row)!.GetValue<string>());
                Assert.Equal(byDistance[0]["reference_answer"]!.GetValue<string>(), row["reference_answer"]!.GetValue<string>());
                Assert.InRange(measured, distance * 0.8, distance * 1.05 + 1);
                Assert.True(vocab.EncodeWithOffsets(row["prompt"]!.GetValue<string>()).Count <= LongContextSetBuilder.MaxPromptTokens);

                // The question itself is unchanged; only context was added before it.
                Assert.EndsWith(Question(byDistance[0])!.GetValue<string>(), Question(row)!.GetValue<string>(), StringComparison.Ordinal);
                var parsed = HeldOutRow.Parse(row);
                Assert.Equal(distance, parsed.Distance);
                Assert.True(HeldOutGrader.Grade(parsed, row["reference_answer"]!.GetValue<string>(), []).Correct, $"{row["id"]}: reference answer graded wrong");
            }
        }
    }

    [Fact]
    public void EarlierTurnsUnderJsonAndAnAvoidedWordSkipTheTopicNamedByThatWord()
    {
        // A JSON reply names its topic, so an earlier turn about "clouds" cannot avoid "clouds"; export-tokens with
        // seed 9002 stopped on exactly that ("Generated answer breaks its own constraint avoid").
        var constraints = new List<Constraint> { new(ConstraintKind.Json, Keys: ["result", "content"]), new(ConstraintKind.Avoid, Text: "clouds") };
        var clouds = TopicFacts.All.Single(t => t.Name == "clouds");
        Assert.False(TopicAnswerWriter.CanWrite(clouds, constraints));
        Assert.True(TopicAnswerWriter.CanWrite(clouds, [constraints[1]]));
        Assert.True(TopicAnswerWriter.CanWrite(clouds, [constraints[0], new(ConstraintKind.Avoid, Text: "rain")]));

        var history = AgentContext.History(new SeededRandom(3), constraints, 30_000, null, ["Tell me about {t}."]);
        Assert.True(history.Count > 2 * TopicFacts.All.Length, $"only {history.Count} messages: too few draws to meet every topic");
        foreach (var reply in history.Where(m => m.Role == "assistant"))
        {
            Assert.All(constraints, c => Assert.True(ConstraintChecker.IsSatisfied(c, reply.Content), $"{c.TypeName} broken by: {reply.Content}"));
        }
    }
}
