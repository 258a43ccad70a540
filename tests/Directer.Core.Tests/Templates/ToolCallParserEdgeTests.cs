using Directer.Core.Chat;
using Directer.Core.Templates;

namespace Directer.Core.Tests.Templates;

/// <summary>Each tool-call format's parser at its edges: what is a call, what is malformed (the fragment and the reason
/// exactly), and what text is left. Expected values are written by hand from the formats (docs/TEMPLATES.md, the
/// templates' own instructions) and the parsers' documented rules.</summary>
public sealed class ToolCallParserEdgeTests
{
    private static readonly IChatTemplate Qwen = ChatTemplates.ByName("qwen2.5");
    private static readonly IChatTemplate Llama = ChatTemplates.ByName("llama3");
    private static readonly IChatTemplate Mistral = ChatTemplates.ByName("mistral");

    private static IChatTemplate Hub(string id) =>
        ChatTemplates.Detect(File.ReadAllText(Path.Combine(TemplateFixtures.Directory, "hub", id + ".jinja")), null);

    private static readonly Lazy<IChatTemplate> QwenCoder = new(() => Hub("qwen3-coder-30b"));
    private static readonly Lazy<IChatTemplate> Granite = new(() => Hub("granite3.3-2b"));

    private static MalformedToolCall OneMalformed(ToolCallParseResult result)
    {
        Assert.Empty(result.ToolCalls);
        return Assert.Single(result.Malformed);
    }

    // ---- Hermes (Qwen2.5) ----

    [Fact]
    public void HermesClosingTagWithoutOpeningIsMalformedAndTheTextStaysAsWritten()
    {
        const string reply = " done </tool_call> ";
        var result = Qwen.ParseToolCallsDetailed(reply);
        var bad = OneMalformed(result);
        Assert.Equal(reply, bad.Fragment);
        Assert.Equal("'</tool_call>' without '<tool_call>'", bad.Reason);
        Assert.Equal(reply, result.RemainingText);
    }

    [Fact]
    public void HermesTextBetweenAndAroundBlocksIsKeptInOrder()
    {
        const string reply = "a<tool_call>{\"name\": \"f\", \"arguments\": {\"x\": 1}}</tool_call>b<tool_call>\n  {\"name\": \"g\"}  \n</tool_call>c";
        var result = Qwen.ParseToolCallsDetailed(reply);
        Assert.Empty(result.Malformed);
        Assert.Equal([new ToolCall("f", "{\"x\": 1}"), new ToolCall("g", "{}")], result.ToolCalls);
        Assert.Equal("abc", result.RemainingText);
    }

    [Fact]
    public void HermesAnUnclosedBlockThatIsNotJsonIsMalformedSayingBoth()
    {
        var result = Qwen.ParseToolCallsDetailed("x <tool_call>{\"name\": ");
        var bad = OneMalformed(result);
        Assert.Equal("<tool_call>{\"name\": ", bad.Fragment);
        Assert.StartsWith("no '</tool_call>' and invalid JSON: ", bad.Reason, StringComparison.Ordinal);
        Assert.Equal("x", result.RemainingText);
    }

    [Fact]
    public void HermesAClosedBlockThatIsNotJsonIsMalformedWithTheWholeBlock()
    {
        var result = Qwen.ParseToolCallsDetailed("<tool_call>{\"name\": }</tool_call> after");
        var bad = OneMalformed(result);
        Assert.Equal("<tool_call>{\"name\": }</tool_call>", bad.Fragment);
        Assert.StartsWith("invalid JSON: ", bad.Reason, StringComparison.Ordinal);
        Assert.Equal("after", result.RemainingText);
    }

    [Fact]
    public void HermesReadsArgumentsBeforeParametersAndTheIdWhenItIsAString()
    {
        var both = Qwen.ParseToolCallsDetailed("<tool_call>{\"name\": \"f\", \"parameters\": {\"p\": 1}, \"arguments\": {\"a\": 2}, \"id\": \"c1\"}</tool_call>");
        Assert.Equal(new ToolCall("f", "{\"a\": 2}", "c1"), Assert.Single(both.ToolCalls));
        var parameters = Qwen.ParseToolCallsDetailed("<tool_call>{\"name\": \"f\", \"parameters\": {\"p\": 1}, \"id\": 7}</tool_call>");
        Assert.Equal(new ToolCall("f", "{\"p\": 1}"), Assert.Single(parameters.ToolCalls));
    }

    [Theory]
    [InlineData("{\"name\": \"\", \"arguments\": {}}", "the object has no \"name\" string")]
    [InlineData("{\"name\": 1, \"arguments\": {}}", "the object has no \"name\" string")]
    [InlineData("[{\"name\": \"f\"}]", "expected a JSON object, found Array")]
    [InlineData("\"f\"", "expected a JSON object, found String")]
    [InlineData("{\"name\": \"f\", \"arguments\": \"[1]\"}", "\"arguments\" is not a JSON object")]
    [InlineData("{\"name\": \"f\", \"arguments\": \"x\"}", "\"arguments\" is not a JSON object")]
    [InlineData("{\"name\": \"f\", \"parameters\": null}", "\"parameters\" is not a JSON object")]
    [InlineData("{\"name\": \"f\", \"arguments\": {\"a\": {\"b\": 1, \"b\": 2}}}", "the arguments give \"b\" more than once")]
    [InlineData("{\"name\": \"f\", \"arguments\": {\"a\": 1, \"b\": [[{\"c\": 1}], {\"c\": 2, \"c\": 3}]}}", "the arguments give \"c\" more than once")]
    public void HermesBlocksThatAreNoCallAreMalformedWithTheirReason(string body, string reason)
    {
        string block = "<tool_call>" + body + "</tool_call>";
        var bad = OneMalformed(Qwen.ParseToolCallsDetailed("pre " + block));
        Assert.Equal(block, bad.Fragment);
        Assert.Equal(reason, bad.Reason);
    }

    [Fact]
    public void HermesTheSameKeyInDifferentObjectsIsNoRepetition()
    {
        var result = Qwen.ParseToolCallsDetailed("<tool_call>{\"name\": \"f\", \"arguments\": {\"a\": {\"a\": 1}, \"b\": [{\"a\": 2}, {\"a\": 3}]}}</tool_call>");
        Assert.Empty(result.Malformed);
        Assert.Equal("{\"a\": {\"a\": 1}, \"b\": [{\"a\": 2}, {\"a\": 3}]}", Assert.Single(result.ToolCalls).ArgumentsJson);
    }

    // ---- Llama 3 JSON ----

    [Fact]
    public void LlamaSemicolonsAndWhitespaceAfterACallAreSeparatorsNotText()
    {
        const string reply = "pre {\"name\": \"f\", \"parameters\": {}};; \n{\"name\": \"g\", \"parameters\": {\"s\": \"}\"}} ; post";
        var result = Llama.ParseToolCallsDetailed(reply);
        Assert.Empty(result.Malformed);
        Assert.Equal([new ToolCall("f", "{}"), new ToolCall("g", "{\"s\": \"}\"}")], result.ToolCalls);
        Assert.Equal("pre post", result.RemainingText);
    }

    [Fact]
    public void LlamaFindsTheEndOfACallPastBracketsAndEscapesInsideStrings()
    {
        const string call = "{\"name\": \"f\", \"parameters\": {\"q\": \"a } ] \\\" { [\", \"path\": \"C:\\\\\"}}";
        var result = Llama.ParseToolCallsDetailed(call + " tail }");
        Assert.Empty(result.Malformed);
        Assert.Equal(new ToolCall("f", "{\"q\": \"a } ] \\\" { [\", \"path\": \"C:\\\\\"}"), Assert.Single(result.ToolCalls));
        Assert.Equal("tail }", result.RemainingText);
    }

    [Fact]
    public void LlamaAnObjectWithoutParametersIsDataAndStaysInTheText()
    {
        const string reply = " {\"name\": \"f\"} and {\"type\": \"x\"} ";
        var result = Llama.ParseToolCallsDetailed(reply);
        Assert.Empty(result.ToolCalls);
        Assert.Empty(result.Malformed);
        Assert.Equal(reply, result.RemainingText);
    }

    [Fact]
    public void LlamaAPythonTagFollowedByNoCallIsMalformedAndTheTextLosesTheTag()
    {
        const string reply = "<|python_tag|> {\"name\": \"f\"} ";
        var result = Llama.ParseToolCallsDetailed(reply);
        var bad = OneMalformed(result);
        Assert.Equal(reply, bad.Fragment);
        Assert.Equal("'<|python_tag|>' is not followed by a JSON tool call (built-in tools are not supported)", bad.Reason);
        Assert.Equal("{\"name\": \"f\"}", result.RemainingText);
    }

    [Fact]
    public void LlamaAnInvalidObjectIsMalformedAndTheCallAfterItStillParses()
    {
        const string reply = "a {\"name\": \"f\", \"parameters\": {,}} b {\"name\": \"g\", \"parameters\": {}}";
        var result = Llama.ParseToolCallsDetailed(reply);
        Assert.Equal(new ToolCall("g", "{}"), Assert.Single(result.ToolCalls));
        var bad = Assert.Single(result.Malformed);
        Assert.Equal("{\"name\": \"f\", \"parameters\": {,}}", bad.Fragment);
        Assert.StartsWith("invalid JSON: ", bad.Reason, StringComparison.Ordinal);
        Assert.Equal("a  b", result.RemainingText);
    }

    [Fact]
    public void LlamaAnObjectThatNeverClosesIsMalformedFromItsStart()
    {
        var result = Llama.ParseToolCallsDetailed("Let me call. {\"name\": \"f\", \"parameters\": {\"a\": \"}\"");
        var bad = OneMalformed(result);
        Assert.Equal("{\"name\": \"f\", \"parameters\": {\"a\": \"}\"", bad.Fragment);
        Assert.Equal("the JSON object never closes", bad.Reason);
        Assert.Equal("Let me call.", result.RemainingText);
    }

    [Fact]
    public void LlamaAnInvalidObjectAfterACallKeepsTheTextBetweenThem()
    {
        var result = Llama.ParseToolCallsDetailed("{\"name\": \"f\", \"parameters\": {}} x {\"name\": \"g\", \"parameters\": {,}} y");
        Assert.Equal(new ToolCall("f", "{}"), Assert.Single(result.ToolCalls));
        Assert.Equal("{\"name\": \"g\", \"parameters\": {,}}", Assert.Single(result.Malformed).Fragment);
        Assert.Equal("x  y", result.RemainingText);
    }

    [Theory]
    [InlineData(" [{\"name\": \"f\", \"parameters\": {}}, {\"name\": \"g\", \"arguments\": {\"x\": 1}}] ")]
    [InlineData("<|python_tag|>[{\"name\": \"f\", \"parameters\": {}}, {\"name\": \"g\", \"arguments\": {\"x\": 1}}]")]
    public void LlamaAListOfCallsIsParallelCalls(string reply)
    {
        var result = Llama.ParseToolCallsDetailed(reply);
        Assert.Empty(result.Malformed);
        Assert.Equal([new ToolCall("f", "{}"), new ToolCall("g", "{\"x\": 1}")], result.ToolCalls);
        Assert.Equal(string.Empty, result.RemainingText);
    }

    [Theory]
    [InlineData("Here: {\"user\": {\"name\": \"get_weather\", \"parameters\": {\"city\": \"Oslo\"}}} ok")]
    [InlineData("{\"results\": [{\"name\": \"f\", \"parameters\": {}}]}")]
    [InlineData("[{\"name\": \"f\", \"parameters\": {}}, 5] and more")]
    [InlineData("[[{\"name\": \"f\", \"parameters\": {}}]]")]
    public void LlamaACallShapedObjectInsideJsonDataIsPartOfTheData(string reply)
    {
        // Before: the object inside was read as a call, and the data around it lost it ("[, 5] and more").
        var result = Llama.ParseToolCallsDetailed(reply);
        Assert.Empty(result.ToolCalls);
        Assert.Empty(result.Malformed);
        Assert.Equal(reply, result.RemainingText);
    }

    [Fact]
    public void LlamaAListOfCallsBeforeTextIsParallelCallsAndTheTextStays()
    {
        // Before: the list's objects were read one by one and the text kept the empty brackets ("[] more").
        var result = Llama.ParseToolCallsDetailed("[{\"name\": \"f\", \"parameters\": {}}, {\"name\": \"g\", \"parameters\": {\"x\": [1]}}]; more");
        Assert.Empty(result.Malformed);
        Assert.Equal([new ToolCall("f", "{}"), new ToolCall("g", "{\"x\": [1]}")], result.ToolCalls);
        Assert.Equal("more", result.RemainingText);
    }

    [Theory]
    [InlineData("Use { then {\"name\": \"f\", \"parameters\": {}}", "Use { then")]
    [InlineData("a { b {\"name\": \"f\", \"parameters\": {}} c }", "a { b c }")]
    [InlineData("[note] {\"name\": \"f\", \"parameters\": {}} [x", "[note] [x")]
    [InlineData("[] {\"name\": \"f\", \"parameters\": {}}", "[]")]                  // an empty list is data, not zero calls
    [InlineData("Got [] then {\"name\": \"f\", \"parameters\": {}}; ok", "Got [] then ok")]
    public void LlamaBracketsOfTheProseDoNotHideACall(string reply, string remaining)
    {
        var result = Llama.ParseToolCallsDetailed(reply);
        Assert.Empty(result.Malformed);
        Assert.Equal(new ToolCall("f", "{}"), Assert.Single(result.ToolCalls));
        Assert.Equal(remaining, result.RemainingText);
    }

    [Theory]
    [InlineData("[{\"name\": \"f\"}]")]
    [InlineData("[]")]
    [InlineData("[1,]")]
    [InlineData("[\"a\", {\"b\": 1}]")]
    public void LlamaAListThatIsNotAllCallsIsText(string reply)
    {
        var result = Llama.ParseToolCallsDetailed(reply);
        Assert.Empty(result.ToolCalls);
        Assert.Empty(result.Malformed);
        Assert.Equal(reply, result.RemainingText);
    }

    // ---- Mistral / Granite ----

    [Theory]
    [InlineData("before [TOOL_CALLS] {\"name\": \"f\"}", "[TOOL_CALLS] {\"name\": \"f\"}")]
    [InlineData("before [TOOL_CALLS]", "[TOOL_CALLS]")]
    [InlineData("before [TOOL_CALLS]  \n ", "[TOOL_CALLS]  \n ")]
    [InlineData("before [TOOL_CALLS] [{\"name\": \"f\"}", "[TOOL_CALLS] [{\"name\": \"f\"}")]
    public void MistralAMarkerWithoutACompleteListIsMalformedToTheEnd(string reply, string fragment)
    {
        var result = Mistral.ParseToolCallsDetailed(reply);
        var bad = OneMalformed(result);
        Assert.Equal(fragment, bad.Fragment);
        Assert.Equal("'[TOOL_CALLS]' is not followed by a complete JSON array", bad.Reason);
        Assert.Equal("before", result.RemainingText);
    }

    [Fact]
    public void MistralSeveralMarkedListsAndTheTextBetweenThem()
    {
        const string reply = "a [TOOL_CALLS]\n [{\"name\": \"f\", \"parameters\": {\"p\": \"]\"}}] mid [TOOL_CALLS][{\"name\": \"g\"}] end";
        var result = Mistral.ParseToolCallsDetailed(reply);
        Assert.Empty(result.Malformed);
        Assert.Equal([new ToolCall("f", "{\"p\": \"]\"}"), new ToolCall("g", "{}")], result.ToolCalls);
        Assert.Equal("a  mid  end", result.RemainingText);
    }

    [Fact]
    public void MistralAListThatIsNotJsonIsMalformedUpToItsEnd()
    {
        var result = Mistral.ParseToolCallsDetailed("x [TOOL_CALLS] [{\"name\": \"f\",}] y");
        var bad = OneMalformed(result);
        Assert.Equal("[TOOL_CALLS] [{\"name\": \"f\",}]", bad.Fragment);
        Assert.StartsWith("invalid JSON: ", bad.Reason, StringComparison.Ordinal);
        Assert.Equal("x  y", result.RemainingText);
    }

    [Fact]
    public void MistralAnEmptyListIsMalformedAndTheTextAfterItStays()
    {
        var result = Mistral.ParseToolCallsDetailed("[TOOL_CALLS] [ ] y");
        var bad = OneMalformed(result);
        Assert.Equal("[TOOL_CALLS] [ ]", bad.Fragment);
        Assert.Equal("'[TOOL_CALLS]' is followed by an empty list of calls", bad.Reason);
        Assert.Equal("y", result.RemainingText);
    }

    [Fact]
    public void MistralEachElementOfTheListIsACallOrMalformedOnItsOwn()
    {
        var result = Mistral.ParseToolCallsDetailed("[TOOL_CALLS] [{\"name\": \"f\", \"arguments\": {}, \"id\": \"abcDEF123\"}, {\"arguments\": {}}, {\"name\": \"g\", \"arguments\": 1}]");
        Assert.Equal(new ToolCall("f", "{}", "abcDEF123"), Assert.Single(result.ToolCalls));
        Assert.Equal(
            [new MalformedToolCall("{\"arguments\": {}}", "the object has no \"name\" string"), new MalformedToolCall("{\"name\": \"g\", \"arguments\": 1}", "\"arguments\" is not a JSON object")],
            result.Malformed);
        Assert.Equal(string.Empty, result.RemainingText);
    }

    [Fact]
    public void MistralWithoutTheMarkerTheTextIsLeftAsWritten()
    {
        const string reply = " [{\"name\": \"f\", \"arguments\": {}}] ";
        var result = Mistral.ParseToolCallsDetailed(reply);
        Assert.Empty(result.ToolCalls);
        Assert.Empty(result.Malformed);
        Assert.Same(reply, result.RemainingText);
    }

    [Fact]
    public void GraniteNamesItsOwnMarkerAndIgnoresMistrals()
    {
        var bad = OneMalformed(Granite.Value.ParseToolCallsDetailed("ok <|tool_call|>{}"));
        Assert.Equal("'<|tool_call|>' is not followed by a complete JSON array", bad.Reason);
        var plain = Granite.Value.ParseToolCallsDetailed("[TOOL_CALLS] [{\"name\": \"f\", \"arguments\": {}}]");
        Assert.Empty(plain.ToolCalls);
        Assert.Empty(plain.Malformed);
        Assert.Equal("[TOOL_CALLS] [{\"name\": \"f\", \"arguments\": {}}]", plain.RemainingText);
        var empty = OneMalformed(Granite.Value.ParseToolCallsDetailed("<|tool_call|>[]"));
        Assert.Equal("'<|tool_call|>' is followed by an empty list of calls", empty.Reason);
    }

    // ---- Qwen3-Coder XML ----

    [Fact]
    public void QwenXmlValuesAreReadAsTheirTypesAndOtherTextAsStrings()
    {
        const string reply = "<tool_call>\n<function= f >\n" +
            "<parameter= t >\nTrue\n</parameter>\n<parameter=fa>\nFalse\n</parameter>\n<parameter=no>\nNone\n</parameter>\n" +
            "<parameter=jt>\ntrue\n</parameter>\n<parameter=nul>\nnull\n</parameter>\n<parameter=neg>\n-2\n</parameter>\n" +
            "<parameter=obj>\n{\"k\": [1]}\n</parameter>\n<parameter=word>\ntomorrow\n</parameter>\n<parameter=dash>\n- item\n</parameter>\n" +
            "<parameter=num>\n12 apples\n</parameter>\n<parameter=pad>\n  spaced  \n</parameter>\n<parameter=empty>\n\n</parameter>\n" +
            "<parameter=inline>x</parameter>\n<parameter=nothing>\nnothing\n</parameter>\n" +
            "</function>\n</tool_call>";
        var call = Assert.Single(QwenCoder.Value.ParseToolCalls(reply, out string remaining));
        Assert.Equal("f", call.Name);
        Assert.Equal(
            "{\"t\":true,\"fa\":false,\"no\":null,\"jt\":true,\"nul\":null,\"neg\":-2,\"obj\":{\"k\":[1]},\"word\":\"tomorrow\",\"dash\":\"- item\"," +
            "\"num\":\"12 apples\",\"pad\":\"  spaced  \",\"empty\":\"\",\"inline\":\"x\",\"nothing\":\"nothing\"}",
            call.ArgumentsJson);
        Assert.Equal(string.Empty, remaining);
    }

    [Fact]
    public void QwenXmlTextAroundAndBetweenCallsIsKept()
    {
        const string reply = " a <tool_call><function=f></function></tool_call> b <tool_call>\n<function=g>\n<parameter=x>\n1\n</parameter>\n</function>\n</tool_call> c ";
        var result = QwenCoder.Value.ParseToolCallsDetailed(reply);
        Assert.Empty(result.Malformed);
        Assert.Equal([new ToolCall("f", "{}"), new ToolCall("g", "{\"x\":1}")], result.ToolCalls);
        Assert.Equal("a  b  c", result.RemainingText);
    }

    [Fact]
    public void QwenXmlWithoutACallTheTextIsLeftAsWritten()
    {
        const string reply = " <function=f></function> ";
        var result = QwenCoder.Value.ParseToolCallsDetailed(reply);
        Assert.Empty(result.ToolCalls);
        Assert.Empty(result.Malformed);
        Assert.Same(reply, result.RemainingText);
    }

    [Theory]
    [InlineData("<tool_call><function=f></function> x</tool_call>", "expected one <function=NAME>...</function> block")]
    [InlineData("<tool_call>{\"name\": \"f\"}</tool_call>", "expected one <function=NAME>...</function> block")]
    [InlineData("<tool_call><function=f>\n stray \n</function></tool_call>", "text outside <parameter=...> blocks: 'stray'")]
    public void QwenXmlBlocksThatAreNoCallAreMalformedWithTheWholeBlock(string block, string reason)
    {
        var result = QwenCoder.Value.ParseToolCallsDetailed("pre " + block + " post");
        var bad = OneMalformed(result);
        Assert.Equal(block, bad.Fragment);
        Assert.Equal(reason, bad.Reason);
        Assert.Equal("pre  post", result.RemainingText);
    }

    [Fact]
    public void QwenXmlAnUnclosedCallIsMalformedToTheEndAndEndsTheParse()
    {
        var result = QwenCoder.Value.ParseToolCallsDetailed("pre <tool_call><function=f></function> <tool_call><function=g></function>");
        var bad = OneMalformed(result);
        Assert.Equal("<tool_call><function=f></function> <tool_call><function=g></function>", bad.Fragment);
        Assert.Equal("no '</tool_call>'", bad.Reason);
        Assert.Equal("pre", result.RemainingText);
    }

    [Fact]
    public void EveryParserRefusesANullReply()
    {
        Assert.Equal("text", Assert.Throws<ArgumentNullException>(() => HermesToolCallParser.Parse(null!)).ParamName);
        Assert.Equal("text", Assert.Throws<ArgumentNullException>(() => Llama3JsonToolCallParser.Parse(null!)).ParamName);
        Assert.Equal("text", Assert.Throws<ArgumentNullException>(() => MistralToolCallParser.Parse(null!)).ParamName);
        Assert.Equal("text", Assert.Throws<ArgumentNullException>(() => QwenXmlToolCallParser.Parse(null!)).ParamName);
    }

    // ---- The exception ----

    [Fact]
    public void TheFormatErrorCountsTheMalformedCallsAndQuotesTheFirst()
    {
        const string reply = "<tool_call>{\"name\": 1}</tool_call><tool_call>{\"name\": 2}</tool_call>";
        var error = Assert.Throws<ToolCallFormatException>(() => Qwen.ParseToolCalls(reply, out _));
        Assert.Equal("The reply contains 2 malformed qwen2.5 tool call(s); first: the object has no \"name\" string in: <tool_call>{\"name\": 1}</tool_call>", error.Message);
    }

    [Theory]
    [InlineData(200, false)]
    [InlineData(201, true)]
    public void TheFormatErrorQuotesAtMost200CharactersOfTheFragment(int length, bool cut)
    {
        string fragment = "<tool_call>" + new string('x', length - "<tool_call>".Length);
        Assert.Equal(length, fragment.Length);
        var error = Assert.Throws<ToolCallFormatException>(() => Qwen.ParseToolCalls(fragment, out _));
        string quoted = cut ? fragment[..200] + "…" : fragment;
        Assert.EndsWith(" in: " + quoted, error.Message, StringComparison.Ordinal);
    }
}
