using System.Text.Json;
using Directer.Core.Chat;
using Directer.Core.Runtime;
using Directer.Core.Templates;
using Directer.Testing;

namespace Directer.Core.Tests.Templates;

/// <summary>
/// Prompt ids of real models (Qwen2.5, Qwen3, Llama 3.2, Mistral Nemo: their own tokenizer.json, tokenizer_config.json
/// and chat template) equal to the reference — @huggingface/jinja rendering and @huggingface/tokenizers encoding, as
/// transformers' apply_chat_template(tokenize=True) — for hand-written conversations with system prompts, history,
/// tools, tool calls and tool results (Fixtures/prompt-ids, made by reference/prompt_ids_reference.mjs). The ids come from
/// <see cref="ChatModel.BuildPrompt"/>, the path generation uses, on a checkpoint folder holding the model's tokenizer
/// files (the committed subset of each vocabulary that these prompts use; with DIRECTER_REAL_TOKENIZERS set to the
/// script's scratch folder the full published files are used instead).
/// </summary>
public sealed class RealTokenizerPromptIdsTests : IClassFixture<RealTokenizerPromptIdsTests.Folders>
{
    private static readonly string Root = Path.Combine(TemplateFixtures.Directory, "..", "prompt-ids");

    private static readonly Dictionary<string, string> Packages = new()
    {
        ["qwen2.5"] = "qwen2_5", ["qwen3"] = "qwen3", ["llama3.2"] = "llama3_2", ["mistral-nemo"] = "mistral_nemo",
    };

    private readonly Folders folders;

    public RealTokenizerPromptIdsTests(Folders folders) => this.folders = folders;

    /// <summary>One checkpoint folder per model: its tokenizer files and a tiny decoder whose vocabulary covers their ids.</summary>
    public sealed class Folders : IDisposable
    {
        private readonly string root = Directory.CreateTempSubdirectory("directer-prompt-ids-").FullName;
        private readonly Dictionary<string, ChatModel> models = new();

        public ChatModel For(string name)
        {
            lock (models)
            {
                if (!models.TryGetValue(name, out var model))
                {
                    model = Load(name);
                    models[name] = model;
                }

                return model;
            }
        }

        private ChatModel Load(string name)
        {
            TorchRuntime.EnsureInitialized();
            string folder = Path.Combine(root, name);
            Directory.CreateDirectory(folder);
            string? full = Environment.GetEnvironmentVariable("DIRECTER_REAL_TOKENIZERS");
            string source = string.IsNullOrEmpty(full) ? Path.Combine(Root, name) : Path.Combine(full, Packages[name], "package", "models");
            foreach (string file in new[] { "tokenizer.json", "tokenizer_config.json" })
            {
                File.Copy(Path.Combine(source, file), Path.Combine(folder, file));
            }

            var tokenizer = Directer.Core.Tokenization.TextTokenizer.Load(folder);
            var spec = new TinyCheckpointSpec
            {
                Name = name, VocabSize = tokenizer.VocabSize, HiddenSize = 8, IntermediateSize = 8, NumHiddenLayers = 1, NumAttentionHeads = 2,
                NumKeyValueHeads = 1, TieWordEmbeddings = true, DType = "F32", MaxPositionEmbeddings = 4096,
            };
            TinyCheckpoints.Write(spec, folder);
            return ChatModel.Load(folder, new ChatModelOptions { TemplateOptions = new ChatTemplateOptions { DateString = DateString } });
        }

        public void Dispose()
        {
            foreach (var model in models.Values)
            {
                model.Dispose();
            }

            Directory.Delete(root, recursive: true);
        }
    }

    private static readonly JsonElement Conversations = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "conversations.json"))).RootElement;
    private static readonly JsonElement Expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "expected.json"))).RootElement;
    internal static readonly string DateString = Conversations.GetProperty("dateString").GetString()!;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var model in Expected.GetProperty("models").EnumerateArray())
        {
            foreach (var c in model.GetProperty("cases").EnumerateArray())
            {
                data.Add(model.GetProperty("name").GetString()!, c.GetProperty("name").GetString()!);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PromptIdsEqualTheReference(string model, string conversation)
    {
        var expected = Expected.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == model)
            .GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == conversation);
        var chat = folders.For(model);
        var (ids, _, text) = chat.BuildPrompt(Request(conversation));
        Assert.Equal(expected.GetProperty("text").GetString(), text);
        Assert.Equal(expected.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32()), ids);
    }

    [Fact]
    public void EveryFamilyAndConversationIsCovered()
    {
        // At least three families (Qwen, Llama, Mistral), every conversation for each, and tool conversations among them.
        var models = Expected.GetProperty("models").EnumerateArray().ToList();
        Assert.Equal(["qwen2.5", "qwen3", "llama3.2", "mistral-nemo"], models.Select(m => m.GetProperty("name").GetString()));
        int conversations = Conversations.GetProperty("cases").GetArrayLength();
        Assert.All(models, m => Assert.Equal(conversations, m.GetProperty("cases").GetArrayLength()));
        Assert.Contains(Conversations.GetProperty("cases").EnumerateArray(), c => c.GetProperty("messages").EnumerateArray().Any(m => m.TryGetProperty("tool_calls", out _)));
    }

    /// <summary>The conversation in Directer's request model (the Hugging Face shapes mapped as the connectors map them).</summary>
    internal static ChatRequest Request(string name)
    {
        var conversation = Conversations.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
        var turns = new List<ChatTurn>();
        foreach (var m in conversation.GetProperty("messages").EnumerateArray())
        {
            var role = m.GetProperty("role").GetString() switch
            {
                "system" => ChatRole.System,
                "user" => ChatRole.User,
                "assistant" => ChatRole.Assistant,
                "tool" => ChatRole.Tool,
                var other => throw new InvalidDataException($"Unknown role '{other}' in conversations.json."),
            };
            var turn = new ChatTurn(role, m.GetProperty("content").GetString()!);
            if (m.TryGetProperty("tool_calls", out var calls))
            {
                turn = turn with
                {
                    ToolCalls = calls.EnumerateArray().Select(c => new ToolCall(
                        c.GetProperty("function").GetProperty("name").GetString()!,
                        c.GetProperty("function").GetProperty("arguments").GetRawText(),
                        c.GetProperty("id").GetString())).ToList(),
                };
            }

            if (m.TryGetProperty("tool_call_id", out var id))
            {
                turn = turn with { ToolCallId = id.GetString(), ToolName = m.GetProperty("name").GetString() };
            }

            turns.Add(turn);
        }

        var tools = conversation.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("function")).Select(f => new ToolDefinition(
            f.GetProperty("name").GetString()!, f.GetProperty("description").GetString(), f.GetProperty("parameters").GetRawText())).ToList();
        return new ChatRequest { Turns = turns, Tools = tools };
    }
}
