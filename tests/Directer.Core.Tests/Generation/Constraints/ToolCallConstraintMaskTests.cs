using System.Text;
using System.Text.Json.Nodes;
using Directer.Core.Generation.Constraints;
using Directer.Core.Templates;
using Directer.Core.Tokenization;
using Directer.Testing;
using static Directer.Core.Tests.Generation.Constraints.ConstraintFixtures;
using Directer.Core.Chat;

namespace Directer.Core.Tests.Generation.Constraints;

/// <summary>
/// <see cref="ToolCallConstraint.AllowedNext"/> against a brute-force reference: every vocabulary id's bytes fed into
/// a copy of the grammar state reached by the bytes accepted so far (read from the tokenizer, not from the
/// constraint's vocabulary trie).
/// </summary>
public sealed class ToolCallConstraintMaskTests : IDisposable
{
    private static readonly ToolDefinition[] Tools = [GetWeather, GetStock, Multiply, Configure, Ping];

    private static readonly string[] Replies =
    [
        "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"unit\": \"celsius\", \"days\": 3}}\n</tool_call>",
        "Let me check that.\n<tool_call>\n{\"name\": \"multiply\", \"arguments\": {\"a\": 12, \"b\": -3.5e2}}\n</tool_call>\n<tool_call>\n{\"name\": \"ping\", \"arguments\": {}}\n</tool_call>",
        "<tool_call>{\"name\":\"configure\",\"arguments\":{\"options\":{\"x\":[1,true,null,\"s\\\"q\"]},\"tags\":[\"a\"],\"level\":12}}</tool_call> done",
        "<tool_call>\n{\n  \"name\": \"get_stock\",\n  \"arguments\": {\n    \"product\": \"Zürich caf\\u00e9 \\n\"\n  }\n}\n</tool_call>\nThat is all.",
        "<tool_call>\n{\"name\": \"ping\", \"arguments\": {\"k\": [{\"deep\": \"yes\"}, 2], \"n\": null}}\n</tool_call>",
    ];

    private readonly string directory = Directory.CreateTempSubdirectory("directer-constraint-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    public static TheoryData<string, int> Tokenizers() => new()
    {
        { "demo", 0 },
        { "demo", 7 },      // a model vocabulary padded past the tokenizer's
        { "tiny", 0 },
        { "sentencepiece", 3 },
    };

    private TextTokenizer Load(string which) => which switch
    {
        "demo" => DemoTokenizer,
        "tiny" => TinyWithCallTokens(),
        _ => TextTokenizer.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "tokenizers", "sentencepiece")),
    };

    [Theory]
    [MemberData(nameof(Tokenizers))]
    public void EveryStepOfValidCallsMasksExactlyWhatTheGrammarRefuses(string which, int padding)
    {
        var tokenizer = Load(which);
        int vocabSize = tokenizer.VocabSize + padding;
        var grammar = Grammar(Tools);
        var constraint = ToolCallConstraint.ForHermes(tokenizer, Tools);
        int inside = 0, outside = 0;
        foreach (string reply in Replies)
        {
            var ids = tokenizer.Encode(reply);
            Assert.Equal(reply, tokenizer.Decode(ids));
            constraint.Begin();
            var state = CallState.Outside;
            for (int step = 0; step < ids.Count; step++)
            {
                var expected = BruteForce(grammar, tokenizer, state, vocabSize);
                var allowed = constraint.AllowedNext(vocabSize);
                string where = $"{which}: step {step} of {Json(reply)} after {Json(tokenizer.Decode(ids.Take(step)))}";
                Assert.Equal(state.Phase != CallPhase.Free, constraint.InsideCall);
                if (state.Phase == CallPhase.Free)
                {
                    outside++;
                }
                else
                {
                    inside++;
                    Assert.True(allowed is not null, $"{where}: inside a call the mask is never null");
                }

                AssertSameMask(expected, allowed, tokenizer, where);
                Assert.True(expected[ids[step]], $"{where}: the reply's own token {ids[step]} is refused");
                constraint.Accept(ids[step]);
                Assert.True(grammar.FeedAll(ref state, Bytes(tokenizer, ids[step])));
            }

            Assert.Equal(CallPhase.Free, state.Phase);
            Assert.False(constraint.InsideCall);
        }

        Assert.True(inside > 50 && outside > 5, $"the walk should cover both sides of calls: {inside} inside, {outside} outside");
    }

    [Theory]
    [InlineData("demo")]
    [InlineData("tiny")]
    public void AcceptThrowsForRefusedTokensAndTakesAllowedOnes(string which)
    {
        var tokenizer = Load(which);
        int vocabSize = tokenizer.VocabSize;
        var grammar = Grammar(Tools);
        var random = new Random(5);
        string reply = Replies[0];
        var ids = tokenizer.Encode(reply);
        var state = CallState.Outside;
        int checkedRefusals = 0;
        for (int step = 0; step < ids.Count; step++)
        {
            var expected = BruteForce(grammar, tokenizer, state, vocabSize);
            var refused = Enumerable.Range(0, vocabSize).Where(id => !expected[id]).ToList();
            var allowedIds = Enumerable.Range(0, vocabSize).Where(id => expected[id]).ToList();
            foreach (int id in refused.Take(1).Concat(refused.Count > 1 ? [refused[random.Next(refused.Count)]] : []))
            {
                var replayed = Replay(tokenizer, ids.Take(step));
                var error = Assert.Throws<InvalidOperationException>(() => replayed.Accept(id));
                Assert.Contains($"Token {id}", error.Message);
                checkedRefusals++;

                // The failed Accept left the state alone: the reply's own token still fits.
                replayed.Accept(ids[step]);
            }

            int fine = allowedIds[random.Next(allowedIds.Count)];
            Replay(tokenizer, ids.Take(step)).Accept(fine);
            Assert.True(grammar.FeedAll(ref state, Bytes(tokenizer, ids[step])));
        }

        Assert.True(checkedRefusals > 20, $"only {checkedRefusals} refusals checked");
    }

    [Theory]
    [InlineData("demo")]
    [InlineData("tiny")]
    public void SpecialTokensAreRefusedInsideACallAndAllowedOutside(string which)
    {
        var tokenizer = Load(which);
        int eos = tokenizer.TokenToId("<|im_end|>")!.Value;
        Assert.True(tokenizer.IsSpecial(eos));
        var constraint = ToolCallConstraint.ForHermes(tokenizer, Tools);
        constraint.Begin();
        var outside = constraint.AllowedNext(tokenizer.VocabSize);
        Assert.True(outside is null || outside[eos]);
        constraint.Accept(eos); // outside: a special token is fine and changes nothing
        Assert.False(constraint.InsideCall);

        int insideSteps = 0;
        foreach (int id in tokenizer.Encode("<tool_call>\n{\"name\": \"ping\", "))
        {
            constraint.Accept(id);
            var next = constraint.AllowedNext(tokenizer.VocabSize);
            if (!constraint.InsideCall)
            {
                Assert.True(next is null || next[eos]); // "<", "<t", ...: still outside
                continue;
            }

            insideSteps++;
            Assert.NotNull(next);
            Assert.False(next![eos]);
            Assert.All(Enumerable.Range(0, tokenizer.VocabSize).Where(tokenizer.IsSpecial), special => Assert.False(next[special], $"special token {special} allowed inside a call"));
        }

        Assert.True(insideSteps >= 4);

        Assert.Contains("special token", Assert.Throws<InvalidOperationException>(() => constraint.Accept(eos)).Message);
    }

    [Fact]
    public void DemoVocabularyIsRestrictedOutsideCallsOnlyWhileTheOpenerIsHalfWritten()
    {
        // Outside calls the demo vocabulary's only risk is a token starting with ">" after a pending "<tool_call".
        var tokenizer = DemoTokenizer;
        var grammar = Grammar(Tools);
        var constraint = ToolCallConstraint.ForHermes(tokenizer, Tools);
        constraint.Begin();
        var state = CallState.Outside;
        int Id(string token) => tokenizer.TokenToId(token) ?? throw new InvalidOperationException($"no demo token {token}");
        foreach (int id in tokenizer.Encode("Some text with <tool and <tool_ and <tool_call"))
        {
            var mask = constraint.AllowedNext(tokenizer.VocabSize);
            AssertSameMask(BruteForce(grammar, tokenizer, state, tokenizer.VocabSize), mask, tokenizer, "outside");
            Assert.Null(mask);
            constraint.Accept(id);
            Assert.True(grammar.FeedAll(ref state, Bytes(tokenizer, id)));
        }

        Assert.Equal(CallPhase.Free, state.Phase);
        var pending = constraint.AllowedNext(tokenizer.VocabSize);
        AssertSameMask(BruteForce(grammar, tokenizer, state, tokenizer.VocabSize), pending, tokenizer, "after <tool_call");
        Assert.NotNull(pending);
        Assert.False(pending![Id(">,")]);      // "<tool_call>," is no call
        Assert.False(pending[Id("></")]);
        Assert.False(pending[Id(">}Ċ")]);
        Assert.True(pending[Id(">")]);
        Assert.True(pending[Id(">Ċ")]);        // "<tool_call>\n": whitespace before the call object
        Assert.True(pending[Id(">ĊĊ")]);
        Assert.True(pending[Id("ool")]);       // "<tool_callool": the opener is off, text is free
        Assert.True(pending[tokenizer.TokenToId("<|im_end|>")!.Value]);
        Assert.True(pending.Count(a => !a) >= 3);
        Assert.Throws<InvalidOperationException>(() => constraint.Accept(Id(">,")));

        int opener = tokenizer.TokenToId("<tool_call>")!.Value;
        Assert.False(tokenizer.IsSpecial(opener));
        constraint.Accept(Id(">Ċ"));
        Assert.True(constraint.InsideCall);
        Assert.False(constraint.AllowedNext(tokenizer.VocabSize)![opener]);
    }

    [Fact]
    public void TokensThatOpenACallAndContinueItInvalidlyAreRefusedOutside()
    {
        var tokenizer = TinyWithCallTokens();
        int vocabSize = tokenizer.VocabSize;
        int Id(string text) => tokenizer.TokenToId(ByteLevel(text)) ?? throw new InvalidOperationException($"no token {Json(text)}");
        var constraint = ToolCallConstraint.ForHermes(tokenizer, Tools);
        var grammar = Grammar(Tools);
        constraint.Begin();

        // At the start: tokens holding the whole opener are checked against what follows it.
        var allowed = constraint.AllowedNext(vocabSize);
        Assert.NotNull(allowed);
        AssertSameMask(BruteForce(grammar, tokenizer, CallState.Outside, vocabSize), allowed, tokenizer, "start");
        Assert.False(allowed![Id("<tool_call>x")]);
        Assert.False(allowed[Id("a<tool_call>x")]);
        Assert.False(allowed[Id("<tool_call>{x")]);
        Assert.True(allowed[Id("<tool_call>")]);
        Assert.True(allowed[Id("<tool_call>{\"")]);
        Assert.True(allowed[Id("ok</tool_call>")]);
        Assert.True(allowed[Id("_call>x")]);              // no partial opener pending: just text
        Assert.True(allowed[Id("\"}}\n</tool_call>\n<tool_call>\n{\"")]);
        Assert.False(allowed[Id("</tool_call><tool_call>x")]);
        Assert.Equal(vocabSize - 4, allowed.Count(a => a));
        Assert.Throws<InvalidOperationException>(() => constraint.Accept(Id("<tool_call>x")));

        // "<tool" written byte by byte: now the tokens starting with "_call>" complete the opener.
        foreach (byte b in "Hi <tool"u8)
        {
            constraint.Accept(b); // the byte tokens' ids are their byte values
        }

        var state = CallState.Outside;
        Assert.True(grammar.FeedAll(ref state, "Hi <tool"u8));
        allowed = constraint.AllowedNext(vocabSize);
        Assert.NotNull(allowed);
        AssertSameMask(BruteForce(grammar, tokenizer, state, vocabSize), allowed, tokenizer, "after <tool");
        Assert.False(allowed![Id("_call>x")]);
        Assert.False(allowed[Id("_call>{x")]);
        Assert.True(allowed[Id("_call>")]);
        Assert.True(allowed[Id("_call>{")]);
        Assert.True(allowed[Id("_call> ")]);
        Assert.True(allowed[Id("_call>\n\n")]);
        Assert.True(allowed['_']);
        Assert.True(allowed['x']);  // breaks the partial opener: free text again
        Assert.False(allowed[Id("<tool_call>x")]);

        // The same after "<tool" as one token, then the opener completes and the call's mask takes over.
        constraint.Begin();
        constraint.Accept(Id("<tool"));
        allowed = constraint.AllowedNext(vocabSize);
        Assert.False(allowed![Id("_call>x")]);
        Assert.True(allowed[Id("_call>{")]);
        constraint.Accept(Id("_call>{"));
        Assert.True(constraint.InsideCall);
        allowed = constraint.AllowedNext(vocabSize)!;
        Assert.True(allowed['"']);
        Assert.True(allowed[Id("\"name\": ")]);
        Assert.False(allowed['{']);
        Assert.False(allowed[Id("_call>{")]);
    }

    [Fact]
    public void WhitespaceRunsLongerThanTheLimitAreMaskedInsideACall()
    {
        var tokenizer = TinyWithCallTokens();
        int Id(string text) => tokenizer.TokenToId(ByteLevel(text))!.Value;
        var constraint = ToolCallConstraint.ForHermes(tokenizer, Tools);
        constraint.Begin();
        constraint.Accept(Id("<tool_call>"));
        var allowed = constraint.AllowedNext(tokenizer.VocabSize)!;
        Assert.True(allowed[Id(new string(' ', 16))]);
        Assert.False(allowed[Id(new string(' ', 17))]);
        constraint.Accept(Id(new string(' ', 8)));
        allowed = constraint.AllowedNext(tokenizer.VocabSize)!;
        Assert.True(allowed[Id(new string(' ', 8))]);
        Assert.False(allowed[Id(new string(' ', 16))]);
    }

    [Fact]
    public void ByDefaultTheNameIsWrittenTokenByTokenWithNoChoiceToScore()
    {
        var tokenizer = DemoTokenizer;
        var constraint = ToolCallConstraint.ForHermes(tokenizer, Tools);
        constraint.Begin();
        foreach (int id in tokenizer.Encode("<tool_call>\n{\"name\": \""))
        {
            constraint.Accept(id);
        }

        Assert.Empty(constraint.PendingChoices());
        bool[] allowed = constraint.AllowedNext(tokenizer.VocabSize)!;
        Assert.True(allowed[tokenizer.Encode("get")[0]]);
        Assert.True(allowed[tokenizer.Encode("m")[0]]);
    }

    [Fact]
    public void TheToolNameIsChosenWholeAndThenOnlyThatNameCanBeWritten()
    {
        var tokenizer = DemoTokenizer;
        var grammar = Grammar(Tools);
        var constraint = ToolCallConstraint.ForHermes(tokenizer, Tools, scoreWholeNames: true);
        constraint.Begin();
        var state = CallState.Outside;
        Assert.Empty(constraint.PendingChoices());
        foreach (int id in tokenizer.Encode("Sure.\n<tool_call>\n{\"name\":"))
        {
            constraint.Accept(id);
            Assert.True(grammar.FeedAll(ref state, Bytes(tokenizer, id)));
        }

        Assert.Equal(CallPhase.NameValue, state.Phase);
        var choices = constraint.PendingChoices();
        Assert.Equal(Tools.Length, choices.Count);
        Assert.Equal(Tools.Select(t => $" \"{t.Name}\""), choices.Select(c => tokenizer.Decode(c)));

        // A twin that is not told the choice, to compare with.
        var unchosen = ToolCallConstraint.ForHermes(tokenizer, Tools, scoreWholeNames: true);
        unchosen.Begin();
        foreach (int id in tokenizer.Encode("Sure.\n<tool_call>\n{\"name\":"))
        {
            unchosen.Accept(id);
        }

        int multiply = Array.IndexOf(Tools, Multiply);
        constraint.Choose(multiply);
        Assert.Equal(new[] { "multiply" }, constraint.ChosenTools);
        Assert.Empty(constraint.PendingChoices());
        ToolCallGrammar.ChooseName(ref state, multiply);
        Assert.True(choices[multiply].Count >= 2, "the name should take more than one token");
        Assert.Equal(choices[multiply][0], choices[Array.IndexOf(Tools, GetWeather)][0]); // both start with the quote token
        AssertSameMask(BruteForce(grammar, tokenizer, state, tokenizer.VocabSize), constraint.AllowedNext(tokenizer.VocabSize), tokenizer, "after Choose");

        // Once the quote is written the chosen constraint only lets multiply's name go on, the twin any listed name.
        constraint.Accept(choices[multiply][0]);
        unchosen.Accept(choices[multiply][0]);
        Assert.True(grammar.FeedAll(ref state, Bytes(tokenizer, choices[multiply][0])));
        var after = constraint.AllowedNext(tokenizer.VocabSize)!.ToArray();
        var free = unchosen.AllowedNext(tokenizer.VocabSize)!;
        AssertSameMask(BruteForce(grammar, tokenizer, state, tokenizer.VocabSize), after, tokenizer, "chosen, after the quote");
        Assert.True(after.Count(a => a) < free.Count(a => a), "choosing a tool must narrow the mask");
        Assert.All(Enumerable.Range(0, after.Length), id => Assert.True(!after[id] || free[id]));
        Assert.True(after[choices[multiply][1]]);
        int getToken = choices[Array.IndexOf(Tools, GetWeather)][1];
        Assert.True(free[getToken]);
        Assert.False(after[getToken]);

        // Walk the rest of the multiply call, each step against the brute force with the choice applied.
        foreach (int id in choices[multiply].Skip(1).Concat(tokenizer.Encode(", \"arguments\": {\"a\": 12, \"b\": 37}}\n</tool_call>")))
        {
            AssertSameMask(BruteForce(grammar, tokenizer, state, tokenizer.VocabSize), constraint.AllowedNext(tokenizer.VocabSize), tokenizer, "multiply");
            constraint.Accept(id);
            Assert.True(grammar.FeedAll(ref state, Bytes(tokenizer, id)));
        }

        Assert.False(constraint.InsideCall);

        // After "get_" only two tools still fit: the choices are the rest of their names, without a space.
        foreach (int id in tokenizer.Encode("<tool_call>\n{\"name\": \"get_"))
        {
            constraint.Accept(id);
        }

        var rest = constraint.PendingChoices();
        Assert.Equal(new[] { "weather\"", "stock\"" }, rest.Select(c => tokenizer.Decode(c)));
        Assert.Throws<ArgumentOutOfRangeException>(() => constraint.Choose(2));
        constraint.Choose(1);
        Assert.Equal(new[] { "multiply", "get_stock" }, constraint.ChosenTools);
        Assert.Throws<InvalidOperationException>(() => constraint.Accept(tokenizer.Encode("w")[0]));

        constraint.Begin();
        Assert.Empty(constraint.ChosenTools);
        Assert.False(constraint.InsideCall);
    }

    [Fact]
    public void ConstructionErrorsAreClear()
    {
        var tokenizer = DemoTokenizer;
        Assert.Throws<ArgumentException>(() => ToolCallConstraint.ForHermes(tokenizer, []));
        Assert.Contains("'ping'", Assert.Throws<ArgumentException>(() => ToolCallConstraint.ForHermes(tokenizer, [Ping, Ping])).Message);
        foreach (string name in new[] { "chatml", "qwen2", "phi3", "llama3.0", "llama2" })
        {
            var template = ChatTemplates.ByName(name);
            var error = Assert.Throws<NotSupportedException>(() => ToolCallConstraint.Create(template, tokenizer, Tools));
            Assert.Contains($"'{template.Name}'", error.Message);
        }

        Assert.Equal(ToolCallFormat.Hermes, ToolCallConstraint.Create(ChatTemplates.ByName("qwen2.5"), tokenizer, Tools).Format);
        Assert.Equal(ToolCallFormat.Llama3Json, ToolCallConstraint.Create(ChatTemplates.ByName("llama3.1"), tokenizer, Tools).Format);
        Assert.Equal(ToolCallFormat.Mistral, ToolCallConstraint.Create(ChatTemplates.ByName("mistral"), tokenizer, Tools).Format);
        Assert.Throws<ArgumentException>(() => ToolCallConstraint.For(ToolCallFormat.None, tokenizer, Tools));

        // Qwen3-Coder's XML calls are parsed but not constrained: refused with the format's name.
        var coder = ChatTemplates.Detect(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "templates", "hub", "qwen3-coder-30b.jinja")), null);
        var xml = Assert.Throws<NotSupportedException>(() => ToolCallConstraint.Create(coder, tokenizer, Tools));
        Assert.Contains("QwenXml", xml.Message, StringComparison.Ordinal);
    }

    /// <summary>The reference: for each id, whether its bytes (none for special tokens, holes and padding) keep the grammar alive.</summary>
    internal static bool[] BruteForce(ToolCallGrammar grammar, TextTokenizer tokenizer, CallState state, int vocabSize)
    {
        var result = new bool[vocabSize];
        for (int id = 0; id < vocabSize; id++)
        {
            byte[] bytes = Bytes(tokenizer, id);
            if (bytes.Length == 0)
            {
                result[id] = state.Phase == CallPhase.Free;
                continue;
            }

            var copy = state;
            result[id] = grammar.FeedAll(ref copy, bytes);
        }

        return result;
    }

    internal static byte[] Bytes(TextTokenizer tokenizer, int id)
    {
        if (id >= tokenizer.VocabSize || tokenizer.IsSpecial(id))
        {
            return [];
        }

        try
        {
            return tokenizer.TokenBytes(id).ToArray();
        }
        catch (ArgumentOutOfRangeException)
        {
            return [];
        }
    }

    /// <summary>Null must mean that nothing is refused; otherwise the flags must match id by id.</summary>
    internal static void AssertSameMask(bool[] expected, bool[]? actual, TextTokenizer tokenizer, string where)
    {
        if (actual is null)
        {
            int refused = Array.IndexOf(expected, false);
            Assert.True(refused < 0, $"{where}: the mask is null but token {refused} {Json(Encoding.UTF8.GetString(Bytes(tokenizer, refused)))} breaks the grammar");
            return;
        }

        Assert.Equal(expected.Length, actual.Length);
        for (int id = 0; id < expected.Length; id++)
        {
            if (expected[id] != actual[id])
            {
                Assert.Fail($"{where}: token {id} {Json(Encoding.UTF8.GetString(Bytes(tokenizer, id)))} is {(actual[id] ? "allowed" : "refused")} but the grammar {(expected[id] ? "accepts" : "refuses")} it");
            }
        }

        Assert.Contains(true, actual);
    }

    private static ToolCallConstraint Replay(TextTokenizer tokenizer, IEnumerable<int> ids)
    {
        var constraint = ToolCallConstraint.ForHermes(tokenizer, Tools);
        constraint.Begin();
        foreach (int id in ids)
        {
            constraint.Accept(id);
        }

        return constraint;
    }

    private static string Json(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    private static string ByteLevel(string text) => string.Concat(Encoding.UTF8.GetBytes(text).Select(b => TinyTokenizer.ByteChar(b)));

    /// <summary>Texts added to the tiny byte-level vocabulary (as tokens the merges never produce, but a model may emit).</summary>
    private static readonly string[] CallTokens =
    [
        "<tool_call>", "<tool_call>x", "a<tool_call>x", "<tool_call>{x", "<tool_call>{\"", "<tool", "_call>", "_call>x", "_call>{", "_call>{x", "_call> ", "_call>\n\n",
        "ok</tool_call>", "\"}}\n</tool_call>\n<tool_call>\n{\"", "</tool_call><tool_call>x", "\"name\": ", "\"arguments\": {", "\": \"", "\"}}",
        new string(' ', 8), new string(' ', 16), new string(' ', 17),
    ];

    private TextTokenizer TinyWithCallTokens()
    {
        string folder = Path.Combine(directory, "tiny");
        if (!File.Exists(Path.Combine(folder, "tokenizer.json")))
        {
            int next = TinyTokenizer.Vocab().Count + TinyTokenizer.Specials.Length;
            TinyTokenizer.Write(folder, edit: root =>
            {
                var vocab = (JsonObject)root["model"]!["vocab"]!;
                foreach (string text in CallTokens)
                {
                    vocab[ByteLevel(text)] = next++;
                }
            });
        }

        return TextTokenizer.Load(folder);
    }
}
