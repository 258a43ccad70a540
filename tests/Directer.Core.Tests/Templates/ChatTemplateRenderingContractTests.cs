using Directer.Core.Chat;
using Directer.Core.Templates;

namespace Directer.Core.Tests.Templates;

/// <summary>What a template receives (Hugging Face's message dicts and variables), what the rendered prompt says about
/// its own text (content segments, literal ranges), and the conversations refused before rendering, with their exact
/// messages. Expected texts are worked out by hand from jinja2's semantics (an undefined value prints nothing, Python's
/// booleans print as True/False, transformers' <c>tojson</c> separators).</summary>
public sealed class ChatTemplateRenderingContractTests
{
    private const string Probe =
        "{% for m in messages %}{{ m.role }}|{{ m.content }}|{% for c in m.tool_calls %}{{ c.id }},{{ c.type }},{{ c.function.name }},{{ c.function.arguments | tojson }};{% endfor %}|{{ m.tool_call_id }}|{{ m.name }}\n{% endfor %}" +
        "{{ tools | tojson }}|{{ documents is none }}|{{ add_generation_prompt }}|{{ bos_token }}|{{ eos_token }}|{{ date_string }}|{{ tools_in_user_message }}|{{ enable_thinking }}";

    private static readonly ChatTurn[] ToolConversation =
    [
        new(ChatRole.System, "s"),
        new(ChatRole.User, "u"),
        new(ChatRole.Assistant, "") { ToolCalls = [new ToolCall("f", "{\"a\":1}", "c1"), new ToolCall("g", "{}")] },
        new(ChatRole.Tool, "r") { ToolCallId = "c1", ToolName = "f" },
        new(ChatRole.Tool, "r2"),
    ];

    [Fact]
    public void MessagesAndVariablesReachTheTemplateAsHuggingFacePassesThem()
    {
        var template = ChatTemplates.Detect(Probe, null);
        ToolDefinition[] tools = [new("f", "d", "{\"type\": \"object\"}"), new("g", null, "{}")];
        string text = template.Render(ToolConversation, tools, addGenerationPrompt: true).Text;
        Assert.Equal(
            "system|s|||\n" +
            "user|u|||\n" +
            "assistant||c1,function,f,{\"a\": 1};,function,g,{};||\n" +
            "tool|r||c1|f\n" +
            "tool|r2|||\n" +
            "[{\"type\": \"function\", \"function\": {\"name\": \"f\", \"description\": \"d\", \"parameters\": {\"type\": \"object\"}}}, {\"type\": \"function\", \"function\": {\"name\": \"g\", \"parameters\": {}}}]" +
            "|True|True|||||",
            text);
    }

    [Fact]
    public void WithoutToolsTheToolsVariableIsNoneAndTheOptionsAreTheCallers()
    {
        var options = new ChatTemplateOptions { BosToken = "<s>", EosToken = "</s>", DateString = "1 Jan", ToolsInUserMessage = false, EnableThinking = true };
        var template = ChatTemplates.Detect(Probe, null, options);
        Assert.Equal("user|u|||\nnull|True|False|<s>|</s>|1 Jan|False|True", template.Render([new ChatTurn(ChatRole.User, "u")], [], addGenerationPrompt: false).Text);
        var flipped = ChatTemplates.Detect(Probe, null, options with { ToolsInUserMessage = true, EnableThinking = false });
        Assert.EndsWith("|True|False", flipped.Render([new ChatTurn(ChatRole.User, "u")], [], addGenerationPrompt: false).Text, StringComparison.Ordinal);
    }

    [Fact]
    public void ContentRunsAreSegmentsAndLiteralsUnlessTheTurnAllowsControlTokens()
    {
        var turns = new[] { new ChatTurn(ChatRole.System, "s") { AllowControlTokens = true }, new ChatTurn(ChatRole.User, "u") };
        var prompt = ChatTemplates.ByName("chatml").Render(turns, [], false);
        Assert.Equal("<|im_start|>system\ns<|im_end|>\n<|im_start|>user\nu<|im_end|>\n", prompt.Text);
        Assert.Equal([new ContentSegment(0, 0, 19, 1), new ContentSegment(1, 0, 48, 1)], prompt.ContentSegments);
        Assert.Equal([new CharRange(48, 49)], prompt.LiteralRanges);
        Assert.Equal(1, prompt.LiteralRanges[0].Length);
        Assert.False(prompt.SystemMessageNotRendered); // no emphasis was asked for
    }

    [Fact]
    public void TouchingLiteralRunsMergeAndSeparateOnesDoNot()
    {
        var template = ChatTemplates.Detect("{{ messages[0].content }}{{ messages[1].content }}!{{ messages[2].content }}", null);
        var prompt = template.Render([new ChatTurn(ChatRole.User, "ab"), new ChatTurn(ChatRole.Assistant, "cd"), new ChatTurn(ChatRole.User, "e")], [], false);
        Assert.Equal("abcd!e", prompt.Text);
        Assert.Equal([new ContentSegment(0, 0, 0, 2), new ContentSegment(1, 0, 2, 2), new ContentSegment(2, 0, 5, 1)], prompt.ContentSegments);
        Assert.Equal([new CharRange(0, 4), new CharRange(5, 6)], prompt.LiteralRanges);
    }

    [Fact]
    public void ConversationDataOutsideContentIsLiteralButNoContentSegment()
    {
        var template = ChatTemplates.Detect("{% for m in messages %}[{{ m.content }}]{% for c in m.tool_calls %}<{{ c.function.name }}>{% endfor %}{% endfor %}", null);
        var turns = new[] { new ChatTurn(ChatRole.Assistant, "x") { ToolCalls = [new ToolCall("f", "{}")] } };
        var prompt = template.Render(turns, [], false);
        Assert.Equal("[x]<f>", prompt.Text);
        Assert.Equal([new ContentSegment(0, 0, 1, 1)], prompt.ContentSegments);
        Assert.Equal([new CharRange(1, 2), new CharRange(4, 5)], prompt.LiteralRanges);
    }

    [Fact]
    public void ToolsForATemplateThatNeverReadsThemAreRefusedWithTheirCount()
    {
        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplates.ByName("chatml").Render([new ChatTurn(ChatRole.User, "x")], [new ToolDefinition("f", null, "{}"), new ToolDefinition("g", null, "{}")], true));
        Assert.Equal("The chatml chat template has no tool format: it never reads 'tools', so the 2 tool definition(s) would be silently dropped. Use a tool-capable template (qwen2.5, llama3, mistral) or pass no tools.", error.Message);
    }

    [Fact]
    public void ToolCallsInAnyTurnOfATemplateThatNeverReadsThemAreRefusedNamingTheTurn()
    {
        var turns = new[]
        {
            new ChatTurn(ChatRole.User, "a"), new ChatTurn(ChatRole.Assistant, "b"), new ChatTurn(ChatRole.User, "c"),
            new ChatTurn(ChatRole.Assistant, "") { ToolCalls = [new ToolCall("f", "{}")] },
        };
        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplates.ByName("chatml").Render(turns, [], true));
        Assert.Equal("Turn 3 carries tool calls, but the chatml chat template never reads 'tool_calls': it would silently drop them.", error.Message);
    }

    [Fact]
    public void AToolResultTheTemplateDropsIsRefusedUnlessItIsEmpty()
    {
        var phi3 = ChatTemplates.ByName("phi3");
        var error = Assert.Throws<ChatTemplateException>(() => phi3.Render([new ChatTurn(ChatRole.User, "x"), new ChatTurn(ChatRole.Assistant, "y"), new ChatTurn(ChatRole.Tool, "r")], [], true));
        Assert.Equal("Turn 2 is a tool result, but the phi3 chat template renders no tool turns: it would silently drop it. Use a tool-capable template (qwen2.5, llama3, mistral) or leave tool results out.", error.Message);
        Assert.Equal("<|user|>\nx<|end|>\n<|assistant|>\n", phi3.Render([new ChatTurn(ChatRole.User, "x"), new ChatTurn(ChatRole.Tool, "")], [], true).Text);
    }

    [Fact]
    public void ForTheReferenceComparisonDroppedToolsAndResultsAreLeftOutSilently()
    {
        var phi3 = (JinjaChatTemplate)ChatTemplates.ByName("phi3");
        var turns = new[] { new ChatTurn(ChatRole.User, "x"), new ChatTurn(ChatRole.Tool, "r"), new ChatTurn(ChatRole.Assistant, "") { ToolCalls = [new ToolCall("f", "{}")] } };
        var prompt = phi3.Render(turns, [new ToolDefinition("f", null, "{}")], false, null, refuseDropped: false);
        Assert.Equal("<|user|>\nx<|end|>\n<|assistant|>\n<|end|>\n<|endoftext|>", prompt.Text);
    }

    [Fact]
    public void ATemplatesOwnRefusalIsQuotedAfterTheTemplatesName()
    {
        var turns = new[] { new ChatTurn(ChatRole.User, "x"), new ChatTurn(ChatRole.Assistant, "") { ToolCalls = [new ToolCall("f", "{}", "call_1")] } };
        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplates.ByName("mistral").Render(turns, [new ToolDefinition("f", null, "{}")], true));
        Assert.Equal("The mistral chat template refuses this conversation: Tool call IDs should be alphanumeric strings with length 9!", error.Message);
    }

    [Theory]
    [InlineData("{{ tools }}{{ messages }}", false)]
    [InlineData("{# <tool_call> #}{{ messages }}", false)]
    [InlineData("{# <tool_call> #}{{ tools }}", true)]
    public void ATemplateSupportsToolsWhenItReadsThemAndShowsAFormat(string source, bool supported) =>
        Assert.Equal(supported, ChatTemplates.Detect(source, null).SupportsTools);

    [Fact]
    public void ATemplateWithoutAToolFormatParsesNoCalls()
    {
        const string reply = " <tool_call>{\"name\": \"f\", \"arguments\": {}}</tool_call> ";
        var chatml = ChatTemplates.ByName("chatml");
        var result = chatml.ParseToolCallsDetailed(reply);
        Assert.Empty(result.ToolCalls);
        Assert.Empty(result.Malformed);
        Assert.Same(reply, result.RemainingText);
        Assert.Empty(chatml.ParseToolCalls(reply, out string remaining));
        Assert.Same(reply, remaining);
        Assert.Equal("generatedText", Assert.Throws<ArgumentNullException>(() => chatml.ParseToolCallsDetailed(null!)).ParamName);
    }

    // ---- the caller's turns and tools, checked before rendering ----

    private static readonly IChatTemplate Qwen = ChatTemplates.ByName("qwen2.5");

    private static ArgumentException Refused(IReadOnlyList<ChatTurn> turns, IReadOnlyList<ToolDefinition>? tools = null)
    {
        var error = Assert.Throws<ArgumentException>(() => Qwen.Render(turns, tools ?? [], true));
        Assert.Equal(tools is null ? "turns" : "tools", error.ParamName);
        return error;
    }

    private const string Surrogate = ": message text must be valid Unicode (a broken UTF-16 string, often cut in the middle of an emoji). (Parameter 'turns')";

    public static TheoryData<ChatTurn?[], string> BrokenTurns() => new()
    {
        { [], "A conversation needs at least one turn. (Parameter 'turns')" },
        { [new ChatTurn(ChatRole.User, "a"), null], "Turn 1 is null. (Parameter 'turns')" },
        { [new ChatTurn(ChatRole.User, "a"), new ChatTurn(ChatRole.Assistant, null!)], "Turn 1 (Assistant) has null Content; use an empty string. (Parameter 'turns')" },
        { [new ChatTurn(ChatRole.User, "a"), new ChatTurn((ChatRole)7, "b")], "Turn 1 has an unknown role 7. (Parameter 'turns')" },
        { [new ChatTurn(ChatRole.User, "a"), new ChatTurn((ChatRole)(-1), "b")], "Turn 1 has an unknown role -1. (Parameter 'turns')" },
        { [new ChatTurn(ChatRole.User, "a"), new ChatTurn(ChatRole.User, "ab\uD83D")], "Turn 1 (User) content has a lone surrogate U+D83D at character 2" + Surrogate },
        { [new ChatTurn(ChatRole.User, "\uDE00b")], "Turn 0 (User) content has a lone surrogate U+DE00 at character 0" + Surrogate },
        { [new ChatTurn(ChatRole.User, "a"), new ChatTurn(ChatRole.Assistant, "") { ToolCalls = null! }], "Turn 1 has null ToolCalls. (Parameter 'turns')" },
        { [new ChatTurn(ChatRole.System, "") { ToolCalls = [new ToolCall("f", "{}")] }], "Turn 0 is a System turn with tool calls; only assistant turns make tool calls. (Parameter 'turns')" },
        { [new ChatTurn(ChatRole.User, "a"), new ChatTurn(ChatRole.Tool, "") { ToolCalls = [new ToolCall("f", "{}")] }], "Turn 1 is a Tool turn with tool calls; only assistant turns make tool calls. (Parameter 'turns')" },
        { [new ChatTurn(ChatRole.User, "a"), new ChatTurn(ChatRole.Assistant, "") { ToolCalls = [new ToolCall("f", "{}"), null!] }], "Tool call 1 of turn 1 needs a name and ArgumentsJson. (Parameter 'turns')" },
        { [new ChatTurn(ChatRole.User, "a"), new ChatTurn(ChatRole.Assistant, "") { ToolCalls = [new ToolCall("f", "{}"), new ToolCall("", "{}")] }], "Tool call 1 of turn 1 needs a name and ArgumentsJson. (Parameter 'turns')" },
        { [new ChatTurn(ChatRole.User, "a"), new ChatTurn(ChatRole.Assistant, "") { ToolCalls = [new ToolCall("f", "{}"), new ToolCall("g", null!)] }], "Tool call 1 of turn 1 needs a name and ArgumentsJson. (Parameter 'turns')" },
        { [new ChatTurn(ChatRole.User, "a"), new ChatTurn(ChatRole.Assistant, "") { ToolCalls = [new ToolCall("f", "{}"), new ToolCall("g\uDC00", "{}")] }], "Tool call 1 of turn 1: the name has a lone surrogate U+DC00 at character 1" + Surrogate },
        { [new ChatTurn(ChatRole.User, "a"), new ChatTurn(ChatRole.Assistant, "") { ToolCalls = [new ToolCall("f", "{\"a\": \"\uD800\"}")] }], "Tool call 0 of turn 1: ArgumentsJson has a lone surrogate U+D800 at character 7" + Surrogate },
    };

    [Theory]
    [MemberData(nameof(BrokenTurns))]
    public void BrokenTurnsAreRefusedNamingTheTurnAndWhatIsWrong(ChatTurn?[] turns, string message) =>
        Assert.Equal(message, Refused(turns!).Message);

    [Fact]
    public void BrokenToolsAreRefusedNamingTheTool()
    {
        var turns = new[] { new ChatTurn(ChatRole.User, "a") };
        var ok = new ToolDefinition("f", null, "{}");
        Assert.Equal("Tool 1 needs a name and a ParametersJsonSchema. (Parameter 'tools')", Refused(turns, [ok, null!]).Message);
        Assert.Equal("Tool 1 needs a name and a ParametersJsonSchema. (Parameter 'tools')", Refused(turns, [ok, new ToolDefinition("", null, "{}")]).Message);
        Assert.Equal("Tool 1 needs a name and a ParametersJsonSchema. (Parameter 'tools')", Refused(turns, [ok, new ToolDefinition("g", null, null!)]).Message);
        Assert.Equal("tools", Assert.Throws<ArgumentNullException>(() => Qwen.Render(turns, null!, true)).ParamName);
        Assert.Equal("turns", Assert.Throws<ArgumentNullException>(() => Qwen.Render(null!, [], true)).ParamName);
    }

    [Fact]
    public void JsonThatIsNotValidIsRefusedNamingTheToolOrTheCall()
    {
        var schema = Assert.Throws<ArgumentException>(() => Qwen.Render([new ChatTurn(ChatRole.User, "a")], [new ToolDefinition("f", null, "{}"), new ToolDefinition("g", null, "{")], true));
        Assert.StartsWith("The parameters schema of tool 1 ('g') is not valid JSON: ", schema.Message, StringComparison.Ordinal);
        var turns = new[] { new ChatTurn(ChatRole.User, "a"), new ChatTurn(ChatRole.Assistant, "") { ToolCalls = [new ToolCall("f", "{]")] } };
        var arguments = Assert.Throws<ArgumentException>(() => Qwen.Render(turns, [], true));
        Assert.StartsWith("The arguments of tool call 'f' in turn 1 is not valid JSON: ", arguments.Message, StringComparison.Ordinal);
    }
}
