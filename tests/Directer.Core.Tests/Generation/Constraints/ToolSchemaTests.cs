using System.Text;
using Directer.Core.Chat;
using Directer.Core.Generation.Constraints;
using static Directer.Core.Tests.Generation.Constraints.ConstraintFixtures;

namespace Directer.Core.Tests.Generation.Constraints;

/// <summary>
/// How a tool's parameter schema becomes its part of the call grammar (<see cref="ToolGrammar.From"/>), at the edges
/// Constraints/README.md states: a schema without usable <c>properties</c> takes any JSON object; at most 64 declared
/// arguments (all 64 usable) and 64 tools; <c>required</c> names only declared arguments; an <c>enum</c> of 1 to 64
/// simple values is exactly those values, anything else falls back to the <c>type</c>; a type that is not one simple
/// name is any JSON value.
/// </summary>
public sealed class ToolSchemaTests
{
    private static ToolDefinition Tool(string schema, string name = "t") => new(name, null, schema);

    private static bool Accepts(ToolCallGrammar grammar, string text)
    {
        var state = CallState.Outside;
        return grammar.FeedAll(ref state, Encoding.UTF8.GetBytes(text)) && state.Phase == CallPhase.Free;
    }

    /// <summary>Whether <paramref name="prefix"/> is taken (the call may go on).</summary>
    private static bool Takes(ToolCallGrammar grammar, string prefix)
    {
        var state = CallState.Outside;
        return grammar.FeedAll(ref state, Encoding.UTF8.GetBytes(prefix));
    }

    private static string Call(string arguments, string name = "t") => $"<tool_call>{{\"name\": \"{name}\", \"arguments\": {arguments}}}</tool_call>";

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  \n")]
    [InlineData("{}")]
    [InlineData("{\"type\": \"object\"}")]
    [InlineData("{\"type\": \"object\", \"properties\": []}")]
    [InlineData("{\"type\": \"object\", \"properties\": {}}")]
    public void ASchemaWithoutDeclaredArgumentsTakesAnyObject(string? schema)
    {
        var grammar = Grammar(new ToolDefinition("t", null, schema!));
        Assert.True(Accepts(grammar, Call("{}")));
        Assert.True(Accepts(grammar, Call("{\"anything\": [1, {\"x\": null}], \"b\": \"s\"}")));
        Assert.False(Takes(grammar, "<tool_call>{\"name\": \"t\", \"arguments\": ["));
    }

    [Fact]
    public void SixtyFourArgumentsAreAllUsableAndASixtyFifthIsRefusedByName()
    {
        string Properties(int count) => string.Join(", ", Enumerable.Range(0, count).Select(i => $"\"a{i}\": {{\"type\": \"integer\"}}"));
        var grammar = Grammar(Tool($"{{\"properties\": {{{Properties(64)}}}, \"required\": [\"a63\"]}}"));
        string all = string.Join(", ", Enumerable.Range(0, 64).Select(i => $"\"a{i}\": {i}"));
        Assert.True(Accepts(grammar, Call($"{{{all}}}")));
        Assert.False(Takes(grammar, $"<tool_call>{{\"name\": \"t\", \"arguments\": {{{all},"));   // every argument given: no comma
        string firstSixtyThree = string.Join(", ", Enumerable.Range(0, 63).Select(i => $"\"a{i}\": {i}"));
        Assert.True(Takes(grammar, $"<tool_call>{{\"name\": \"t\", \"arguments\": {{{firstSixtyThree},"));
        Assert.False(Takes(grammar, $"<tool_call>{{\"name\": \"t\", \"arguments\": {{{firstSixtyThree}}}"));  // a63 is required
        Assert.True(Accepts(grammar, Call("{\"a63\": 1, \"a0\": 2}")));

        var error = Assert.Throws<ArgumentException>(() => ToolGrammar.From(Tool($"{{\"properties\": {{{Properties(65)}}}}}", "big")));
        Assert.Equal("tool", error.ParamName);
        Assert.StartsWith("Tool 'big' declares 65 arguments; the tool-call constraint handles at most 64.", error.Message);
    }

    [Fact]
    public void SixtyFourToolsFitAndTheLastIsNamedAndChosenLikeTheFirst()
    {
        var tools = Enumerable.Range(0, 64).Select(i => Tool("{}", $"tool{i}")).ToArray();
        var grammar = Grammar(tools);
        Assert.True(Accepts(grammar, Call("{}", "tool63")));
        Assert.True(Accepts(grammar, Call("{}", "tool0")));

        var state = CallState.Outside;
        Assert.True(grammar.FeedAll(ref state, "<tool_call>{\"name\":"u8));
        Assert.Equal(64, grammar.NameAlternatives(state).Count);
        ToolCallGrammar.ChooseName(ref state, 63);
        var chosen = state;
        Assert.True(grammar.FeedAll(ref chosen, "\"tool63\", \"arguments\": {}}</tool_call>"u8));
        Assert.Equal(CallPhase.Free, chosen.Phase);
        chosen = state;
        Assert.False(grammar.FeedAll(ref chosen, "\"tool0\""u8));

        var error = Assert.Throws<ArgumentException>(() => Grammar([.. tools, Tool("{}", "tool64")]));
        Assert.StartsWith("At most 64 literals fit a constraint trie; got 65.", error.Message);
    }

    [Fact]
    public void RequiredNamesOnlyDeclaredArgumentsGivenAsStrings()
    {
        const string properties = "\"properties\": {\"a\": {\"type\": \"integer\"}, \"b\": {\"type\": \"integer\"}}";
        foreach (string required in new[] { "", ", \"required\": \"a\"", ", \"required\": {\"a\": true}", ", \"required\": [5, \"zz\", null]" })
        {
            var free = Grammar(Tool($"{{{properties}{required}}}"));
            Assert.True(Accepts(free, Call("{}")), required);
        }

        var needsB = Grammar(Tool($"{{{properties}, \"required\": [\"zz\", 1, \"b\"]}}"));
        Assert.False(Takes(needsB, "<tool_call>{\"name\": \"t\", \"arguments\": {}"));
        Assert.False(Takes(needsB, "<tool_call>{\"name\": \"t\", \"arguments\": {\"a\": 1}"));
        Assert.True(Accepts(needsB, Call("{\"b\": 1}")));

        // A name listed twice is required all the same.
        var twice = Grammar(Tool($"{{{properties}, \"required\": [\"b\", \"b\"]}}"));
        Assert.False(Takes(twice, "<tool_call>{\"name\": \"t\", \"arguments\": {}"));
        Assert.True(Accepts(twice, Call("{\"b\": 1}")));
    }

    [Fact]
    public void AnEnumOfOneToSixtyFourSimpleValuesIsExactlyThoseValues()
    {
        string Values(int count) => string.Join(", ", Enumerable.Range(0, count));
        var sixtyFour = Grammar(Tool($"{{\"properties\": {{\"n\": {{\"type\": \"integer\", \"enum\": [{Values(64)}]}}}}}}"));
        Assert.True(Accepts(sixtyFour, Call("{\"n\": 63}")));
        Assert.True(Accepts(sixtyFour, Call("{\"n\": 7}")));
        Assert.False(Takes(sixtyFour, "<tool_call>{\"name\": \"t\", \"arguments\": {\"n\": 70"));

        // 65 values: the declared type instead.
        var sixtyFive = Grammar(Tool($"{{\"properties\": {{\"n\": {{\"type\": \"integer\", \"enum\": [{Values(65)}]}}}}}}"));
        Assert.True(Accepts(sixtyFive, Call("{\"n\": 700}")));
        Assert.False(Takes(sixtyFive, "<tool_call>{\"name\": \"t\", \"arguments\": {\"n\": \""));

        // No values: the type. A value that repeats is one value.
        var empty = Grammar(Tool("{\"properties\": {\"s\": {\"type\": \"string\", \"enum\": []}}}"));
        Assert.True(Accepts(empty, Call("{\"s\": \"anything\"}")));
        var repeated = Grammar(Tool("{\"properties\": {\"s\": {\"enum\": [\"a\", \"b\", \"a\"]}}}"));
        Assert.True(Accepts(repeated, Call("{\"s\": \"a\"}")));
        Assert.False(Takes(repeated, "<tool_call>{\"name\": \"t\", \"arguments\": {\"s\": \"c"));
        // An enum that is not a list: the type.
        var notAList = Grammar(Tool("{\"properties\": {\"s\": {\"type\": \"string\", \"enum\": \"x\"}}}"));
        Assert.True(Accepts(notAList, Call("{\"s\": \"y\"}")));
        Assert.False(Takes(notAList, "<tool_call>{\"name\": \"t\", \"arguments\": {\"s\": 1"));
        var one = Grammar(Tool("{\"properties\": {\"s\": {\"enum\": [null]}}}"));
        Assert.True(Accepts(one, Call("{\"s\": null}")));
        Assert.False(Takes(one, "<tool_call>{\"name\": \"t\", \"arguments\": {\"s\": 1"));
    }

    [Theory]
    [InlineData("{\"enum\": [{\"a\": 1}, \"x\"], \"type\": \"string\"}")]
    [InlineData("{\"enum\": [\"x\", [1]], \"type\": \"string\"}")]
    [InlineData("{\"type\": [\"string\", \"null\"]}")]
    [InlineData("{\"type\": \"array\"}")]
    [InlineData("{\"type\": \"object\"}")]
    [InlineData("{}")]
    [InlineData("true")]
    [InlineData("\"string\"")]
    public void AnythingButASimpleTypeOrAnEnumOfSimpleValuesIsAnyJsonValue(string schema)
    {
        var grammar = Grammar(Tool($"{{\"properties\": {{\"v\": {schema}}}}}"));
        foreach (string value in new[] { "5", "\"x\"", "null", "true", "[1, \"a\"]", "{\"k\": {}}" })
        {
            Assert.True(Accepts(grammar, Call($"{{\"v\": {value}}}")), value);
        }
    }

    [Fact]
    public void TheSimpleTypesTakeOnlyTheirValues()
    {
        var grammar = Grammar(Tool("{\"properties\": {\"s\": {\"type\": \"string\"}, \"i\": {\"type\": \"integer\"}, \"n\": {\"type\": \"number\"}, \"b\": {\"type\": \"boolean\"}}}"));
        const string open = "<tool_call>{\"name\": \"t\", \"arguments\": {";
        Assert.True(Accepts(grammar, Call("{\"s\": \"x\", \"i\": -3, \"n\": 2.5e1, \"b\": false}")));
        Assert.False(Takes(grammar, open + "\"s\": 1"));
        Assert.False(Takes(grammar, open + "\"i\": 1."));
        Assert.False(Takes(grammar, open + "\"i\": \""));
        Assert.True(Takes(grammar, open + "\"n\": 1."));
        Assert.False(Takes(grammar, open + "\"n\": t"));
        Assert.False(Takes(grammar, open + "\"b\": n"));
        Assert.False(Takes(grammar, open + "\"b\": \"true"));
    }

    /// <summary>A schema object that repeats a property name (JSON allows it; System.Text.Json lists both) is refused, not half-read.</summary>
    [Fact]
    public void APropertyNamedTwiceIsAnArgumentError()
    {
        var error = Assert.Throws<ArgumentException>(() => ToolGrammar.From(Tool("{\"properties\": {\"a\": {}, \"a\": {}}}")));
        Assert.StartsWith("Literal 1 repeats literal 0.", error.Message);
    }

    [Fact]
    public void ASchemaThatIsNotAnObjectOrNotJsonIsRefusedNamingTheTool()
    {
        var notJson = Assert.Throws<ArgumentException>(() => ToolGrammar.From(Tool("{", "broken")));
        Assert.Equal("tool", notJson.ParamName);
        Assert.StartsWith("Tool 'broken': the parameters schema is not valid JSON (", notJson.Message);
        Assert.IsAssignableFrom<System.Text.Json.JsonException>(notJson.InnerException);

        var array = Assert.Throws<ArgumentException>(() => ToolGrammar.From(Tool("[1]", "listy")));
        Assert.Equal("tool", array.ParamName);
        Assert.StartsWith("Tool 'listy': the parameters schema must be a JSON object, found Array.", array.Message);
    }
}
