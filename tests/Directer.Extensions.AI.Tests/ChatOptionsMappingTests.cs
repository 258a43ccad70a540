using System.Text.Json;
using Directer.Core.Templates;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using FunctionCallContent = Microsoft.Extensions.AI.FunctionCallContent;
using FunctionResultContent = Microsoft.Extensions.AI.FunctionResultContent;
using AIChatRole = Microsoft.Extensions.AI.ChatRole;
using Directer.Core.Chat;
using Directer.Core.Requests;

namespace Directer.Extensions.AI.Tests;

/// <summary>Chat options and replies end to end, on checkpoints that write a known reply (<see cref="ScriptedCheckpoint"/>).</summary>
public sealed class ChatOptionsMappingTests
{
    private const string Call = "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {\"zone\": \"UTC\"}}\n</tool_call>";
    private const string SecondCall = "\n<tool_call>\n{\"name\": \"get_date\", \"arguments\": {}}\n</tool_call>";

    private static readonly AITool[] Tools =
    [
        AIFunctionFactory.Create((string zone) => "12:00", "get_time", "Current time in a zone."),
        AIFunctionFactory.Create(() => "today", "get_date", "Today's date."),
    ];

    private static List<ChatMessage> Ask(string text = "what time is it?") => [new(AIChatRole.User, text)];

    [Fact]
    public async Task AToolCallBecomesFunctionCallContentWithItsArguments()
    {
        using var scripted = new ScriptedClient([Call]);
        var response = await scripted.Client.GetResponseAsync(Ask(), new ChatOptions { Tools = Tools });
        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("get_time", call.Name);
        Assert.Equal("UTC", ((JsonElement)call.Arguments!["zone"]!).GetString());
        Assert.Equal(9, call.CallId.Length);
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Empty(response.Text);

        // Streaming: the last update carries the call and the usage.
        var updates = await scripted.Client.GetStreamingResponseAsync(Ask(), new ChatOptions { Tools = Tools }).ToListAsync();
        var last = updates[^1];
        Assert.Single(last.Contents.OfType<FunctionCallContent>());
        var usage = Assert.Single(last.Contents.OfType<UsageContent>()).Details;
        Assert.Equal(response.Usage!.InputTokenCount, usage.InputTokenCount);
        Assert.Equal(2, usage.OutputTokenCount); // the call piece, then <|im_end|>
        Assert.Equal(ChatFinishReason.ToolCalls, last.FinishReason);
    }

    [Fact]
    public async Task MalformedToolOutputIsReturnedAsTextAndLoggedAsAWarning()
    {
        using var scripted = new ScriptedClient(["<tool_call>", "{\"name\": oops", "</tool_call>"]);
        var response = await scripted.Client.GetResponseAsync(Ask(), new ChatOptions { Tools = Tools });
        Assert.Equal("<tool_call>{\"name\": oops</tool_call>", response.Text);
        Assert.Empty(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        var warning = Assert.Single(scripted.ClientLogs(LogLevel.Warning));
        Assert.Equal(3, warning.EventId.Id);
        Assert.Contains("malformed tool call", warning.Message);
        Assert.Contains("returned as text", warning.Message);
        Assert.Contains("{\"name\": oops", warning.Message);
    }

    [Fact]
    public async Task RequestsAreLoggedWithTokenCountsAndTheSteeringSummary()
    {
        using var scripted = new ScriptedClient(["Hello", " there"]);
        List<ChatMessage> messages = [new(AIChatRole.System, "Be brief."), new(AIChatRole.User, "hi")];
        var response = await scripted.Client.GetResponseAsync(messages, new ChatOptions { AdditionalProperties = new() { ["beta"] = 1e-9 } });
        Assert.Equal("Hello there", response.Text);
        var started = Assert.Single(scripted.ClientLogs(LogLevel.Debug), e => e.EventId.Id == 1);
        Assert.Contains("2 messages, 0 tools, steering directer", started.Message);
        var finished = Assert.Single(scripted.ClientLogs(LogLevel.Information), e => e.EventId.Id == 2);
        Assert.Contains($"{response.Usage!.InputTokenCount} prompt (0 from the kept KV cache) + 3 completion tokens", finished.Message);
        Assert.Contains("steering directer:", finished.Message);
        Assert.Contains("(stop)", finished.Message);
        Assert.Contains("requests decoded together: up to 1,", finished.Message);
        Assert.Contains("steered passes shared by up to 0 requests,", finished.Message);
        Assert.Empty(scripted.ClientLogs(LogLevel.Warning));
        Assert.Equal(0, response.Usage.CachedInputTokenCount);

        // The next turn of the same conversation starts from the kept cache: the usage and the log say how much.
        List<ChatMessage> next = [.. messages, .. response.Messages, new(AIChatRole.User, "and?")];
        var second = await scripted.Client.GetResponseAsync(next, new ChatOptions { AdditionalProperties = new() { ["beta"] = 1e-9 } });
        long cached = second.Usage!.CachedInputTokenCount ?? 0;
        Assert.InRange(cached, response.Usage.InputTokenCount!.Value, second.Usage.InputTokenCount!.Value - 1);
        var again = scripted.ClientLogs(LogLevel.Information).Where(e => e.EventId.Id == 2).Last();
        Assert.Contains($"{second.Usage.InputTokenCount} prompt ({cached} from the kept KV cache)", again.Message);
    }

    [Fact]
    public async Task StopSequencesMaxOutputTokensAndNoneToolModeAreHonoured()
    {
        using var scripted = new ScriptedClient(["Hello", " there", " friend", Call]);
        Assert.Equal("Hello there friend" + Call, (await scripted.Client.GetResponseAsync(Ask())).Text);
        Assert.Equal("Hello", (await scripted.Client.GetResponseAsync(Ask(), new ChatOptions { StopSequences = [" there"] })).Text);
        var cut = await scripted.Client.GetResponseAsync(Ask(), new ChatOptions { MaxOutputTokens = 2 });
        Assert.Equal("Hello there", cut.Text);
        Assert.Equal(ChatFinishReason.Length, cut.FinishReason);
        Assert.Equal(2, cut.Usage!.OutputTokenCount);

        // Tools switched off: nothing is rendered and tool-call-like text stays text.
        var none = await scripted.Client.GetResponseAsync(Ask(), new ChatOptions { Tools = Tools, ToolMode = ChatToolMode.None });
        Assert.EndsWith(Call, none.Text);
        Assert.Empty(none.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        var offered = await scripted.Client.GetResponseAsync(Ask(), new ChatOptions { Tools = Tools });
        Assert.True(offered.Usage!.InputTokenCount > none.Usage!.InputTokenCount, "the tools were not rendered into the prompt");
    }

    [Fact]
    public async Task OnlyTheFirstToolCallIsKeptWhenMultipleCallsAreNotAllowed()
    {
        using var scripted = new ScriptedClient([Call, SecondCall]);
        var both = await scripted.Client.GetResponseAsync(Ask(), new ChatOptions { Tools = Tools });
        Assert.Equal(["get_time", "get_date"], both.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Select(c => c.Name));
        var one = await scripted.Client.GetResponseAsync(Ask(), new ChatOptions { Tools = Tools, AllowMultipleToolCalls = false });
        Assert.Equal(["get_time"], one.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Select(c => c.Name));
    }

    [Fact]
    public async Task JsonIsAskedForInAnEmphasisedSystemInstructionAndAReplyThatIsNotJsonIsLogged()
    {
        using (var json = new ScriptedClient(["{\"answer\": 42}"]))
        {
            var reply = await json.Client.GetResponseAsync(Ask(), new ChatOptions { ResponseFormat = ChatResponseFormat.Json });
            Assert.Equal(42, JsonDocument.Parse(reply.Text).RootElement.GetProperty("answer").GetInt32());
            Assert.Empty(json.ClientLogs(LogLevel.Warning));
        }

        using var prose = new ScriptedClient(["forty-two"]);
        await prose.Client.GetResponseAsync(Ask(), new ChatOptions { ResponseFormat = ChatResponseFormat.Json });
        var warning = Assert.Single(prose.ClientLogs(LogLevel.Warning));
        Assert.Equal(5, warning.EventId.Id);
        Assert.Contains("not valid JSON", warning.Message);
    }

    [Fact]
    public async Task ARequiredToolThatIsNotCalledIsLogged()
    {
        using var scripted = new ScriptedClient(["no tools for me"]);
        await scripted.Client.GetResponseAsync(Ask(), new ChatOptions { Tools = Tools, ToolMode = ChatToolMode.RequireSpecific("get_time") });
        Assert.Equal(6, Assert.Single(scripted.ClientLogs(LogLevel.Warning)).EventId.Id);
    }

    [Fact]
    public void InstructionsAndFormatHintsGoIntoTheSystemTurnAndAreEmphasised()
    {
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"pairs":{"type":"array","items":{"type":"array","items":[{"type":"string"}]}}}}""").RootElement;
        var options = new ChatOptions
        {
            Instructions = "Answer in French.",
            ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "pairs"),
            Tools = Tools,
            ToolMode = ChatToolMode.RequireAny,
        };
        var plan = DirecterRequestMapper.Map([new(AIChatRole.System, "Be brief."), new(AIChatRole.User, "hi")], options, new RequestOptions());
        var system = Assert.Single(plan.Request.Turns, t => t.Role == Directer.Core.Chat.ChatRole.System).Content;
        Assert.StartsWith("Answer in French.\n\nBe brief.\n\n" + DirecterRequestMapper.ToolRequiredInstruction + "\n\n" + DirecterRequestMapper.JsonInstruction, system);
        Assert.Contains("JSON schema 'pairs'", system);
        Assert.DoesNotContain("[[", system); // kept clear of the inline emphasis markers
        Assert.True(plan.JsonRequested);
        Assert.True(plan.ToolRequired);
        // The whole system turn, hints included, is emphasised (by default: where the template renders it).
        Assert.True(plan.Request.Emphasis!.SystemMessageIfRendered);
        Assert.False(plan.Request.Emphasis.SystemMessage);
        Assert.Empty(plan.Request.Emphasis.Texts);

        // Asked for explicitly, it is the strict form.
        options.AdditionalProperties = new() { [DirecterSettingKeys.EmphasizeSystemMessage] = true };
        var strict = DirecterRequestMapper.Map([new(AIChatRole.System, "Be brief."), new(AIChatRole.User, "hi")], options, new RequestOptions());
        Assert.True(strict.Request.Emphasis!.SystemMessage);
        Assert.False(strict.Request.Emphasis.SystemMessageIfRendered);

        // Without system emphasis the hints alone are emphasised; with no system message one is made for them.
        options.AdditionalProperties = new() { [DirecterSettingKeys.EmphasizeSystemMessage] = false };
        options.Instructions = null;
        plan = DirecterRequestMapper.Map([new(AIChatRole.User, "hi")], options, new RequestOptions());
        Assert.Equal(Directer.Core.Chat.ChatRole.System, plan.Request.Turns[0].Role);
        Assert.False(plan.Request.Emphasis!.SystemMessage);
        Assert.False(plan.Request.Emphasis.SystemMessageIfRendered);
        Assert.Equal(2, plan.Request.Emphasis.Texts.Count);
        Assert.All(plan.Request.Emphasis.Texts, t => Assert.Contains(t, plan.Request.Turns[0].Content));
    }

    [Fact]
    public void SamplingOptionsAndToolResultsMapToTheEngineRequest()
    {
        var call = new FunctionCallContent("abc123XYZ", "get_time", new Dictionary<string, object?> { ["zone"] = "UTC" });
        List<ChatMessage> messages =
        [
            new(AIChatRole.User, "time?"),
            new(AIChatRole.Assistant, [call]),
            new(AIChatRole.Tool, [new FunctionResultContent("abc123XYZ", "12:00")]),
        ];
        var plan = DirecterRequestMapper.Map(messages, new ChatOptions { Temperature = 0.5f, TopP = 0.9f, TopK = 7, Seed = 11, MaxOutputTokens = 9, StopSequences = ["END"], FrequencyPenalty = 0.2f, PresencePenalty = -0.5f }, new RequestOptions());
        var request = plan.Request;
        Assert.Equal((0.5f, 0.9f, 7, 11L, 9), (request.Temperature, request.TopP, request.TopK, request.Seed, request.MaxNewTokens));
        Assert.Equal(["END"], request.StopStrings);
        Assert.Equal((0.2f, -0.5f), (request.FrequencyPenalty, request.PresencePenalty)); // penalties are settings now
        Assert.Empty(plan.Ignored);
        var tool = request.Turns[2];
        Assert.Equal(Directer.Core.Chat.ChatRole.Tool, tool.Role);
        Assert.Equal(("12:00", "abc123XYZ", "get_time"), (tool.Content, tool.ToolCallId, tool.ToolName));
        Assert.Equal(new ToolCall("get_time", "{\"zone\":\"UTC\"}", "abc123XYZ"), request.Turns[1].ToolCalls.Single());
    }

    [Fact]
    public void ConstrainToolCallsReachesTheEngineRequestAndARequestSettingOverridesTheDefault()
    {
        var off = new RequestOptions();
        var on = new RequestOptions { ConstrainToolCalls = true };
        static ChatOptions With(object? value) => new()
        {
            Tools = Tools,
            AdditionalProperties = value is null ? null : new() { [DirecterSettingKeys.ConstrainToolCalls] = value },
        };

        var plan = DirecterRequestMapper.Map(Ask(), With(null), off);
        Assert.False(plan.Request.ConstrainToolCalls);
        Assert.Equal(["get_time", "get_date"], plan.Request.Tools.Select(t => t.Name)); // the tools it would constrain to
        Assert.True(DirecterRequestMapper.Map(Ask(), With(null), on).Request.ConstrainToolCalls);
        Assert.True(DirecterRequestMapper.Map(Ask(), With(true), off).Request.ConstrainToolCalls);
        Assert.True(DirecterRequestMapper.Map(Ask(), With("true"), off).Request.ConstrainToolCalls);
        Assert.False(DirecterRequestMapper.Map(Ask(), With(false), on).Request.ConstrainToolCalls);
        Assert.False(DirecterRequestMapper.Map(Ask(), With(JsonDocument.Parse("false").RootElement), on).Request.ConstrainToolCalls);
        Assert.Contains("'constrain_tool_calls' must be true or false", Assert.Throws<ArgumentException>(() => DirecterRequestMapper.Map(Ask(), With("yes"), off)).Message);
    }

    [Fact]
    public async Task TheRequestStartedLogSaysWhetherToolCallsAreConstrained()
    {
        using var scripted = new ScriptedClient(["Hello"], o => o.Defaults = new RequestOptions { ConstrainToolCalls = true });
        var constrained = await scripted.Client.GetResponseAsync(Ask(), new ChatOptions { Tools = Tools });
        Assert.Equal("Hello", constrained.Text); // text outside tool calls is not constrained
        await scripted.Client.GetResponseAsync(Ask(), new ChatOptions { Tools = Tools, AdditionalProperties = new() { ["constrain_tool_calls"] = false } });
        await scripted.Client.GetResponseAsync(Ask()); // no tools: nothing to constrain
        var started = scripted.ClientLogs(LogLevel.Debug).Where(e => e.EventId.Id == 1).Select(e => e.Message).ToList();
        Assert.Equal(3, started.Count);
        Assert.EndsWith("tool calls constrained True", started[0]);
        Assert.EndsWith("tool calls constrained False", started[1]);
        Assert.EndsWith("tool calls constrained False", started[2]);
    }
}
