using System.Text;
using System.Text.Json;
using Directer.Core.Generation.Constraints;
using Directer.Core.Templates;
using static Directer.Core.Tests.Generation.Constraints.ConstraintFixtures;

namespace Directer.Core.Tests.Generation.Constraints;

/// <summary>The call grammar in Llama 3's and Mistral's markup: the same guarantees as Hermes (listed names, declared
/// argument names once each, declared simple types, required arguments present), with each format's opener and end.</summary>
public sealed class FormatCallGrammarTests
{
    private static readonly ToolCallGrammar Llama = new(All.Select(ToolGrammar.From).ToList(), CallSyntax.Llama3Json);
    private static readonly ToolCallGrammar Mistral = new(All.Select(ToolGrammar.From).ToList(), CallSyntax.Mistral);

    private static readonly ToolCallGrammar Granite = new(All.Select(ToolGrammar.From).ToList(), CallSyntax.Granite);

    private static ToolCallGrammar For(string format) => format switch { "llama" => Llama, "granite" => Granite, _ => Mistral };

    private static CallState FeedEach(ToolCallGrammar g, string text, CallState? from = null)
    {
        var state = from ?? CallState.Outside;
        byte[] bytes = Utf8(text);
        for (int i = 0; i < bytes.Length; i++)
        {
            Assert.True(g.Feed(ref state, bytes[i]), $"byte {i} ('{(char)bytes[i]}') of {Show(text)} was refused after {Show(Encoding.UTF8.GetString(bytes, 0, i))}");
        }

        return state;
    }

    private static bool Accepts(ToolCallGrammar g, string text, CallState? from = null)
    {
        var state = from ?? CallState.Outside;
        return g.FeedAll(ref state, Utf8(text));
    }

    private static string Show(string text) => JsonSerializer.Serialize(text);

    public static TheoryData<string, string> ValidCalls() => new()
    {
        // What the Llama 3.1/3.2 templates render for a call, and what the models write.
        { "llama", """{"name": "get_weather", "parameters": {"city": "Paris"}}""" },
        { "llama", """{"name":"multiply","parameters":{"a":12,"b":37}}""" },
        { "llama", "{\"name\": \"get_weather\",\n \"parameters\": {\n  \"city\": \"Oslo\", \"unit\": \"celsius\", \"days\": 3, \"detailed\": true}}" },
        { "llama", """Let me check. {"name": "get_stock", "parameters": {"product": "blue mug"}} """ },
        { "llama", """{"name": "ping", "parameters": {"free": [1, {"x": null}]}}""" },
        { "llama", """{"name": "get_stock", "parameters": {"product": "a"}}; {"name": "multiply", "parameters": {"a": 1, "b": 2.5e3}}""" },

        // Mistral v3: "[TOOL_CALLS] [...]" with one or several calls, compact or spaced.
        { "mistral", """[TOOL_CALLS] [{"name": "get_weather", "arguments": {"city": "Paris"}}]""" },
        { "mistral", """[TOOL_CALLS][{"name":"multiply","arguments":{"a":-1,"b":0.5}}]""" },
        { "mistral", """[TOOL_CALLS] [{"name": "multiply", "arguments": {"a": 2, "b": 3}}, {"name": "get_stock", "arguments": {"product": "tea"}}]""" },
        // Granite 3.x: Mistral's list after "<|tool_call|>".
        { "granite", """<|tool_call|>[{"name": "get_stock", "arguments": {"product": "tea"}}]""" },
        { "mistral", "I will look. [TOOL_CALLS] [\n {\"name\": \"configure\", \"arguments\": {\"level\": 12}} ,\n {\"name\": \"ping\", \"arguments\": {}}\n]" },
    };

    [Theory]
    [MemberData(nameof(ValidCalls))]
    public void ValidCallsAreAcceptedAndEndOutside(string format, string text)
    {
        var state = FeedEach(For(format), text);
        Assert.Equal(CallPhase.Free, state.Phase);
    }

    [Theory]
    [MemberData(nameof(ValidCalls))]
    public void AHalfWrittenCallIsInside(string format, string text)
    {
        var g = For(format);
        int open = text.IndexOf(g.Syntax.OpenerText, StringComparison.Ordinal) + g.Opener.Length;
        string firstCallEnd = format == "llama" ? "}}" : "]";
        int end = text.IndexOf(firstCallEnd, open, StringComparison.Ordinal) + firstCallEnd.Length;
        for (int cut = open; cut < end; cut++)
        {
            var state = CallState.Outside;
            Assert.True(g.FeedAll(ref state, Utf8(text[..cut])));
            Assert.True(state.Phase != CallPhase.Free, $"{Show(text[..cut])} should still be inside the call");
        }
    }

    public static TheoryData<string, string, string, string> Refusals() => new()
    {
        // format, prefix, refused bytes, a byte that is taken at the same point
        { "llama", "{\"name\": \"", "x", "g" },                                            // unlisted name
        { "llama", "{\"name\": \"multiply\", ", "\"a", "\"p" },                            // Llama's key is "parameters"
        { "llama", "{\"name\": \"multiply\", \"parameters\": {\"", "c", "a" },              // undeclared argument
        { "llama", "{\"name\": \"multiply\", \"parameters\": {\"a\": ", "\"t", "1" },       // number, not a string
        { "llama", "{\"name\": \"multiply\", \"parameters\": {\"a\": 1", "}", "," },         // "b" is required
        { "llama", "{\"name\": \"get_weather\", \"parameters\": {\"days\": 1", ".e", "2" },  // integer
        { "llama", "{\"name\": \"get_weather\", \"parameters\": {\"unit\": \"", "k", "c" },  // enum
        { "mistral", "[TOOL_CALLS]", "x{", "[" },                                          // the list comes first
        { "granite", "<|tool_call|>[{\"name\": \"get_stock\", \"arguments\": {\"", "a", "p" },     // declared argument
        { "mistral", "[TOOL_CALLS] [{\"name\": \"", "f", "m" },                              // unlisted name
        { "mistral", "[TOOL_CALLS] [{\"name\": \"multiply\", ", "\"p", "\"a" },              // Mistral's key is "arguments"
        { "mistral", "[TOOL_CALLS] [{\"name\": \"multiply\", \"arguments\": {\"a\": 1, \"b\": 2}}", "x}", "]" }, // then , or ]
        // The second call of a list is checked against its own tool: get_stock has no "a".
        { "mistral", "[TOOL_CALLS] [{\"name\": \"multiply\", \"arguments\": {\"a\": 1, \"b\": 2}}, {\"name\": \"get_stock\", \"arguments\": {\"", "a", "p" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void InvalidBytesAreRefused(string format, string prefix, string refused, string accepted)
    {
        var g = For(format);
        var state = FeedEach(g, prefix);
        Assert.NotEqual(CallPhase.Free, state.Phase);
        var copy = state;
        Assert.False(g.FeedAll(ref copy, Utf8(refused)), $"after {Show(prefix)}, {Show(refused)} should be refused");
        copy = state;
        Assert.True(g.FeedAll(ref copy, Utf8(accepted)), $"after {Show(prefix)}, {Show(accepted)} should be taken");
    }

    [Fact]
    public void TextThatOnlyStartsLikeTheOpenerStaysFree()
    {
        // "{"nam" then something else is ordinary text; so are JSON objects that do not start with "name".
        Assert.Equal(CallPhase.NameColon, FeedEach(Llama, "{\"nam\": 1} {\"city\": \"Paris\"} {\"name\"").Phase);
        Assert.Equal(CallPhase.Free, FeedEach(Llama, "{\"nam\": 1} {\"city\": \"Paris\"} [TOOL_CALLS]").Phase);
        Assert.Equal(CallPhase.Free, FeedEach(Mistral, "[TOOL_CALL] [TOOL_CALLS").Phase);
        Assert.Equal(CallPhase.ListOpen, FeedEach(Mistral, "[TOOL_CALL] [TOOL_CALLS]").Phase);
        Assert.Equal(CallPhase.NameColon, FeedEach(Llama, "{{\"name\"").Phase);
    }

    [Theory]
    [InlineData("llama", "{\"name\": \"get_stock\", \"parameters\": {\"product\": \"x\"}}", "Sure")]
    [InlineData("mistral", "[TOOL_CALLS] [{\"name\": \"get_stock\", \"arguments\": {\"product\": \"x\"}}]", "Sure")]
    public void ARequiredCallStartsWithTheOpenerAndLetsTextFollowIt(string format, string call, string text)
    {
        var g = For(format);
        var required = CallState.Outside with { Phase = CallPhase.MustOpen };
        Assert.False(Accepts(g, text, required));
        Assert.False(Accepts(g, " " + call, required));
        var state = FeedEach(g, call, required);
        Assert.Equal(CallPhase.Free, state.Phase);
        Assert.True(g.FeedAll(ref state, Utf8(" Done.")));
    }

    [Fact]
    public void ARequiredToolHoldsOnlyForTheFirstCallOfAList()
    {
        var required = CallState.Outside with { Phase = CallPhase.MustOpen };
        ToolCallGrammar.ChooseName(ref required, Array.FindIndex(All, t => t.Name == "multiply"));
        Assert.False(Accepts(Mistral, "[TOOL_CALLS] [{\"name\": \"get_stock\"", required));
        Assert.True(Accepts(Mistral, "[TOOL_CALLS] [{\"name\": \"multiply\", \"arguments\": {\"a\": 1, \"b\": 2}}, {\"name\": \"get_stock\", \"arguments\": {\"product\": \"x\"}}]", required));
    }

    [Fact]
    public void AfterASpecialTokenOpenerTheCallGoesOnFromTheList()
    {
        // Mistral tokenizers hold [TOOL_CALLS] as one special token: the constraint moves the state with Opened.
        var state = Mistral.Opened(CallState.Outside);
        Assert.Equal(CallPhase.ListOpen, state.Phase);
        state = FeedEach(Mistral, " [{\"name\": \"ping\", \"arguments\": {}}]", state);
        Assert.Equal(CallPhase.Free, state.Phase);
    }

    [Fact]
    public void EveryFormatHasAnOpenerWithoutABorder()
    {
        foreach (var format in new[] { ToolCallFormat.Hermes, ToolCallFormat.Llama3Json, ToolCallFormat.Mistral, ToolCallFormat.Granite })
        {
            var syntax = CallSyntax.For(format)!;
            Assert.Equal(format, syntax.Format);
            Assert.Equal(syntax.OpenerText, Encoding.UTF8.GetString(syntax.Opener));
        }

        Assert.Null(CallSyntax.For(ToolCallFormat.None));
        Assert.Null(CallSyntax.For(ToolCallFormat.QwenXml));
    }
}
