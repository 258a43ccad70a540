using System.Text;
using System.Text.Json.Nodes;
using Directer.Core.Chat;
using Directer.Core.Generation;
using Directer.Core.Generation.Constraints;
using Directer.Core.Templates;
using Directer.Core.Tokenization;
using Directer.Testing;
using static Directer.Core.Tests.Generation.Constraints.ConstraintFixtures;
using static Directer.Core.Tests.Generation.Constraints.ToolCallConstraintMaskTests;

namespace Directer.Core.Tests.Generation.Constraints;

/// <summary>
/// <see cref="ToolCallConstraint"/> at the edges of its contract: a model vocabulary smaller than the tokenizer's (ids
/// past it never allowed, the rest masked as the grammar says), masks that change size between steps, the errors a
/// caller can meet (each message exact), and tokens without text. The tokenizer is the tiny byte-level one (a byte
/// token's id is the byte), with Mistral's <c>[TOOL_CALLS]</c> as special token 271.
/// </summary>
public sealed class ToolCallConstraintEdgeTests : IDisposable
{
    private const int Marker = 271;
    private static readonly ToolDefinition[] Tools = [GetWeather, GetStock, Multiply, Configure, Ping];

    private readonly string directory = Directory.CreateTempSubdirectory("directer-constraint-edge-").FullName;
    private readonly TextTokenizer tokenizer;

    public ToolCallConstraintEdgeTests()
    {
        tokenizer = TextTokenizer.Load(TinyTokenizer.Write(directory, edit: root => ((JsonArray)root["added_tokens"]!).Add(new JsonObject
        {
            ["id"] = Marker, ["content"] = "[TOOL_CALLS]", ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
        })));
        Assert.Equal(272, tokenizer.VocabSize);
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>Walks <paramref name="text"/> (one byte token per byte) and compares the mask over every vocabulary size given with the brute force, step by step.</summary>
    private void AssertMasksAlong(ToolCallFormat format, string text, params int[] vocabSizes)
    {
        var grammar = new ToolCallGrammar(Tools.Select(ToolGrammar.From).ToList(), CallSyntax.For(format)!);
        var constraint = ToolCallConstraint.For(format, tokenizer, Tools);
        constraint.Begin();
        var state = CallState.Outside;
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        int masked = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            foreach (int size in vocabSizes)
            {
                var mask = constraint.AllowedNext(size);
                AssertSameMask(BruteForce(grammar, tokenizer, state, size), mask, tokenizer, $"{format}, {size} ids, after {text[..i]}");
                masked += mask is null ? 0 : 1;
            }

            constraint.Accept(bytes[i]);
            Assert.True(grammar.Feed(ref state, bytes[i]));
        }

        Assert.True(masked > bytes.Length, $"{format}: only {masked} masks");
    }

    /// <summary>
    /// A model whose vocabulary ends before the tokenizer's (here before the merged tokens and the added ones): the
    /// masks over its ids are the grammar's, inside strings, in structure and outside calls alike, and the mask's size
    /// follows the size asked for at every step.
    /// </summary>
    [Fact]
    public void AModelVocabularySmallerThanTheTokenizersIsMaskedOverItsOwnIds()
    {
        AssertMasksAlong(ToolCallFormat.Hermes, "Hi <tool_call> {\"name\": \"get_stock\", \"arguments\": {\"product\": \"a \\\" b\"}} </tool_call> ok", 256, 260, 272, 280);
        AssertMasksAlong(ToolCallFormat.Mistral, "x [TOOL_CALLS] [{\"name\": \"multiply\", \"arguments\": {\"a\": 1, \"b\": 2}}] y", 200, 272);
    }

    [Fact]
    public void AVocabularyWithNoTokenThatCanContinueTheCallIsAClearError()
    {
        const string message = "No token of the vocabulary can continue the open tool call (the vocabulary lacks a byte the grammar needs).";
        var constraint = ToolCallConstraint.ForHermes(tokenizer, Tools);
        constraint.Begin();
        AcceptBytes(constraint, "<tool_call>{\"name\": \"get_stock\", \"arguments\": {\"product\": \"ab"u8);

        // Inside a string: ids 0-31 are control bytes, all refused there.
        Assert.Equal(message, Assert.Throws<InvalidOperationException>(() => constraint.AllowedNext(32)).Message);
        Assert.True(constraint.AllowedNext(33)![32]);   // a space is string text

        // In structure: after the string, only whitespace, ',' or '}' go on.
        constraint.Accept('"');
        Assert.Equal(message, Assert.Throws<InvalidOperationException>(() => constraint.AllowedNext(9)).Message);
        Assert.Equal([9], Enumerable.Range(0, 10).Where(constraint.AllowedNext(10)!.ElementAt));
    }

    [Theory]
    [InlineData(271)]
    [InlineData(100)]
    public void ARequiredCallsOpenerTokenOutsideTheModelsVocabularyIsAClearError(int vocabSize)
    {
        var constraint = ToolCallConstraint.For(ToolCallFormat.Mistral, tokenizer, Tools, requireCall: true);
        constraint.Begin();
        var error = Assert.Throws<InvalidOperationException>(() => constraint.AllowedNext(vocabSize));
        Assert.Equal($"The tool-call opener '[TOOL_CALLS]' (token 271) is outside the model's vocabulary of {vocabSize}.", error.Message);
        Assert.Equal([Marker], Enumerable.Range(0, 272).Where(constraint.AllowedNext(272)!.ElementAt));
    }

    [Fact]
    public void TokensWithoutTextPassOutsideACallAndAreRefusedInsideItNamed()
    {
        var constraint = ToolCallConstraint.ForHermes(tokenizer, Tools);
        constraint.Begin();
        foreach (int id in new[] { 272, 99_999, 270, Marker })
        {
            constraint.Accept(id);
            Assert.False(constraint.InsideCall);
        }

        // The text around them is read as if they were not there: "<tool_" + special + "call>" opens a call.
        AcceptBytes(constraint, "<tool_"u8);
        constraint.Accept(270);
        AcceptBytes(constraint, "call>"u8);

        Assert.True(constraint.InsideCall);
        foreach (int id in new[] { 272, 99_999, 270, Marker })
        {
            var error = Assert.Throws<InvalidOperationException>(() => constraint.Accept(id));
            Assert.Equal($"Token {id} (a special token or no text) cannot continue the open tool call.", error.Message);
        }

        var broken = Assert.Throws<InvalidOperationException>(() => constraint.Accept('x'));
        Assert.Equal("Token 120 breaks the tool-call grammar; it was not among the allowed tokens.", broken.Message);

        // The refused tokens left the call where it was.
        constraint.Accept('{');
        Assert.True(constraint.InsideCall);
    }

    /// <summary>
    /// An id below 0 is no token: refused naming it, and the call state stays as it was. (It used to open a Hermes call:
    /// without a special opener token the opener's id is −1, and −1 matched it.)
    /// </summary>
    [Theory]
    [InlineData(ToolCallFormat.Hermes)]
    [InlineData(ToolCallFormat.Mistral)]
    public void AnIdBelowZeroIsRefusedNamingIt(ToolCallFormat format)
    {
        var constraint = ToolCallConstraint.For(format, tokenizer, Tools);
        constraint.Begin();
        foreach (int id in new[] { -1, int.MinValue })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => constraint.Accept(id));
            Assert.Equal("tokenId", error.ParamName);
            Assert.Equal(id, error.ActualValue);
            Assert.StartsWith($"Token id {id} is below 0; token ids start at 0.", error.Message);
            Assert.False(constraint.InsideCall);
        }
    }

    [Fact]
    public void TheMistralMarkerTokenOpensACallOnlyFromOutside()
    {
        var constraint = ToolCallConstraint.For(ToolCallFormat.Mistral, tokenizer, Tools);
        constraint.Begin();
        constraint.Accept(Marker);
        Assert.True(constraint.InsideCall);
        AcceptBytes(constraint, " [{\"name\": \"ping\", \"arguments\": {}}"u8);

        var error = Assert.Throws<InvalidOperationException>(() => constraint.Accept(Marker));
        Assert.Equal("Token 271 (a special token or no text) cannot continue the open tool call.", error.Message);
        constraint.Accept(']');
        Assert.False(constraint.InsideCall);
    }

    [Fact]
    public void ChoosingOutsideThePendingChoicesSaysHowManyThereAre()
    {
        var constraint = ToolCallConstraint.ForHermes(tokenizer, Tools, scoreWholeNames: true);
        constraint.Begin();
        var none = Assert.Throws<ArgumentOutOfRangeException>(() => constraint.Choose(0));
        Assert.Equal("index", none.ParamName);
        Assert.Equal(0, none.ActualValue);
        Assert.StartsWith("There are 0 pending choices.", none.Message);

        AcceptBytes(constraint, "<tool_call>{\"name\": \"get_"u8);

        var choices = constraint.PendingChoices();
        Assert.Equal(["weather\"", "stock\""], choices.Select(c => tokenizer.Decode(c)));
        foreach (int index in new[] { -1, 2 })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => constraint.Choose(index));
            Assert.Equal(index, error.ActualValue);
            Assert.StartsWith("There are 2 pending choices.", error.Message);
        }

        // Asking again where nothing is to be chosen forgets the earlier choices.
        constraint.Accept('w');
        Assert.Empty(constraint.PendingChoices());
        Assert.StartsWith("There are 0 pending choices.", Assert.Throws<ArgumentOutOfRangeException>(() => constraint.Choose(0)).Message);

        // Without whole-name scoring there is never a choice, even where several names fit.
        var plain = ToolCallConstraint.ForHermes(tokenizer, Tools);
        plain.Begin();
        AcceptBytes(plain, "<tool_call>{\"name\": \"get_"u8);

        Assert.Empty(plain.PendingChoices());
    }

    [Fact]
    public void ArgumentsAreCheckedByName()
    {
        Assert.Equal("tokenizer", Assert.Throws<ArgumentNullException>(() => ToolCallConstraint.ForHermes(null!, Tools)).ParamName);
        Assert.Equal("tools", Assert.Throws<ArgumentNullException>(() => ToolCallConstraint.ForHermes(tokenizer, null!)).ParamName);
        Assert.Equal("template", Assert.Throws<ArgumentNullException>(() => ToolCallConstraint.Create(null!, tokenizer, Tools)).ParamName);

        var none = Assert.Throws<ArgumentException>(() => ToolCallConstraint.For(ToolCallFormat.None, tokenizer, Tools));
        Assert.Equal("format", none.ParamName);
        Assert.StartsWith("Tool-call format None has no call grammar.", none.Message);

        var unlisted = Assert.Throws<ArgumentException>(() => ToolCallConstraint.ForHermes(tokenizer, [GetStock, Multiply], requireCall: true, requiredTool: "divide"));
        Assert.Equal("requiredTool", unlisted.ParamName);
        Assert.StartsWith("The required tool 'divide' is not among the listed tools (get_stock, multiply).", unlisted.Message);
        var withoutCall = Assert.Throws<ArgumentException>(() => ToolCallConstraint.ForHermes(tokenizer, Tools, requiredTool: "multiply"));
        Assert.Equal("requiredTool", withoutCall.ParamName);
        Assert.StartsWith("A required tool needs requireCall.", withoutCall.Message);

        var chatml = ChatTemplates.ByName("chatml");
        Assert.Equal(
            $"Constraining tool calls needs a template with a known tool-call format (Hermes <tool_call> as qwen2.5, Llama 3 JSON as llama3, Mistral [TOOL_CALLS] as mistral, Granite <|tool_call|>); the '{chatml.Name}' template shows none.",
            Assert.Throws<NotSupportedException>(() => ToolCallConstraint.Create(chatml, tokenizer, Tools)).Message);
        Assert.Equal(ToolCallFormat.Granite, ToolCallConstraint.Create(JinjaWithFormat(ToolCallFormat.Granite), tokenizer, Tools).Format);
    }

    /// <summary>Choosing a pending tool steers the call to it and uses the choices up; <see cref="ToolCallConstraint.Begin"/> forgets choices left pending.</summary>
    [Fact]
    public void AChoiceIsMadeOnceAndBeginForgetsThePendingChoices()
    {
        var constraint = ToolCallConstraint.ForHermes(tokenizer, Tools, scoreWholeNames: true);
        constraint.Begin();
        AcceptBytes(constraint, "<tool_call>{\"name\": \"get_"u8);

        Assert.Equal(2, constraint.PendingChoices().Count);   // get_weather, get_stock: the listed order
        constraint.Choose(0);
        Assert.Equal(["get_weather"], constraint.ChosenTools);
        Assert.Equal(['w'], Enumerable.Range(0, 256).Where(constraint.AllowedNext(tokenizer.VocabSize)!.ElementAt).Select(id => (char)id));
        Assert.StartsWith("There are 0 pending choices.", Assert.Throws<ArgumentOutOfRangeException>(() => constraint.Choose(0)).Message);

        constraint.Begin();
        Assert.Empty(constraint.ChosenTools);
        AcceptBytes(constraint, "<tool_call>{\"name\": \"get_"u8);

        Assert.Equal(2, constraint.PendingChoices().Count);
        constraint.Begin();
        Assert.StartsWith("There are 0 pending choices.", Assert.Throws<ArgumentOutOfRangeException>(() => constraint.Choose(1)).Message);
    }

    /// <summary>The required tool may be any listed one, the last included.</summary>
    [Fact]
    public void TheRequiredToolIsFoundAmongAllListedTools()
    {
        var constraint = ToolCallConstraint.ForHermes(tokenizer, Tools, requireCall: true, requiredTool: "ping");
        constraint.Begin();
        foreach (byte b in "<tool_call>{\"name\": \"ping\", \"arguments\": {}}</tool_call>"u8)
        {
            Assert.True(constraint.AllowedNext(tokenizer.VocabSize)![b], $"byte {(char)b}");
            constraint.Accept(b);
        }

        Assert.False(constraint.InsideCall);
        constraint.Begin();
        AcceptBytes(constraint, "<tool_call>{\"name\": \""u8);

        Assert.Equal(['p'], Enumerable.Range(0, 256).Where(constraint.AllowedNext(tokenizer.VocabSize)!.ElementAt).Select(id => (char)id));
    }

    /// <summary>Feeds <paramref name="text"/> one byte token at a time (on the tiny tokenizer a byte token's id is the byte).</summary>
    private static void AcceptBytes(IChoiceConstraint constraint, ReadOnlySpan<byte> text)
    {
        foreach (byte b in text)
        {
            constraint.Accept(b);
        }
    }

    private static int[] Ids(bool[]? mask) => mask is null ? [] : Enumerable.Range(0, mask.Length).Where(i => mask[i]).ToArray();

    /// <summary>
    /// Inside an open string the bytes 0x20 and up are content except the quote (34, which closes it) and the backslash
    /// (92, an escape); a model vocabulary ending right before either leaves it out, one id more lets it in.
    /// </summary>
    [Fact]
    public void InsideAStringAVocabularyEndingAtTheQuoteOrTheBackslashStopsBeforeIt()
    {
        var constraint = ToolCallConstraint.ForHermes(tokenizer, Tools);
        constraint.Begin();
        AcceptBytes(constraint, "<tool_call>{\"name\": \"get_stock\", \"arguments\": {\"product\": \"ab"u8);

        Assert.Equal([32, 33], Ids(constraint.AllowedNext(34)));
        Assert.Equal([32, 33, 34], Ids(constraint.AllowedNext(35)));
        Assert.Equal(Enumerable.Range(32, 60), Ids(constraint.AllowedNext(92)));
        Assert.Equal(Enumerable.Range(32, 61), Ids(constraint.AllowedNext(93)));
    }

    /// <summary>The token of the byte 0 is text (id 0 is a token like any other): it breaks an opener written around it and is refused inside a call.</summary>
    [Fact]
    public void TheTokenOfByteZeroIsTextThatBreaksAnOpenerAndIsRefusedInsideACall()
    {
        var constraint = ToolCallConstraint.ForHermes(tokenizer, Tools);
        constraint.Begin();
        AcceptBytes(constraint, "<tool_"u8);
        constraint.Accept(0);
        AcceptBytes(constraint, "call>"u8);

        Assert.False(constraint.InsideCall);
        AcceptBytes(constraint, "<tool_call>"u8);

        Assert.True(constraint.InsideCall);
        Assert.False(constraint.AllowedNext(tokenizer.VocabSize)![0]);
        var error = Assert.Throws<InvalidOperationException>(() => constraint.Accept(0));
        Assert.Equal("Token 0 breaks the tool-call grammar; it was not among the allowed tokens.", error.Message);
    }

    /// <summary>
    /// A vocabulary whose lowest ids are the quote (0) and 'a' (1), their bytes' tokens moved to 34 and 97: inside an open
    /// string a model vocabulary of one id still has a token that goes on (the quote closes the string), of two ids two.
    /// </summary>
    [Fact]
    public void InsideAStringAModelVocabularyOfOnlyTheQuoteAndALetterAllowsBoth()
    {
        var swapped = TextTokenizer.Load(TinyTokenizer.Write(Path.Combine(directory, "swapped"), edit: root =>
        {
            var vocab = root["model"]!["vocab"]!;
            vocab[TinyTokenizer.ByteChar('"')] = 0;
            vocab[TinyTokenizer.ByteChar(0)] = (int)'"';
            vocab[TinyTokenizer.ByteChar('a')] = 1;
            vocab[TinyTokenizer.ByteChar(1)] = (int)'a';
        }));
        Assert.Equal("\"a", swapped.Decode([0, 1]));
        int Id(byte b) => b switch { (byte)'"' => 0, 0 => '"', (byte)'a' => 1, 1 => 'a', _ => b };

        var constraint = ToolCallConstraint.ForHermes(swapped, Tools);
        constraint.Begin();
        foreach (byte b in "<tool_call>{\"name\": \"get_stock\", \"arguments\": {\"product\": \"x"u8)
        {
            constraint.Accept(Id(b));
        }

        Assert.Equal([0], Ids(constraint.AllowedNext(1)));
        Assert.Equal([0, 1], Ids(constraint.AllowedNext(2)));
        Assert.Equal([0, 1, 32, 33], Ids(constraint.AllowedNext(35)));   // id 34 is the byte 0 now: refused in a string
    }

    /// <summary>A required call whose opener is the special token with id 0 allows exactly that token first.</summary>
    [Fact]
    public void ARequiredCallsOpenerTokenMayHaveIdZero()
    {
        var markerFirst = TextTokenizer.Load(TinyTokenizer.Write(Path.Combine(directory, "marker-first"), edit: root =>
        {
            root["model"]!["vocab"]![TinyTokenizer.ByteChar(0)] = Marker;
            ((JsonArray)root["added_tokens"]!).Add(new JsonObject
            {
                ["id"] = 0, ["content"] = "[TOOL_CALLS]", ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
            });
        }));
        Assert.Equal(0, markerFirst.TokenToId("[TOOL_CALLS]"));
        Assert.True(markerFirst.IsSpecial(0));

        var constraint = ToolCallConstraint.For(ToolCallFormat.Mistral, markerFirst, Tools, requireCall: true);
        constraint.Begin();
        Assert.Equal([0], Ids(constraint.AllowedNext(markerFirst.VocabSize)));
        constraint.Accept(0);
        Assert.True(constraint.InsideCall);
        Assert.Equal([(int)'['], Ids(constraint.AllowedNext(markerFirst.VocabSize)).Where(id => id is not (9 or 10 or 13 or 32)));
    }

    /// <summary>
    /// Outside a call only a token that holds the whole opener and goes on wrongly is refused: here "&lt;tool_call&gt;x"
    /// (id 272, after the byte tokens, the merges, the specials and the marker). A model vocabulary that ends before it
    /// refuses nothing of its own but is still masked (a mask of all its ids); one that holds it refuses only it.
    /// </summary>
    [Fact]
    public void OutsideACallATokenThatOpensAndBreaksACallIsRefusedOnlyWhereTheModelHasIt()
    {
        var withOpener = TextTokenizer.Load(TinyTokenizer.Write(Path.Combine(directory, "with-opener"), edit: root =>
        {
            ((JsonArray)root["added_tokens"]!).Add(new JsonObject
            {
                ["id"] = Marker, ["content"] = "[TOOL_CALLS]", ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
            });
            root["model"]!["vocab"]!["<tool_call>x"] = 272;
        }));
        Assert.Equal("<tool_call>x", withOpener.Decode([272]));

        var constraint = ToolCallConstraint.ForHermes(withOpener, Tools);
        constraint.Begin();
        Assert.Equal(Enumerable.Range(0, 272), Ids(constraint.AllowedNext(272)));
        Assert.Equal(Enumerable.Range(0, 272), Ids(constraint.AllowedNext(273)));
        Assert.Equal(Enumerable.Range(0, 272).Append(273), Ids(constraint.AllowedNext(274)));
    }

    /// <summary>
    /// Tokens made only of quotes (common in code-trained vocabularies): inside a string one quote closes it, but two
    /// close it and put a quote where the call's structure needs a comma or a brace, so <c>""</c> is refused while
    /// <c>"}</c> (the last required argument closed) is allowed; the mask is the grammar's verdict on every token.
    /// </summary>
    [Fact]
    public void InsideAStringATokenOfTwoQuotesIsRefused()
    {
        var quotes = TextTokenizer.Load(TinyTokenizer.Write(Path.Combine(directory, "quotes"), edit: root =>
        {
            root["model"]!["vocab"]!["\"\""] = 272;
            root["model"]!["vocab"]!["\"}"] = 273;
        }));
        Assert.Equal("\"\"", quotes.Decode([272]));
        var grammar = new ToolCallGrammar(Tools.Select(ToolGrammar.From).ToList(), CallSyntax.Hermes);
        var state = CallState.Outside;
        var constraint = ToolCallConstraint.ForHermes(quotes, Tools);
        constraint.Begin();
        foreach (byte b in "<tool_call>{\"name\": \"get_stock\", \"arguments\": {\"product\": \"ab"u8)
        {
            constraint.Accept(b);
            Assert.True(grammar.Feed(ref state, b));
        }

        var mask = constraint.AllowedNext(274)!;
        Assert.True(mask['"']);
        Assert.False(mask[272]);
        Assert.True(mask[273]);
        AssertSameMask(BruteForce(grammar, quotes, state, 274), mask, quotes, "inside a string");
    }

    private static IChatTemplate JinjaWithFormat(ToolCallFormat format)
    {
        var template = ChatTemplates.Detect(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "templates", "hub", "granite3.3-2b.jinja")), null);
        Assert.Equal(format, ((JinjaChatTemplate)template).ToolCallFormat);
        return template;
    }
}
