using System.Text;
using System.Text.Json;
using Directer.Core.Generation.Constraints;
using Directer.Core.Templates;
using static Directer.Core.Tests.Generation.Constraints.ConstraintFixtures;
using Directer.Core.Chat;

namespace Directer.Core.Tests.Generation.Constraints;

public sealed class HermesCallGrammarTests
{
    private const string Open = "<tool_call>";
    private const string Close = "</tool_call>";
    private readonly ToolCallGrammar grammar = Grammar(All);

    /// <summary>Feeds <paramref name="text"/> byte by byte from outside a call; every byte must be taken. Returns the end state.</summary>
    private static CallState FeedEach(ToolCallGrammar g, string text)
    {
        var state = CallState.Outside;
        byte[] bytes = Utf8(text);
        for (int i = 0; i < bytes.Length; i++)
        {
            Assert.True(g.Feed(ref state, bytes[i]), $"byte {i} ('{(char)bytes[i]}', 0x{bytes[i]:X2}) of {Show(text)} was refused; accepted so far: {Show(Encoding.UTF8.GetString(bytes, 0, i))}");
        }

        return state;
    }

    private static void AssertWholeCallAccepted(ToolCallGrammar g, string text)
    {
        var state = FeedEach(g, text);
        Assert.True(state.Phase == CallPhase.Free, $"{Show(text)} ended in {state.Phase}, not back outside the call");

        // FeedAll agrees with byte-by-byte feeding.
        var all = CallState.Outside;
        Assert.True(g.FeedAll(ref all, Utf8(text)));
        Assert.Equal(CallPhase.Free, all.Phase);
    }

    /// <summary>
    /// <paramref name="prefix"/> is taken; then each byte of <paramref name="refused"/> is refused and each byte of
    /// <paramref name="accepted"/> is taken at that same point (so the refusal is about the byte, not a dead state).
    /// </summary>
    private static void AssertRefusedAfter(ToolCallGrammar g, string prefix, string refused, string accepted)
    {
        var state = FeedEach(g, prefix);
        Assert.NotEqual(CallPhase.Free, state.Phase);
        foreach (byte b in Utf8(refused))
        {
            var copy = state;
            Assert.False(g.Feed(ref copy, b), $"after {Show(prefix)} the byte 0x{b:X2} ('{(char)b}') should be refused");
        }

        foreach (byte b in Utf8(accepted))
        {
            var copy = state;
            Assert.True(g.Feed(ref copy, b), $"after {Show(prefix)} the byte 0x{b:X2} ('{(char)b}') should be taken");
        }
    }

    private static string Show(string text) => JsonSerializer.Serialize(text);

    private static string Call(string name, string arguments) => $"{Open}\n{{\"name\": \"{name}\", \"arguments\": {arguments}}}\n{Close}";

    public static TheoryData<string> ValidCalls() => new()
    {
        // Compact, no whitespace anywhere.
        """<tool_call>{"name":"get_weather","arguments":{"city":"Paris"}}</tool_call>""",
        // The Qwen2.5 layout.
        Call("get_weather", """{"city": "Paris", "unit": "celsius"}"""),
        // Pretty-printed with newlines and indentation; every declared argument, in another order.
        "<tool_call>\n{\n  \"name\": \"get_weather\",\n  \"arguments\": {\n    \"days\": 3,\n    \"detailed\": false,\n    \"unit\": \"fahrenheit\",\n    \"city\": \"Oslo\"\n  }\n}\n</tool_call>",
        "<tool_call>\r\n{\t\"name\" :\t\"get_weather\" ,\r\n\t\"arguments\" : { \"city\" : \"Rome\" , \"detailed\" : true } }\r\n</tool_call>",
        // Integers (negative, zero) and numbers (fraction, exponent, signs).
        Call("get_weather", """{"city": "x", "days": -7}"""),
        Call("get_weather", """{"city": "x", "days": 0}"""),
        Call("multiply", """{"a": 12, "b": 37}"""),
        Call("multiply", """{"a": -0.25, "b": 3.5e2}"""),
        Call("multiply", """{"a": 1E+10, "b": -6.02e-23}"""),
        Call("multiply", """{"b": 0.0, "a": 0e0}"""),
        // Strings with every escape, \uXXXX in both cases and raw UTF-8.
        Call("get_weather", """{"city": "S\u00e3o \"Paulo\" \\ \/ \b\f\n\r\t \u4E2D \uD83D\uDE00"}"""),
        Call("get_stock", """{"product": "Zürich 東京 ✓"}"""),
        Call("get_stock", """{"product": ""}"""),
        // Untyped arguments take any JSON value, nested.
        Call("configure", """{"options": {"a": [1, {"b": null}, "x", true, false, -2.5e3, [], {}], "c": {"d": {"e": [[]]}}}, "tags": ["x", ["y"]]}"""),
        Call("configure", """{"options": "text", "tags": 42}"""),
        Call("configure", """{"options": null}"""),
        Call("configure", """{"tags": -1.5E3}"""),
        // Enum with a literal that a longer one extends (1 and 12), and a string literal.
        Call("configure", """{"level": 1}"""),
        Call("configure", """{"level": 12, "options": false}"""),
        Call("configure", """{"level" : "max" }"""),
        // Optional arguments omitted; nothing required so {} is fine.
        Call("configure", "{}"),
        Call("get_weather", """{"city": "Lima"}"""),
        // No declared properties: any object, or {}.
        Call("ping", "{}"),
        Call("ping", """{"anything": [1, 2, {"deep": "yes"}], "n": null, "t": true}"""),
        Call("pair", """{"ab": 2, "a": 1}"""),
    };

    [Theory]
    [MemberData(nameof(ValidCalls))]
    public void ValidCallsAreAcceptedByteByByteAndEndOutside(string call) => AssertWholeCallAccepted(grammar, call);

    [Fact]
    public void AHalfWrittenCallIsNotOutside()
    {
        string call = Call("get_weather", """{"city": "Paris"}""");
        byte[] bytes = Utf8(call);
        for (int cut = Open.Length; cut < bytes.Length; cut++)
        {
            var state = CallState.Outside;
            Assert.True(grammar.FeedAll(ref state, bytes.AsSpan(0, cut)));
            Assert.True(state.Phase != CallPhase.Free, $"cut at {cut}: {Show(call[..cut])} should still be inside the call");
        }
    }

    [Fact]
    public void TextAroundCallsAndTwoCallsInARowAreAccepted()
    {
        string reply = "Sure, let me look <tool_ that up. <<tool_call>{\"name\": \"ping\", \"arguments\": {}}</tool_call>"
            + Call("multiply", """{"a": 2, "b": 3}""") + "\n" + Call("get_stock", """{"product": "tea"}""")
            + "\nDone: {\"not\": a call} </tool_call> \"quotes\" and 40 spaces:                                         .";
        AssertWholeCallAccepted(grammar, reply);

        // Free text is free: bytes the call grammar would refuse are fine outside calls.
        AssertWholeCallAccepted(grammar, "}}}]] \u0001\u001f \\x <tool_cal> <tool call> tool_call>");
    }

    [Fact]
    public void RandomValidCallsAreAccepted()
    {
        var random = new Random(1234);
        for (int n = 0; n < 300; n++)
        {
            string call = RandomCall(random);
            AssertWholeCallAccepted(grammar, call);
        }
    }

    [Fact]
    public void UnlistedToolNamesAreRefusedAtTheFirstByteThatLeavesEveryListedName()
    {
        string name = Open + "\n{\"name\": ";
        AssertRefusedAfter(grammar, name, "g'{}x", "\"");
        AssertRefusedAfter(grammar, name + "\"", "xGa\"", "gmcp");
        AssertRefusedAfter(grammar, name + "\"get_", "x_\"g", "ws");                  // get_weather / get_stock only
        AssertRefusedAfter(grammar, name + "\"get", "\"", "_");                     // "get" is a prefix of listed names, not one
        AssertRefusedAfter(grammar, name + "\"get_weather", "2_s ", "\"");          // an extension of a listed name
        AssertRefusedAfter(grammar, name + "\"get_weather\"", "\"x{", ",");
        AssertRefusedAfter(grammar, name + "\"pin", "k", "g");

        // With listed "get" and "get_weather", "get" ends at its quote and "get_x" is refused at x.
        var prefixes = Grammar(new ToolDefinition("get", null, "{}"), GetWeather);
        AssertRefusedAfter(prefixes, name + "\"get", "x", "\"_");
        AssertRefusedAfter(prefixes, name + "\"get_", "x\"", "w");
        AssertWholeCallAccepted(prefixes, Call("get", "{}"));
        AssertWholeCallAccepted(prefixes, Call("get_weather", """{"city": "Nice"}"""));
    }

    [Fact]
    public void ArgumentNamesMustBeDeclaredAndEachGivenOnce()
    {
        string weather = Open + "{\"name\": \"get_weather\", \"arguments\": {";
        AssertRefusedAfter(grammar, weather, "x'a}", "\" ");        // '}' would close without the required city
        AssertRefusedAfter(grammar, weather + "\"", "xpa\"", "cudd");
        AssertRefusedAfter(grammar, weather + "\"cit", "iY\"", "y");
        AssertRefusedAfter(grammar, weather + "\"city", "s:", "\"");   // "citys" is undeclared
        AssertRefusedAfter(grammar, weather + "\"city\": \"Oslo\", \"", "c", "ud");  // city is used: repeating it is refused
        AssertRefusedAfter(grammar, weather + "\"days\": 2, \"city\": \"Oslo\", \"d", "a", "e");  // days used, detailed left
        AssertRefusedAfter(grammar, weather + "\"days\": 2, \"detailed\": true, \"city\": \"Oslo\", \"unit\": \"celsius\"", ",", "} ");  // all used: no comma
    }

    [Fact]
    public void TheArgumentsObjectCannotCloseWhileARequiredArgumentIsMissing()
    {
        string multiply = Open + "{\"name\": \"multiply\", \"arguments\": {";
        AssertRefusedAfter(grammar, multiply, "}", "\" ");
        AssertRefusedAfter(grammar, multiply + "\"a\": 2", "}", ", 0");
        AssertRefusedAfter(grammar, multiply + "\"b\": 2, \"a\": 3", "", "}");
        AssertRefusedAfter(grammar, Open + "{\"name\": \"get_weather\", \"arguments\": {\"days\": 1 ", "}", ",");
        AssertRefusedAfter(grammar, Open + "{\"name\": \"get_weather\", \"arguments\": {", "}", "\"");
        AssertRefusedAfter(grammar, Open + "{\"name\": \"configure\", \"arguments\": {", "", "}");
    }

    [Fact]
    public void ValuesMustHaveTheDeclaredType()
    {
        string weather = Open + "{\"name\": \"get_weather\", \"arguments\": {\"city\": \"x\", ";
        AssertRefusedAfter(grammar, weather + "\"days\": ", "\"tn{[.+", "-0123456789 ");   // integer: no string
        AssertRefusedAfter(grammar, weather + "\"days\": 1", ".eE", "0, }");              // 1.5 and 1e3 are not integers
        AssertRefusedAfter(grammar, weather + "\"days\": -", "-.e\" ", "01");
        AssertRefusedAfter(grammar, weather + "\"days\": 0", "0123456789.", ", }");     // no leading zeros
        AssertRefusedAfter(grammar, Open + "{\"name\": \"get_weather\", \"arguments\": {\"city\": ", "1tn{[", "\" ");              // string: nothing else
        AssertRefusedAfter(grammar, weather + "\"detailed\": ", "\"1n", "tf ");           // boolean
        AssertRefusedAfter(grammar, weather + "\"detailed\": tru", ",}x\" E", "e");       // "tru" must be finished with e
        AssertRefusedAfter(grammar, weather + "\"detailed\": true", "e", ",}");
        AssertRefusedAfter(grammar, weather + "\"unit\": ", "ck1t", "\"");                // enum: only its quoted literals
        AssertRefusedAfter(grammar, weather + "\"unit\": \"", "kC\"", "cf");
        AssertRefusedAfter(grammar, weather + "\"unit\": \"celsius", "x ", "\"");
        AssertRefusedAfter(grammar, weather + "\"unit\": \"celsius\"", "\"s", ",}");

        string multiply = Open + "{\"name\": \"multiply\", \"arguments\": {\"a\": ";
        AssertRefusedAfter(grammar, multiply, "\"+.tn", "-0123456789");
        AssertRefusedAfter(grammar, multiply + "1.", ".e,}", "0");
        AssertRefusedAfter(grammar, multiply + "1e", ".e,}", "+-3");
        AssertRefusedAfter(grammar, multiply + "1e+", "+-.,}", "3");
        AssertRefusedAfter(grammar, multiply + "1.5e3", ".e}", "0, ");

        string configure = Open + "{\"name\": \"configure\", \"arguments\": {";
        AssertRefusedAfter(grammar, configure + "\"level\": ", "20t{", "1\" ");            // enum [1, 12, "max"]
        AssertRefusedAfter(grammar, configure + "\"level\": 1", "13.", "2,} ");
        AssertRefusedAfter(grammar, configure + "\"level\": 12", "0123", ",} ");
        AssertRefusedAfter(grammar, configure + "\"options\": tru", ",}x", "e");           // untyped: still valid JSON
        AssertRefusedAfter(grammar, configure + "\"options\": nul", "ex", "l");
        AssertRefusedAfter(grammar, configure + "\"options\": ", "}]x+.", "{[\"-0tfn ");
        AssertRefusedAfter(grammar, configure + "\"options\": [1,", "],}", "2[{\" ");
        AssertRefusedAfter(grammar, configure + "\"options\": {\"k\"", ",}1", ": ");
    }

    /// <summary>
    /// An untyped value's number follows JSON's number grammar as a typed one does: a sign needs a digit after it, a
    /// leading 0 (signed or not) takes no further digit, other digits go on.
    /// </summary>
    [Fact]
    public void UntypedNumbersStartLikeJsonNumbers()
    {
        string options = Open + "{\"name\": \"configure\", \"arguments\": {\"options\": ";
        AssertRefusedAfter(grammar, options + "-", "-.eE}, \"", "0123456789");
        AssertRefusedAfter(grammar, options + "0", "0123456789", ".eE,} ");
        AssertRefusedAfter(grammar, options + "-0", "0123456789", ".eE,} ");
        AssertRefusedAfter(grammar, options + "7", "-", "0123456789.eE,} ");
        AssertRefusedAfter(grammar, options + "-7", "-", "0123456789.eE,} ");
        AssertRefusedAfter(grammar, Open + "{\"name\": \"get_weather\", \"arguments\": {\"city\": \"x\", \"days\": -0", "0123456789.eE", ",} ");
    }

    /// <summary>Constraints/README.md: an untyped value nests up to 64 levels; the 65th container is refused, whichever bracket.</summary>
    [Fact]
    public void UntypedValuesNestSixtyFourContainersDeep()
    {
        string options = Open + "{\"name\": \"configure\", \"arguments\": {\"options\": ";
        string deepest = options + string.Concat(Enumerable.Range(0, 64).Select(i => i % 2 == 0 ? "[" : "{\"k\": "));
        AssertRefusedAfter(grammar, deepest, "[{]}", "1\"tfn- ");
        string closing = string.Concat(Enumerable.Range(0, 64).Reverse().Select(i => i % 2 == 0 ? "]" : "}"));
        AssertWholeCallAccepted(grammar, deepest + "1" + closing + "}}" + Close);
        AssertRefusedAfter(grammar, options + new string('[', 63), "", "[{");
    }

    [Fact]
    public void NestedContainersMustCloseWithTheirOwnBracket()
    {
        string configure = Open + "{\"name\": \"configure\", \"arguments\": {\"options\": ";
        AssertRefusedAfter(grammar, configure + "{\"k\": [1", "}", "],");
        AssertRefusedAfter(grammar, configure + "[{\"k\": 1", "]", "},");
        AssertRefusedAfter(grammar, configure + "[{\"k\": 1}", "}", "],");
        AssertRefusedAfter(grammar, configure + "{", "1[]", "\"}");   // object keys are strings
        AssertRefusedAfter(grammar, configure + "{\"a\": 1, ", "}1", "\"");  // no trailing comma
        AssertRefusedAfter(grammar, configure + "[1, ", "]", "2");
        AssertRefusedAfter(Grammar(Ping), Open + "{\"name\": \"ping\", \"arguments\": {\"x\": {\"y\": 1}", "]", "},");
    }

    [Fact]
    public void StringsRefuseControlCharactersAndBadEscapes()
    {
        string city = Open + "{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Pa";
        AssertRefusedAfter(grammar, city, "\n\t\r\u0000\u0001\u001f", "r \\\"/'\u007f");
        AssertRefusedAfter(grammar, city + "\\", "xaU0 \n'", "\"\\/bfnrtu");
        AssertRefusedAfter(grammar, city + "\\u", "gG\"x", "0aF");
        AssertRefusedAfter(grammar, city + "\\u00", "gz\"", "e9");
        AssertRefusedAfter(grammar, city + "\\u00e", "g\"", "9");
        AssertRefusedAfter(grammar, city + "\\u00e9", "\n", "0\"g");  // four digits done: plain text again

        // The same rules hold inside untyped values, in nested keys, and in object keys of tools without properties.
        AssertRefusedAfter(grammar, Open + "{\"name\": \"configure\", \"arguments\": {\"options\": [\"a", "\n\u0002", "b");
        AssertRefusedAfter(grammar, Open + "{\"name\": \"configure\", \"arguments\": {\"options\": {\"k\\", "q", "n");
        AssertRefusedAfter(grammar, Open + "{\"name\": \"ping\", \"arguments\": {\"a", "\t\n", "b");
    }

    [Fact]
    public void AtMostSixteenWhitespaceBytesInARowBetweenJsonTokens()
    {
        string ws16 = " \n\t\r            ";
        Assert.Equal(ToolCallGrammar.MaxWhitespace, ws16.Length);
        AssertRefusedAfter(grammar, Open + ws16, " \n\t\r", "{");
        AssertRefusedAfter(grammar, Open + "{\"name\":" + ws16, " \n", "\"");
        AssertRefusedAfter(grammar, Open + "{\"name\":" + ws16[..15], "", " \"");

        // The count restarts after every other byte.
        string spaced = Open + ws16 + "{" + ws16 + "\"name\"" + ws16 + ":" + ws16 + "\"ping\"" + ws16 + "," + ws16 + "\"arguments\"" + ws16 + ":" + ws16 + "{" + ws16 + "}" + ws16 + "}" + ws16 + Close;
        AssertWholeCallAccepted(grammar, spaced);
        AssertRefusedAfter(grammar, Open + "{\"name\": \"multiply\", \"arguments\": {\"a\":" + ws16 + "1" + ws16, " ", ",");
        AssertRefusedAfter(grammar, Open + "{\"name\": \"configure\", \"arguments\": {\"options\": [" + ws16, " ", "1]");
        AssertRefusedAfter(grammar, Open + "{\"name\": \"ping\", \"arguments\": {}}" + ws16, " ", "<");

        // Whitespace inside strings is text, not counted.
        AssertWholeCallAccepted(grammar, Call("get_stock", "{\"product\": \"" + new string(' ', 40) + "\"}"));
    }

    [Fact]
    public void TheNameComesFirstThenTheArguments()
    {
        AssertRefusedAfter(grammar, Open + "{\"", "a", "n");
        AssertRefusedAfter(grammar, Open + "{", "}[n", "\" ");
        AssertRefusedAfter(grammar, Open, "[\"n", "{ ");
        AssertRefusedAfter(grammar, Open + "{\"name\"", "\",", ": ");
        AssertRefusedAfter(grammar, Open + "{\"name\": \"ping\", \"", "n", "a");
        AssertRefusedAfter(grammar, Open + "{\"name\": \"ping\"", "}", ", ");   // arguments are not optional
        AssertRefusedAfter(grammar, Open + "{\"name\": \"ping\", \"arguments\": ", "\"n[", "{ ");
        AssertRefusedAfter(grammar, Open + "{\"name\": \"ping\", \"arguments\": {}", ",", "} ");  // nothing after the arguments
        AssertRefusedAfter(grammar, Open + "{\"name\": \"ping\", \"arguments\": {}}", "}x", "<\n ");
        AssertRefusedAfter(grammar, Open + "{\"name\": \"ping\", \"arguments\": {}}\n</tool", "-C>", "_");
    }

    [Fact]
    public void AKeyThatPrefixesAnotherCannotBeEnteredOnceUsed()
    {
        var pair = Grammar(Pair);
        string args = Open + "{\"name\": \"pair\", \"arguments\": {";

        // Both free: "a continues with either its quote or b.
        AssertRefusedAfter(pair, args + "\"a", "c", "\"b");

        // "a" used: "a must only continue with b (no dead end at "a").
        AssertRefusedAfter(pair, args + "\"a\": 1, \"a", "\"", "b");
        AssertRefusedAfter(pair, args + "\"a\": 1, \"ab", "b", "\"");

        // "ab" used: "a must end.
        AssertRefusedAfter(pair, args + "\"ab\": 1, \"a", "b", "\"");

        // Both used: nothing more.
        AssertRefusedAfter(pair, args + "\"ab\": 1, \"a\": 2", ",", "}");
    }

    [Fact]
    public void NameAlternativesListTheToolsThatStillFitWithTheirRemainingBytes()
    {
        var state = FeedEach(grammar, Open + "\n{\"name\":");
        var all = grammar.NameAlternatives(state);
        Assert.Equal(grammar.Tools.Count, all.Count);
        Assert.Equal(" \"get_weather\"", Encoding.UTF8.GetString(all.Single(a => a.Tool == 0).Remaining));

        state = FeedEach(grammar, Open + "\n{\"name\": \"get_");
        var rest = grammar.NameAlternatives(state);
        Assert.Equal(new[] { "weather\"", "stock\"" }, rest.Select(a => Encoding.UTF8.GetString(a.Remaining)));
        Assert.Equal(new[] { 0, 1 }, rest.Select(a => a.Tool));

        // Only one left: nothing to choose.
        Assert.Empty(grammar.NameAlternatives(FeedEach(grammar, Open + "\n{\"name\": \"m")));

        // Once chosen, the name may only be that tool's.
        ToolCallGrammar.ChooseName(ref state, 1);
        Assert.Empty(grammar.NameAlternatives(state));
        var copy = state;
        Assert.False(grammar.Feed(ref copy, (byte)'w'));
        copy = state;
        Assert.True(grammar.FeedAll(ref copy, Utf8("stock\", \"arguments\": {\"product\": \"x\"}}</tool_call>")));
        Assert.Equal(CallPhase.Free, copy.Phase);
    }

    [Fact]
    public void BadToolListsAreClearErrors()
    {
        Assert.Contains("at least one tool", Assert.Throws<ArgumentException>(() => Grammar()).Message);
        Assert.Contains("'ping'", Assert.Throws<ArgumentException>(() => Grammar(Ping, Ping)).Message);
        Assert.Contains("not valid JSON", Assert.Throws<ArgumentException>(() => Grammar(new ToolDefinition("x", null, "{"))).Message);
        Assert.Contains("must be a JSON object", Assert.Throws<ArgumentException>(() => Grammar(new ToolDefinition("x", null, "[]"))).Message);
    }

    /// <summary>A random valid call of a random tool: random argument order and subset, values and whitespace.</summary>
    private static string RandomCall(Random r)
    {
        string Ws() => r.Next(3) switch
        {
            0 => string.Empty,
            1 => " ",
            _ => new string(" \n\t\r"[r.Next(4)], r.Next(1, 17)),
        };

        string Str()
        {
            var b = new StringBuilder("\"");
            for (int i = r.Next(6); i > 0; i--)
            {
                b.Append(r.Next(6) switch
                {
                    0 => "\\n",
                    1 => "\\u00" + r.Next(16, 255).ToString("x2"),
                    2 => "é",
                    3 => "\\\"",
                    _ => ((char)r.Next('a', 'z' + 1)).ToString(),
                });
            }

            return b.Append('"').ToString();
        }

        // Items with whitespace around them; an empty container gets one run of whitespace at most.
        string Items(List<string> items) => items.Count == 0 ? Ws() : Ws() + string.Join(Ws() + "," + Ws(), items) + Ws();

        string Int() => (r.Next(2) == 0 ? "-" : string.Empty) + (r.Next(4) == 0 ? "0" : r.Next(1, 100000).ToString());
        string Num() => Int() + (r.Next(2) == 0 ? "." + r.Next(0, 1000) : string.Empty) + (r.Next(3) == 0 ? "e" + (r.Next(3) switch { 0 => "+", 1 => "-", _ => string.Empty }) + r.Next(0, 30) : string.Empty);
        string Any(int depth) => (depth > 2 ? r.Next(5) : r.Next(7)) switch
        {
            0 => Str(),
            1 => Num(),
            2 => "true",
            3 => "false",
            4 => "null",
            5 => "[" + Items(Enumerable.Range(0, r.Next(3)).Select(_ => Any(depth + 1)).ToList()) + "]",
            _ => "{" + Items(Enumerable.Range(0, r.Next(3)).Select(i => Str() + Ws() + ":" + Ws() + Any(depth + 1)).ToList()) + "}",
        };

        (string Name, (string Key, Func<string> Value, bool Required)[] Args) tool = r.Next(5) switch
        {
            0 => ("get_weather", [("city", Str, true), ("unit", () => r.Next(2) == 0 ? "\"celsius\"" : "\"fahrenheit\"", false), ("days", Int, false), ("detailed", () => r.Next(2) == 0 ? "true" : "false", false)]),
            1 => ("multiply", [("a", Num, true), ("b", Num, true)]),
            2 => ("configure", [("options", () => Any(0), false), ("tags", () => Any(0), false), ("level", () => new[] { "1", "12", "\"max\"" }[r.Next(3)], false)]),
            3 => ("get_stock", [("product", Str, true)]),
            _ => ("ping", []),
        };

        string arguments;
        if (tool.Name == "ping")
        {
            arguments = Any(0) is var v && v.StartsWith('{') ? v : "{}";
        }
        else
        {
            var chosen = tool.Args.Where(a => a.Required || r.Next(2) == 0).OrderBy(_ => r.Next()).ToList();
            arguments = "{" + Items(chosen.Select(a => $"\"{a.Key}\"{Ws()}:{Ws()}{a.Value()}").ToList()) + "}";
        }

        string call = $"<tool_call>{Ws()}{{{Ws()}\"name\"{Ws()}:{Ws()}\"{tool.Name}\"{Ws()},{Ws()}\"arguments\"{Ws()}:{Ws()}{arguments}{Ws()}}}{Ws()}</tool_call>";

        // Sanity: the call's JSON really is JSON (the grammar is not being tested against a broken generator).
        string json = call["<tool_call>".Length..call.LastIndexOf("</tool_call>", StringComparison.Ordinal)];
        using var document = JsonDocument.Parse(json);
        Assert.Equal(tool.Name, document.RootElement.GetProperty("name").GetString());
        return call;
    }
}
