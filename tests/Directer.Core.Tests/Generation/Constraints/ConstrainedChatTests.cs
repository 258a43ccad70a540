using System.Text.Json;
using Directer.Core.Chat;
using Directer.Core.Generation.Constraints;
using Directer.Core.Runtime;
using Directer.Core.Steering;
using Directer.Core.Emphasis;
using Directer.Core.Templates;
using Directer.Testing;

namespace Directer.Core.Tests.Generation.Constraints;

/// <summary><see cref="ChatRequest.ConstrainToolCalls"/> end to end.</summary>
public sealed class ConstrainedChatTests
{
    private static readonly ToolDefinition Multiply = ConstraintFixtures.Multiply;

    private static readonly ToolDefinition GetStock = ConstraintFixtures.GetStock;

    private static readonly Lazy<ChatModel> Demo = new(() =>
    {
        TorchRuntime.EnsureInitialized();
        return ChatModel.Load(ConstraintFixtures.DemoFolder, new ChatModelOptions { ChatTemplate = "qwen2.5", Model = new() { MaxSequenceLength = 1024 } });
    });

    public ConstrainedChatTests() => TorchRuntime.EnsureInitialized();

    private static ChatRequest Ask(string question, SteeringSettings? steering = null) => new()
    {
        Turns = [new ChatTurn(ChatRole.System, "You are a helpful assistant."), new ChatTurn(ChatRole.User, question)],
        Tools = [Multiply, GetStock],
        ConstrainToolCalls = true,
        MaxNewTokens = 96,
        Emphasis = steering is null ? null : new EmphasisRequest { SystemMessage = true },
        Steering = steering,
    };

    public static TheoryData<string, bool> Questions() => new()
    {
        { "What is 12 times 37?", false },
        { "What is 12 times 37?", true },
        { "Check the stock of product blue mug.", false },
    };

    [Theory]
    [MemberData(nameof(Questions))]
    public async Task TheDemoModelsConstrainedCallsNameListedToolsWithDeclaredArguments(string question, bool steered)
    {
        var chat = Demo.Value;
        var steering = steered ? new SteeringSettings { Method = SteeringMethod.Directer, Beta = 0.3 } : null;
        var result = await chat.CompleteAsync(Ask(question, steering));
        string raw = result.RawText;
        Assert.Empty(result.MalformedToolCalls);
        Assert.NotEmpty(result.ToolCalls);
        Assert.True(result.Generation.ConstrainedSteps > 0, $"no step was inside a call: {raw}");
        var declared = new Dictionary<string, (string[] Keys, string[] Required, JsonValueKind Kind)>
        {
            ["multiply"] = (["a", "b"], ["a", "b"], JsonValueKind.Number),
            ["get_stock"] = (["product"], ["product"], JsonValueKind.String),
        };
        foreach (var call in result.ToolCalls)
        {
            Assert.True(declared.ContainsKey(call.Name), $"unlisted tool '{call.Name}' in {raw}");
            var (keys, required, kind) = declared[call.Name];
            using var arguments = JsonDocument.Parse(call.ArgumentsJson);
            Assert.Equal(JsonValueKind.Object, arguments.RootElement.ValueKind);
            var given = arguments.RootElement.EnumerateObject().ToList();
            Assert.All(given, p => Assert.Contains(p.Name, keys));
            Assert.Equal(given.Count, given.Select(p => p.Name).Distinct().Count());
            Assert.All(required, r => Assert.Contains(r, given.Select(p => p.Name)));
            Assert.All(given, p => Assert.Equal(kind, p.Value.ValueKind));
        }

        // Every generated token keeps the reply inside the grammar (replayed through a fresh constraint, which throws otherwise).
        var replay = ToolCallConstraint.Create(chat.Template, chat.Tokenizer, [Multiply, GetStock]);
        replay.Begin();
        foreach (int id in result.Generation.Ids)
        {
            replay.Accept(id);
        }

        Assert.False(replay.InsideCall);
    }

    [Fact]
    public async Task WithoutToolsTheFlagChangesNothing()
    {
        var chat = Demo.Value;
        var request = Ask("Say hello.") with { Tools = [], MaxNewTokens = 12 };
        var constrained = await chat.CompleteAsync(request);
        var plain = await chat.CompleteAsync(request with { ConstrainToolCalls = false });
        Assert.Equal(plain.RawText, constrained.RawText);
        Assert.Equal(0, constrained.Generation.ConstrainedSteps);
    }

    [Fact]
    public async Task ATemplateWithoutAToolCallFormatRefusesToConstrainAndSaysWhich()
    {
        string directory = Directory.CreateTempSubdirectory("directer-constrained-chat-").FullName;
        try
        {
            var spec = TinyCheckpoints.Qwen2BiasTiedBf16 with { Name = "chat", VocabSize = 288, DType = "F32", EosTokenIds = [270], MaxPositionEmbeddings = 1536 };
            TinyCheckpoints.Write(spec, directory);
            TinyTokenizer.Write(directory);
            using var chat = ChatModel.Load(directory, new ChatModelOptions { ChatTemplate = "chatml", Model = new() { MaxSequenceLength = 1536 } });
            var request = new ChatRequest
            {
                Turns = [new ChatTurn(ChatRole.System, "Be brief."), new ChatTurn(ChatRole.User, "hello world")],
                Tools = [],
                ConstrainToolCalls = true,
                MaxNewTokens = 4,
            };

            // Without tools the flag is ignored, whatever the template.
            Assert.Equal(0, (await chat.CompleteAsync(request)).Generation.ConstrainedSteps);
            var direct = Assert.Throws<NotSupportedException>(() => ToolCallConstraint.Create(chat.Template, chat.Tokenizer, [Multiply]));
            Assert.Contains("'chatml'", direct.Message, StringComparison.Ordinal);
            Assert.Contains("qwen2.5", direct.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
