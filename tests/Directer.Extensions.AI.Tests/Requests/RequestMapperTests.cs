using System.Text.Json;
using Directer.Core.Chat;
using Directer.Core.Requests;
using Directer.Core.Steering;
using Microsoft.Extensions.AI;
using AIChatRole = Microsoft.Extensions.AI.ChatRole;
using TurnRole = Directer.Core.Chat.ChatRole;

namespace Directer.Extensions.AI.Tests.Requests;

/// <summary>
/// <see cref="DirecterRequestMapper"/> without a model: messages of every role become the turns the template renders,
/// tool results of every type their text, the connector's own instructions land in the system message (and are
/// emphasised when the system message is not), and the tool mode and response format reach the request.
/// </summary>
public sealed class RequestMapperTests
{
    private static readonly AITool[] Tools =
    [
        AIFunctionFactory.Create((string zone) => "12:00", "get_time", "Current time in a zone."),
        AIFunctionFactory.Create(() => "today", "get_date", "Today's date."),
    ];

    private static DirecterRequestPlan Map(IEnumerable<ChatMessage> messages, ChatOptions? options = null) =>
        DirecterRequestMapper.Map(messages, options, new RequestOptions());

    [Fact]
    public void EveryRoleBecomesItsTurnWithItsTextPartsJoined()
    {
        var plan = Map(
        [
            new(AIChatRole.System, [new TextContent("Be "), new TextContent("brief.")]),
            new(AIChatRole.User, "hi"),
            new(AIChatRole.Assistant, "hello"),
        ]);
        Assert.Equal([(TurnRole.System, "Be brief."), (TurnRole.User, "hi"), (TurnRole.Assistant, "hello")], plan.Request.Turns.Select(t => (t.Role, t.Content)));
        Assert.Equal(3, plan.MessageCount);
        Assert.Null(plan.Request.Turns[2].Reasoning);
        Assert.Empty(plan.Request.Turns[2].ToolCalls);
        Assert.False(plan.JsonRequested);
        Assert.False(plan.ToolRequired);
    }

    [Fact]
    public void AnUnsupportedRoleIsAnArgumentError()
    {
        var error = Assert.Throws<ArgumentException>(() => Map([new(new AIChatRole("critic"), "no")]));
        Assert.Equal("message", error.ParamName);
        Assert.StartsWith("Chat role 'critic' is not supported: use system, user, assistant or tool.", error.Message);
        Assert.Equal("messages", Assert.Throws<ArgumentNullException>(() => DirecterRequestMapper.Map(null!, null, new RequestOptions())).ParamName);
        Assert.Equal("defaults", Assert.Throws<ArgumentNullException>(() => DirecterRequestMapper.Map([], null, null!)).ParamName);
        Assert.Equal("defaults", Assert.Throws<ArgumentNullException>(() => ChatOptionsReader.Read(null, null!)).ParamName);
    }

    [Fact]
    public void ToolCallsReasoningAndResultsKeepTheirIdsNamesAndText()
    {
        var assistant = new ChatMessage(AIChatRole.Assistant,
        [
            new TextReasoningContent("first "), new TextReasoningContent("thought"),
            new FunctionCallContent("c1", "get_time", new Dictionary<string, object?> { ["zone"] = "UTC" }),
            new FunctionCallContent("c2", "get_date"),
        ]);
        var results = new ChatMessage(AIChatRole.Tool,
        [
            new FunctionResultContent("c1", "12:00"),
            new FunctionResultContent("c2", null),
            new FunctionResultContent("c3", JsonDocument.Parse("\"quoted\"").RootElement),
            new FunctionResultContent("c1", JsonDocument.Parse("{\"a\": [1]}").RootElement),
            new FunctionResultContent("c2", new Dictionary<string, int> { ["n"] = 2 }),
        ]);
        var turns = Map([new(AIChatRole.User, "time?"), assistant, results]).Request.Turns;

        var call = turns[1];
        Assert.Equal("first thought", call.Reasoning);
        Assert.Equal([new ToolCall("get_time", "{\"zone\":\"UTC\"}", "c1"), new ToolCall("get_date", "{}", "c2")], call.ToolCalls);

        Assert.Equal(
            [("12:00", "c1", "get_time"), ("", "c2", "get_date"), ("quoted", "c3", null), ("{\"a\": [1]}", "c1", "get_time"), ("{\"n\":2}", "c2", "get_date")],
            turns.Skip(2).Select(t => (t.Content, t.ToolCallId, t.ToolName)));
        Assert.All(turns.Skip(2), t => Assert.Equal(TurnRole.Tool, t.Role));
    }

    [Fact]
    public void InstructionsGoFirstAndTheConnectorsHintsLastInTheSystemMessage()
    {
        var options = new ChatOptions { Instructions = "Answer in French.", ResponseFormat = ChatResponseFormat.Json };
        var withSystem = Map([new(AIChatRole.System, "Be brief."), new(AIChatRole.User, "hi")], options).Request.Turns;
        Assert.Equal($"Answer in French.\n\nBe brief.\n\n{DirecterRequestMapper.JsonInstruction}", withSystem[0].Content);
        Assert.Equal(2, withSystem.Count);

        // No system message: one is added in front; an empty one adds no blank part.
        var added = Map([new(AIChatRole.User, "hi")], options).Request.Turns;
        Assert.Equal([TurnRole.System, TurnRole.User], added.Select(t => t.Role));
        Assert.Equal($"Answer in French.\n\n{DirecterRequestMapper.JsonInstruction}", added[0].Content);
        var empty = Map([new(AIChatRole.System, ""), new(AIChatRole.User, "hi")], options).Request.Turns;
        Assert.Equal(added[0].Content, empty[0].Content);

        // Blank instructions are none; no instructions and no hints leave the turns as they are.
        var plain = Map([new(AIChatRole.User, "hi")], new ChatOptions { Instructions = " " }).Request.Turns;
        Assert.Equal(TurnRole.User, Assert.Single(plain).Role);
    }

    [Fact]
    public void ARequiredToolIsAskedForAndPassedOnOnlyWhenThereAreTools()
    {
        var any = Map([new(AIChatRole.User, "time?")], new ChatOptions { Tools = Tools, ToolMode = ChatToolMode.RequireAny });
        Assert.True(any.ToolRequired);
        Assert.True(any.Request.RequireToolCall);
        Assert.Null(any.Request.RequiredToolName);
        Assert.Equal(DirecterRequestMapper.ToolRequiredInstruction, any.Request.Turns[0].Content);
        Assert.Equal(["get_time", "get_date"], any.Request.Tools.Select(t => t.Name));
        Assert.Equal("Current time in a zone.", any.Request.Tools[0].Description);
        Assert.Equal(((AIFunctionDeclaration)Tools[0]).JsonSchema.GetRawText(), any.Request.Tools[0].ParametersJsonSchema);

        var named = Map([new(AIChatRole.User, "time?")], new ChatOptions { Tools = Tools, ToolMode = ChatToolMode.RequireSpecific("get_date") });
        Assert.Equal("get_date", named.Request.RequiredToolName);
        Assert.Equal("You must answer by calling the tool 'get_date'.", named.Request.Turns[0].Content);

        // Required without tools asks for nothing; ToolMode None hides the tools.
        var noTools = Map([new(AIChatRole.User, "time?")], new ChatOptions { ToolMode = ChatToolMode.RequireSpecific("get_date") });
        Assert.False(noTools.ToolRequired);
        Assert.False(noTools.Request.RequireToolCall);
        Assert.Null(noTools.Request.RequiredToolName);
        Assert.Equal(TurnRole.User, Assert.Single(noTools.Request.Turns).Role);
        var none = Map([new(AIChatRole.User, "time?")], new ChatOptions { Tools = Tools, ToolMode = ChatToolMode.None });
        Assert.Empty(none.Request.Tools);
        var auto = Map([new(AIChatRole.User, "time?")], new ChatOptions { Tools = Tools, AllowMultipleToolCalls = false });
        Assert.Equal(2, auto.Request.Tools.Count);
        Assert.False(auto.ToolRequired);
        Assert.False(auto.AllowMultipleToolCalls);
        Assert.Null(none.AllowMultipleToolCalls);
    }

    [Theory]
    [InlineData(null, true)]   // the system message as a whole is emphasised where rendered: the hints with it
    [InlineData(true, true)]
    [InlineData(false, false)] // not emphasised: the hints are emphasised on their own
    public void TheHintsAreEmphasisedOnTheirOwnOnlyWhenTheSystemMessageIsNot(bool? emphasizeSystem, bool wholeSystem)
    {
        var properties = new AdditionalPropertiesDictionary { ["emphasis"] = "hi" };
        if (emphasizeSystem is bool b)
        {
            properties["emphasize_system_message"] = b;
        }

        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.Json, AdditionalProperties = properties };
        var emphasis = Map([new(AIChatRole.System, "Be brief."), new(AIChatRole.User, "hi")], options).Request.Emphasis!;
        Assert.Equal(wholeSystem ? ["hi"] : ["hi", DirecterRequestMapper.JsonInstruction], emphasis.Texts);
        Assert.Equal(wholeSystem, emphasis.SystemMessage || emphasis.SystemMessageIfRendered);

        // Without steering nothing is emphasised for it.
        properties["steering"] = "none";
        Assert.Equal(["hi"], Map([new(AIChatRole.System, "Be brief."), new(AIChatRole.User, "hi")], options).Request.Emphasis!.Texts);
    }

    [Fact]
    public void TheJsonHintNamesTheSchemaAndKeepsItsBracketsFromBeingMarkers()
    {
        Assert.Equal(DirecterRequestMapper.JsonInstruction, DirecterRequestMapper.JsonHint(RequestResponseFormat.Json));
        var schema = JsonDocument.Parse("{\"type\":\"array\",\"items\":[[1]]}").RootElement;
        Assert.Equal(
            $"{DirecterRequestMapper.JsonInstruction} It must conform to this JSON schema 'pairs' (nested lists): {{\"type\":\"array\",\"items\":[ [1] ]}}",
            DirecterRequestMapper.JsonHint(RequestResponseFormat.ForJsonSchema(schema, "pairs", "nested lists")));
        Assert.Equal(
            $"{DirecterRequestMapper.JsonInstruction} It must conform to this JSON schema: {{\"type\":\"array\",\"items\":[ [1] ]}}",
            DirecterRequestMapper.JsonHint(RequestResponseFormat.ForJsonSchema(schema, "", "")));
        Assert.Throws<ArgumentNullException>(() => DirecterRequestMapper.JsonHint(null!));

        var plan = Map([new(AIChatRole.User, "list")], new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "pairs") });
        Assert.True(plan.JsonRequested);
        Assert.StartsWith(DirecterRequestMapper.JsonInstruction + " It must conform to this JSON schema 'pairs': ", plan.Request.Turns[0].Content);
        Assert.False(Map([new(AIChatRole.User, "x")], new ChatOptions { ResponseFormat = ChatResponseFormat.Text }).JsonRequested);
    }

    [Fact]
    public void UnknownPropertiesAreReportedAndParsedSettingsAreTakenAsTheyAre()
    {
        var options = new ChatOptions { AdditionalProperties = new() { ["not_a_setting"] = 1, ["temperature"] = 0.5 } };
        var plan = Map([new(AIChatRole.User, "x")], options);
        Assert.Equal(["not_a_setting"], plan.Ignored);
        Assert.Equal(0.5f, plan.Request.Temperature);

        // Settings already read upstream (Semantic Kernel's adapter) reach the client as the raw representation.
        var parsed = new RequestOptions { Temperature = 0.25f };
        using var client = new ScriptedClientStub();
        var withFactory = new ChatOptions { Temperature = 0.9f, RawRepresentationFactory = _ => parsed };
        Assert.Equal(0.25f, DirecterRequestMapper.Map([new(AIChatRole.User, "x")], withFactory, new RequestOptions(), client).Request.Temperature);
        Assert.Equal(0.9f, DirecterRequestMapper.Map([new(AIChatRole.User, "x")], withFactory, new RequestOptions()).Request.Temperature);
        Assert.Equal("defaults", Assert.Throws<ArgumentNullException>(() => DirecterRequestMapper.Map([new(AIChatRole.User, "x")], withFactory, null!, client)).ParamName);
    }

    private sealed class ScriptedClientStub : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
