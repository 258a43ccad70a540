using System.Text.Json;
using System.Text.Json.Nodes;
using Directer.Core.Chat;
using Directer.Core.Emphasis;
using Directer.Core.Generation;
using Directer.Core.Generation.Constraints;
using Directer.Core.Runtime;
using Directer.Core.Steering;
using Directer.Core.Templates;
using Directer.Testing;

namespace Directer.Core.Tests.Generation.Constraints;

/// <summary>
/// Constrained, required tool calls in each format the templates teach (Hermes, Llama 3 JSON, Mistral with
/// <c>[TOOL_CALLS]</c> as one special token), on a generated checkpoint with random weights — which on its own writes no
/// call at all — unsteered, with DIRECTER and with every baseline: whatever the passes choose, the reply is a valid call
/// of a listed tool in the template's own markup, and the parser of that template reads it back.
/// </summary>
public sealed class FormatConstrainedChatTests : IClassFixture<FormatConstrainedChatTests.Checkpoint>
{
    private const string Marker = "[TOOL_CALLS]";

    // Enum and boolean arguments only: every call then ends within a bounded number of bytes, whatever random weights prefer.
    private static readonly ToolDefinition SetMode = new(
        "set_mode", "Sets the mode.", """{"type": "object", "properties": {"mode": {"enum": ["fast", "slow"]}, "loud": {"type": "boolean"}}, "required": ["mode", "loud"]}""");

    private static readonly ToolDefinition Paint = new(
        "paint", "Paints.", """{"type": "object", "properties": {"color": {"type": "string", "enum": ["red", "green"]}}, "required": ["color"]}""");

    private readonly Checkpoint checkpoint;

    public FormatConstrainedChatTests(Checkpoint checkpoint) => this.checkpoint = checkpoint;

    /// <summary>A tiny random Qwen2 with the test tokenizer plus Mistral's <c>[TOOL_CALLS]</c> as a special token.</summary>
    public sealed class Checkpoint : IDisposable
    {
        public Checkpoint()
        {
            TorchRuntime.EnsureInitialized();
            Folder = Directory.CreateTempSubdirectory("directer-format-constrained-").FullName;
            var spec = TinyCheckpoints.Qwen2BiasTiedBf16 with { Name = "formats", VocabSize = 288, DType = "F32", EosTokenIds = [270], MaxPositionEmbeddings = 2048 };
            TinyCheckpoints.Write(spec, Folder);
            TinyTokenizer.Write(Folder, edit: root => ((JsonArray)root["added_tokens"]!).Add(new JsonObject
            {
                ["id"] = 271, ["content"] = Marker, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
            }));
        }

        public string Folder { get; }

        public void Dispose() => Directory.Delete(Folder, recursive: true);
    }

    public static TheoryData<string, SteeringMethod> Cases()
    {
        var data = new TheoryData<string, SteeringMethod>();
        foreach (string template in new[] { "qwen2.5", "llama3", "mistral" })
        {
            foreach (var method in Enum.GetValues<SteeringMethod>())
            {
                data.Add(template, method);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EveryPassKeepsTheCallInTheTemplatesFormat(string templateName, SteeringMethod method)
    {
        using var chat = ChatModel.Load(checkpoint.Folder, new ChatModelOptions { ChatTemplate = templateName, Model = new() { MaxSequenceLength = 2048 } });
        var template = (JinjaChatTemplate)chat.Template;
        var request = new ChatRequest
        {
            Turns = [new ChatTurn(ChatRole.System, "Use the tools."), new ChatTurn(ChatRole.User, "hello world")],
            Tools = [SetMode, Paint],
            ConstrainToolCalls = true,
            RequireToolCall = true,
            MaxNewTokens = 400,
            Seed = 11,
            Emphasis = method == SteeringMethod.None ? null : new EmphasisRequest { SystemMessage = true },
            Steering = method == SteeringMethod.None ? null : new SteeringSettings { Method = method, Alpha = 1e3, Beta = 0.3, PastaA = 1e-3, SpotLightTarget = 0.9, InstABoostM = 1e3 },
        };

        var result = await chat.CompleteAsync(request);
        var ids = result.Generation.Ids;
        Assert.True(result.Generation.ConstrainedSteps > 0);

        // The reply opens with the format's opener: Mistral's special token, or the opener's text.
        if (templateName == "mistral")
        {
            // The streamed text leaves special tokens out; the reply's raw text keeps this one for the parser.
            Assert.Equal(chat.Tokenizer.TokenToId(Marker), ids[0]);
            Assert.DoesNotContain(Marker, result.Generation.Text!, StringComparison.Ordinal);
            Assert.StartsWith(Marker, result.RawText, StringComparison.Ordinal);
        }
        else
        {
            Assert.StartsWith(templateName == "llama3" ? "{\"name\"" : "<tool_call>", result.RawText, StringComparison.Ordinal);
        }

        // Every generated token stays in the grammar (replayed through a fresh constraint, which throws otherwise) ...
        var replay = ToolCallConstraint.Create(template, chat.Tokenizer, [SetMode, Paint], requireCall: true);
        replay.Begin();
        foreach (int id in ids)
        {
            replay.Accept(id);
        }

        // ... and the first call, complete, is read back by the template's own parser as a valid call of a listed tool.
        // (A Mistral list may go on with more calls until the token budget; the first call is then read from the list
        // closed after it.)
        Assert.True(result.ToolCalls.Count > 0 || result.StopReason == StopReason.MaxTokens, $"{method}: {result.RawText}");
        string text = result.RawText;
        if (result.ToolCalls.Count == 0 && templateName == "mistral")
        {
            var firstObject = System.Text.RegularExpressions.Regex.Match(text, @"\}\s*\}");
            text = text[..(firstObject.Index + firstObject.Length)] + "]";
        }

        var first = template.ParseToolCallsDetailed(text).ToolCalls[0];
        using var arguments = JsonDocument.Parse(first.ArgumentsJson);
        var given = arguments.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
        if (first.Name == "set_mode")
        {
            Assert.Equal(["loud", "mode"], given.Keys.Order());
            Assert.Contains(given["mode"].GetString(), new[] { "fast", "slow" });
            Assert.True(given["loud"].ValueKind is JsonValueKind.True or JsonValueKind.False);
        }
        else
        {
            Assert.Equal("paint", first.Name);
            Assert.Contains(Assert.Single(given).Value.GetString(), new[] { "red", "green" });
        }
    }

    [Theory]
    [InlineData("qwen3-0.6b", ToolCallFormat.Hermes, "<tool_call>")]
    [InlineData("llama3.2-3b", ToolCallFormat.Llama3Json, "{\"name\"")]
    [InlineData("granite3.3-2b", ToolCallFormat.Granite, "<|tool_call|>")]
    public async Task ACheckpointsOwnTemplateGivesTheFormatTheConstraintWritesIn(string hubTemplate, ToolCallFormat format, string opener)
    {
        // No template named: the checkpoint's own chat_template (a current model's) decides the format, end to end.
        string folder = Path.Combine(checkpoint.Folder, "..", Path.GetFileName(checkpoint.Folder) + "-" + hubTemplate);
        Directory.CreateDirectory(folder);
        try
        {
            foreach (string file in Directory.GetFiles(checkpoint.Folder))
            {
                File.Copy(file, Path.Combine(folder, Path.GetFileName(file)), overwrite: true);
            }

            var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "tokenizer_config.json")))!.AsObject();
            config["chat_template"] = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "templates", "hub", hubTemplate + ".jinja"));
            File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), config.ToJsonString());

            using var chat = ChatModel.Load(folder, new ChatModelOptions { Model = new() { MaxSequenceLength = 2048 } });
            Assert.Equal(format, ((JinjaChatTemplate)chat.Template).ToolCallFormat);
            foreach (var method in new[] { SteeringMethod.None, SteeringMethod.Directer })
            {
                var result = await chat.CompleteAsync(new ChatRequest
                {
                    Turns = [new ChatTurn(ChatRole.System, "Use the tools."), new ChatTurn(ChatRole.User, "hello world")],
                    Tools = [SetMode, Paint],
                    ConstrainToolCalls = true,
                    RequireToolCall = true,
                    RequiredToolName = "paint",
                    MaxNewTokens = 400,
                    Emphasis = method == SteeringMethod.None ? null : new EmphasisRequest { SystemMessage = true },
                    Steering = method == SteeringMethod.None ? null : new SteeringSettings { Method = method, Alpha = 1e3, Beta = 0.3 },
                });
                Assert.StartsWith(opener, result.RawText, StringComparison.Ordinal);
                string text = result.RawText;
                if (result.ToolCalls.Count == 0 && format == ToolCallFormat.Granite)
                {
                    // A list may go on past the budget; the first call is read from the list closed after it.
                    var firstObject = System.Text.RegularExpressions.Regex.Match(text, @"\}\s*\}");
                    text = text[..(firstObject.Index + firstObject.Length)] + "]";
                }

                var call = chat.Template.ParseToolCallsDetailed(text).ToolCalls[0];
                Assert.Equal("paint", call.Name);
                using var arguments = JsonDocument.Parse(call.ArgumentsJson);
                Assert.Contains(arguments.RootElement.GetProperty("color").GetString(), new[] { "red", "green" });
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("qwen2.5")]
    [InlineData("llama3")]
    [InlineData("mistral")]
    public async Task WithoutTheConstraintTheRandomModelWritesNoCall(string templateName)
    {
        // What the constraint changes: the same request unconstrained is not a call in any format.
        using var chat = ChatModel.Load(checkpoint.Folder, new ChatModelOptions { ChatTemplate = templateName, Model = new() { MaxSequenceLength = 2048 } });
        var result = await chat.CompleteAsync(new ChatRequest
        {
            Turns = [new ChatTurn(ChatRole.User, "hello world")],
            Tools = [SetMode, Paint],
            RequireToolCall = true,
            MaxNewTokens = 24,
        });
        Assert.Empty(result.ToolCalls);
        Assert.Equal(0, result.Generation.ConstrainedSteps);
    }
}
