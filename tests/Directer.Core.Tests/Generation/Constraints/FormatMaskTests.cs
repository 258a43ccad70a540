using System.Text;
using System.Text.Json.Nodes;
using Directer.Core.Chat;
using Directer.Core.Generation.Constraints;
using Directer.Core.Templates;
using Directer.Core.Tokenization;
using Directer.Testing;
using static Directer.Core.Tests.Generation.Constraints.ConstraintFixtures;
using static Directer.Core.Tests.Generation.Constraints.ToolCallConstraintMaskTests;

namespace Directer.Core.Tests.Generation.Constraints;

/// <summary>
/// The masks of the Llama 3 JSON, Mistral and Granite constraints against the brute-force reference (every id's bytes
/// fed to the grammar), step by step along valid replies, on the demo vocabulary and on a tiny one with tokens that
/// straddle each format's opener; and Mistral's special <c>[TOOL_CALLS]</c> token as the opener.
/// </summary>
public sealed class FormatMaskTests : IDisposable
{
    private static readonly ToolDefinition[] Tools = [GetWeather, GetStock, Multiply, Configure, Ping];

    private static readonly Dictionary<ToolCallFormat, string[]> Replies = new()
    {
        [ToolCallFormat.Llama3Json] =
        [
            "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\", \"unit\": \"celsius\", \"days\": 3}}",
            "Sure. {\"name\":\"multiply\",\"parameters\":{\"a\":12,\"b\":-3.5e2}} and {\"name\": \"ping\", \"parameters\": {}}",
            "{\"nam\": 1} {\"city\": 2} {\"name\": \"configure\", \"parameters\": {\"options\": [1, {\"x\": null}], \"level\": 12}} done",
        ],
        [ToolCallFormat.Mistral] =
        [
            "[TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}]",
            "Let me see. [TOOL_CALLS][{\"name\": \"multiply\", \"arguments\": {\"a\": 1, \"b\": 2}}, {\"name\": \"get_stock\", \"arguments\": {\"product\": \"tea\"}}] ok",
        ],
        [ToolCallFormat.Granite] =
        [
            "<|tool_call|>[{\"name\": \"ping\", \"arguments\": {\"k\": \"v\"}}]",
            "<|tool_call|>[{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\", \"detailed\": true}}, {\"name\": \"get_stock\", \"arguments\": {\"product\": \"mug\"}}]",
        ],
    };

    /// <summary>Tokens that open a call and go on in the same token, validly or not.</summary>
    private static readonly string[] StraddlingTokens =
    [
        "{\"name\"", "{\"name\":", "{\"name\":x", "x{\"name\": \"", "{\"name\"}", "\"parameters\": {", "\"arguments\": {", "{\"",
        "[TOOL_CALLS]", "[TOOL_CALLS][", "[TOOL_CALLS]x", "[TOOL_CALLS] [{\"", "_CALLS]", "_CALLS]x", "}]", "}, {", "}]x",
        "<|tool_call|>[", "<|tool_call|>x",
    ];

    private readonly string directory = Directory.CreateTempSubdirectory("directer-format-mask-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    public static TheoryData<ToolCallFormat, string> Cases()
    {
        var data = new TheoryData<ToolCallFormat, string>();
        foreach (var format in new[] { ToolCallFormat.Llama3Json, ToolCallFormat.Mistral, ToolCallFormat.Granite })
        {
            data.Add(format, "demo");
            data.Add(format, "tiny");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryStepMasksExactlyWhatTheGrammarRefuses(ToolCallFormat format, string which)
    {
        var tokenizer = which == "demo" ? DemoTokenizer : TinyWithStraddlingTokens();
        var grammar = new ToolCallGrammar(Tools.Select(ToolGrammar.From).ToList(), CallSyntax.For(format)!);
        var constraint = ToolCallConstraint.For(format, tokenizer, Tools);
        int inside = 0;
        foreach (string reply in Replies[format])
        {
            var ids = tokenizer.Encode(reply);
            constraint.Begin();
            var state = CallState.Outside;
            for (int step = 0; step < ids.Count; step++)
            {
                string where = $"{format}/{which}: step {step} after {tokenizer.Decode(ids.Take(step))}";
                var expected = BruteForce(grammar, tokenizer, state, tokenizer.VocabSize);
                AssertSameMask(expected, constraint.AllowedNext(tokenizer.VocabSize), tokenizer, where);
                Assert.True(expected[ids[step]], $"{where}: the reply's own token is refused");
                inside += state.Phase == CallPhase.Free ? 0 : 1;
                constraint.Accept(ids[step]);
                Assert.True(grammar.FeedAll(ref state, Bytes(tokenizer, ids[step])));
                Assert.Equal(state.Phase != CallPhase.Free, constraint.InsideCall);
            }

            Assert.Equal(CallPhase.Free, state.Phase);
        }

        Assert.True(inside > 20, $"only {inside} steps inside calls");
    }

    [Fact]
    public void WithTheMarkerAsASpecialTokenARequiredCallStartsWithExactlyThatToken()
    {
        string folder = Path.Combine(directory, "special");
        TinyTokenizer.Write(folder, edit: root => ((JsonArray)root["added_tokens"]!).Add(new JsonObject
        {
            ["id"] = 271, ["content"] = "[TOOL_CALLS]", ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
        }));
        var tokenizer = TextTokenizer.Load(folder);
        int marker = tokenizer.TokenToId("[TOOL_CALLS]")!.Value;

        var required = ToolCallConstraint.For(ToolCallFormat.Mistral, tokenizer, Tools, requireCall: true);
        required.Begin();
        var allowed = required.AllowedNext(288)!;
        Assert.Equal([marker], Enumerable.Range(0, 288).Where(id => allowed[id]));
        required.Accept(marker);
        Assert.True(required.InsideCall);

        // Then the list, byte by byte; the marker cannot come again inside the call.
        foreach (int id in tokenizer.Encode(" [{\"name\": \"ping\", \"arguments\": {}}"))
        {
            Assert.False(required.AllowedNext(288)![marker]);
            required.Accept(id);
        }

        Assert.Throws<InvalidOperationException>(() => required.Accept(marker));
        required.Accept(tokenizer.Encode("]").Single());
        Assert.False(required.InsideCall);

        // Unrequired: the marker is free to choose outside a call and opens one.
        var free = ToolCallConstraint.For(ToolCallFormat.Mistral, tokenizer, Tools);
        free.Begin();
        Assert.Null(free.AllowedNext(288));
        free.Accept(marker);
        Assert.True(free.InsideCall);
        Assert.False(free.AllowedNext(288)![tokenizer.Encode("x").Single()]);
    }

    private TextTokenizer TinyWithStraddlingTokens()
    {
        string folder = Path.Combine(directory, "tiny");
        if (!File.Exists(Path.Combine(folder, "tokenizer.json")))
        {
            int next = TinyTokenizer.Vocab().Count + TinyTokenizer.Specials.Length;
            TinyTokenizer.Write(folder, edit: root =>
            {
                var vocab = (JsonObject)root["model"]!["vocab"]!;
                foreach (string text in StraddlingTokens)
                {
                    vocab[string.Concat(Encoding.UTF8.GetBytes(text).Select(b => TinyTokenizer.ByteChar(b)))] = next++;
                }
            });
        }

        return TextTokenizer.Load(folder);
    }
}
