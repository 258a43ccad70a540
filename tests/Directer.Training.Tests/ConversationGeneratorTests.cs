using System.Text.Json.Nodes;
using Directer.Evaluation.HeldOut;
using Directer.Training.Data;

namespace Directer.Training.Tests;

public class ConversationGeneratorTests
{
    private static List<string> Render(long seed, int count, DataSplit split = DataSplit.Train)
    {
        var g = new ConversationGenerator(seed, split);
        return Enumerable.Range(0, count).Select(i =>
        {
            var c = g.Generate(i);
            return ChatMlRenderer.Render(c.Messages, c.Tools).Text;
        }).ToList();
    }

    [Fact]
    public void SameSeedGivesSameConversations()
    {
        Assert.Equal(Render(7, 60), Render(7, 60));
    }

    [Fact]
    public void DifferentSeedGivesDifferentConversations()
    {
        var a = Render(7, 60);
        var b = Render(8, 60);
        Assert.True(a.Zip(b).Count(p => p.First != p.Second) >= 55, "another seed should change almost every conversation");
    }

    [Fact]
    public void ConversationDoesNotDependOnGenerationOrder()
    {
        var g = new ConversationGenerator(11);
        string late = ChatMlRenderer.Render(g.Generate(40).Messages, g.Generate(40).Tools).Text;
        var fresh = new ConversationGenerator(11);
        for (int i = 0; i < 40; i++)
        {
            _ = fresh.Generate(i);
        }

        var c = fresh.Generate(40);
        Assert.Equal(late, ChatMlRenderer.Render(c.Messages, c.Tools).Text);
    }

    [Fact]
    public void EveryAnswerSatisfiesItsOwnConstraints()
    {
        var g = new ConversationGenerator(3);
        int constrained = 0;
        for (int i = 0; i < 1500; i++)
        {
            var c = g.Generate(i);
            string answer = c.Messages[^1].Content;
            foreach (var constraint in c.Constraints)
            {
                Assert.True(ConstraintChecker.IsSatisfied(constraint, answer), $"conversation {i}: {constraint.TypeName} broken by: {answer}");
                constrained++;
            }
        }

        Assert.True(constrained > 600, $"expected many constrained answers, got {constrained}");
    }

    [Fact]
    public void AllConstraintTypesAndToolFamiliesAppear()
    {
        var g = new ConversationGenerator(5);
        var conversations = Enumerable.Range(0, 2000).Select(i => g.Generate(i)).ToList();
        var kinds = conversations.SelectMany(c => c.Constraints).Select(c => c.Kind).ToHashSet();
        Assert.Equal(Enum.GetValues<ConstraintKind>().ToHashSet(), kinds);
        var calledNames = conversations.Where(c => c.Call is not null).Select(c => c.Call!.Name).ToHashSet();
        Assert.True(calledNames.Count > 300, $"tool names should vary widely, got {calledNames.Count} distinct");
        Assert.Contains(conversations, c => c.Kind == ConversationKind.Chat);
        Assert.Contains(conversations, c => c.Kind == ConversationKind.ChatWithTools);
    }

    /// <param name="wideWordings">The additional training wordings too (<c>--wordings wide</c>), over enough conversations
    /// that every one of them is drawn (<see cref="WideWordingsTests"/> checks that they are).</param>
    /// <param name="keywordShare">Requests written with a word of the tool's own schema (<see cref="KeywordRequests"/>).</param>
    /// <param name="count">Conversations generated.</param>
    [Theory]
    [InlineData(false, 0.0, 800)]
    [InlineData(true, 0.0, 5000)]
    [InlineData(true, 0.6, 1500)]
    public void ToolCallsNameAListedToolAndCopyArgumentsFromTheRequest(bool wideWordings, double keywordShare, int count)
    {
        var g = new ConversationGenerator(9, DataSplit.Train, novelShare: keywordShare > 0 ? 0.5 : 0, wideWordings: wideWordings, keywordShare: keywordShare);
        for (int i = 0; i < count; i++)
        {
            var c = g.Generate(i);
            if (c.Kind != ConversationKind.ToolUse)
            {
                continue;
            }

            var listed = c.Tools.Single(t => t.Name == c.Call!.Name);
            var parameterNames = listed.Parameters.Select(p => p.Name).ToHashSet();
            string request = c.Messages[1].Content;
            foreach (var (name, value) in c.Call!.Arguments)
            {
                Assert.Contains(name, parameterNames);
                string text = value is JsonValue v && v.TryGetValue(out string? s) ? s : value!.ToJsonString();
                Assert.Contains(text, request, StringComparison.Ordinal);
            }

            foreach (var required in listed.Parameters.Where(p => p.Required))
            {
                Assert.True(c.Call.Arguments.ContainsKey(required.Name), $"conversation {i}: required argument {required.Name} missing");
            }

            string final = c.Messages[^1].Content;
            Assert.All(c.MustContain, value => Assert.Contains(value, final, StringComparison.OrdinalIgnoreCase));
            Assert.Equal(c.Tools.Count, c.Tools.Select(t => t.Name).Distinct().Count());
        }
    }

    [Fact]
    public void EvalSetIsDeterministicHeldOutAndGradable()
    {
        var rows = EvalSetBuilder.Build(EvalSetBuilder.DefaultSeed, toolCallRows: 30, toolAnswerRows: 10, rowsPerConstraint: 5);
        var again = EvalSetBuilder.Build(EvalSetBuilder.DefaultSeed, toolCallRows: 30, toolAnswerRows: 10, rowsPerConstraint: 5);
        Assert.Equal(rows.Select(r => r.ToJsonString()), again.Select(r => r.ToJsonString()));
        Assert.Equal(30 + 10 + (5 * 8), rows.Count);

        // Held-out wordings: no evaluation user message appears verbatim among many training conversations.
        var train = new ConversationGenerator(1234);
        var trainUsers = Enumerable.Range(0, 3000).Select(i => train.Generate(i).Messages[1].Content).ToHashSet(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            string user = row["messages"]!.AsArray()[1]!["content"]!.GetValue<string>();
            Assert.DoesNotContain(user, trainUsers);
            Assert.EndsWith("<|im_start|>assistant\n", row["prompt"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        // The reference answer of every row passes the row's own checks.
        foreach (var row in rows)
        {
            string reference = row["reference_answer"]!.GetValue<string>();
            string reply = row["kind"]!.GetValue<string>() == "tool_call" ? "<tool_call>\n" + reference + "\n</tool_call>" : reference;
            Assert.True(HeldOutGrader.GradeRaw(HeldOutRow.Parse(row), reply).Correct, $"{row["id"]}: reference fails its own check: {reply}");
        }

        var constraintTypes = rows.Where(r => r["kind"]!.GetValue<string>() == "constraint").Select(r => r["constraints"]![0]!["type"]!.GetValue<string>()).Distinct().Count();
        Assert.Equal(8, constraintTypes);
    }

    [Fact]
    public void CheckerRejectsViolations()
    {
        Assert.False(ConstraintChecker.IsSatisfied(new Constraint(ConstraintKind.Lowercase), "Hello there"));
        Assert.False(ConstraintChecker.IsSatisfied(new Constraint(ConstraintKind.NoCommas), "a, b"));
        Assert.False(ConstraintChecker.IsSatisfied(new Constraint(ConstraintKind.EndWith, Text: "Bye."), "Bye. Then more."));
        Assert.False(ConstraintChecker.IsSatisfied(new Constraint(ConstraintKind.Bullets, Count: 3), "- a\n- b"));
        Assert.True(ConstraintChecker.IsSatisfied(new Constraint(ConstraintKind.Bullets, Count: 2), "- a\n- b"));
        Assert.False(ConstraintChecker.IsSatisfied(new Constraint(ConstraintKind.Json, Keys: ["a", "b"]), "{\"a\": 1}"));
        Assert.True(ConstraintChecker.IsSatisfied(new Constraint(ConstraintKind.Json, Keys: ["a", "b"]), "{\"a\": 1, \"b\": 2}"));
        Assert.False(ConstraintChecker.IsSatisfied(new Constraint(ConstraintKind.WordLimit, Count: 3), "one two three four"));
        Assert.False(ConstraintChecker.IsSatisfied(new Constraint(ConstraintKind.Include, Text: "river"), "the riverbank"));
        Assert.False(ConstraintChecker.IsSatisfied(new Constraint(ConstraintKind.Avoid, Text: "river"), "The River flows."));
    }

    [Fact]
    public void NovelShareZeroKeepsTheOriginalStreamAndNovelDataNamesToolsAndValuesOnlyTheContextHolds()
    {
        var plain = new ConversationGenerator(31);
        var zero = new ConversationGenerator(31, DataSplit.Train, 0);
        var novel = new ConversationGenerator(31, DataSplit.Train, 1.0);
        var baseline = Enumerable.Range(0, 300).Select(i => plain.Generate(i)).ToList();
        Assert.Equal(baseline.Select(c => ChatMlRenderer.Render(c.Messages, c.Tools).Text), Enumerable.Range(0, 300).Select(i => ChatMlRenderer.Render(zero.Generate(i).Messages, zero.Generate(i).Tools).Text));

        var usual = baseline.SelectMany(c => c.Tools).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        int toolUses = 0, unseenNames = 0;
        for (int i = 0; i < 300; i++)
        {
            var c = novel.Generate(i);
            var call = c.Messages.Select(m => m.ToolCall).FirstOrDefault(t => t is not null);
            if (call is null)
            {
                continue;
            }

            toolUses++;
            unseenNames += usual.Contains(call.Name) ? 0 : 1;
            Assert.Contains(call.Name, c.Tools.Select(t => t.Name));
            string user = c.Messages.First(m => m.Role == "user").Content;
            foreach (var (_, value) in call.Arguments.AsObject())
            {
                if (value!.GetValueKind() == System.Text.Json.JsonValueKind.String)
                {
                    Assert.Contains(value.GetValue<string>(), user, StringComparison.Ordinal);
                }
            }
        }

        Assert.True(toolUses > 100, $"tool-use conversations: {toolUses}");
        Assert.True(unseenNames > toolUses * 0.8, $"made-up names: {unseenNames} of {toolUses}");
    }

    [Fact]
    public void DrillSharesSetTheMixtureAndRandomCopyZeroKeepsTheDrillStream()
    {
        static bool IsDrill(GeneratedConversation c) => c.Tools.Count == 0 && c.Messages[0].Content is "You are a careful assistant." or "Answer with a JSON object."
            || c.Messages[0].Content.StartsWith("Reference table:", StringComparison.Ordinal) || c.Messages[0].Content.StartsWith("Functions:", StringComparison.Ordinal);
        string Text(GeneratedConversation c) => ChatMlRenderer.Render(c.Messages, c.Tools).Text;

        // --drills sets the share of drills (default a quarter of --novel).
        var byDefault = new ConversationGenerator(7, DataSplit.Train, 0.7);
        var half = new ConversationGenerator(7, DataSplit.Train, 0.7, 0.5);
        double defaultShare = Enumerable.Range(0, 600).Count(i => IsDrill(byDefault.Generate(i))) / 600.0;
        double halfShare = Enumerable.Range(0, 600).Count(i => IsDrill(half.Generate(i))) / 600.0;
        Assert.InRange(defaultShare, 0.12, 0.24);
        Assert.InRange(halfShare, 0.43, 0.57);

        // --random-copy 0 is the stream the shipped copy stage trained on, bit for bit.
        var zero = new ConversationGenerator(7, DataSplit.Train, 0.7, 0.5, 0);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => Text(half.Generate(i))), Enumerable.Range(0, 200).Select(i => Text(zero.Generate(i))));

        // With it, drills echo random letter strings that appear in the request and, verbatim, in the answer.
        var random = new ConversationGenerator(7, DataSplit.Train, 0.7, 1.0, 1.0);
        var words = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < 200; i++)
        {
            var c = random.Generate(i);
            Assert.Equal(3, c.Messages.Count);
            string answer = c.Messages[2].Content;
            string copied = answer.StartsWith('{') ? JsonNode.Parse(answer)!.AsObject().Single().Value!.GetValue<string>() : answer.TrimEnd('(', ')');
            Assert.Contains(copied, c.Messages[1].Content, StringComparison.Ordinal);
            foreach (string word in copied.Split(' ', '_', '-'))
            {
                words.Add(word);
            }
        }

        Assert.True(words.Count > 300, $"distinct random words: {words.Count}");
    }
}
