using System.Diagnostics;
using System.Text;
using Directer.Core.Checkpoints;
using Directer.Core.Runtime;
using Directer.Core.Templates;
using Directer.Core.Tests.Checkpoints;
using Directer.Core.Tests.Templates;
using Directer.Core.Tokenization;
using Directer.Testing;

namespace Directer.Core.Tests.Fuzz;

/// <summary>
/// Issue 13, item 7: every parser of files a stranger can hand us, on seeded generated and mutated inputs. Each case
/// ends in success or the parser's documented exception — never another exception, a hang or a crash. Seeds are
/// fixed, so a failure names a case that reproduces; raise <see cref="Scale"/> locally for a longer run.
/// </summary>
public sealed class ParserFuzzTests : IDisposable
{
    /// <summary>Cases per parser multiplier (DIRECTER_FUZZ_SCALE, default 1: the whole suite in a few seconds).</summary>
    private static readonly int Scale = int.TryParse(Environment.GetEnvironmentVariable("DIRECTER_FUZZ_SCALE"), out int s) && s > 0 ? s : 1;

    private static readonly TimeSpan SlowCase = TimeSpan.FromSeconds(10); // a hang guard, generous for a loaded 2-core CI machine

    private readonly TempFolder temp = new();

    public ParserFuzzTests() => TorchRuntime.EnsureInitialized();

    public void Dispose() => temp.Dispose();

    /// <summary>Runs <paramref name="cases"/> cases; returns how many succeeded (the rest threw an allowed exception).</summary>
    private static int Run(string parser, int cases, int seed, Action<Mutator, int> body, params Type[] allowed)
    {
        int succeeded = 0;
        for (int i = 0; i < cases * Scale; i++)
        {
            // Not HashCode.Combine: it is randomised per process, so failures would not reproduce.
            var mutator = new Mutator(unchecked((seed * 1_000_003) + i));
            var clock = Stopwatch.StartNew();
            try
            {
                body(mutator, i);
                succeeded++;
            }
            catch (Exception e) when (allowed.Any(t => t.IsInstanceOfType(e)))
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message), $"{parser} case {i}: empty message");
            }
            catch (Exception e)
            {
                Assert.Fail($"{parser} case {i} (seed {seed}) threw {e.GetType().Name}, not {string.Join(" or ", allowed.Select(t => t.Name))}: {e}");
            }

            Assert.True(clock.Elapsed < SlowCase, $"{parser} case {i} (seed {seed}) took {clock.Elapsed.TotalSeconds:F1} s");
        }

        return succeeded;
    }

    [Fact]
    public void SafetensorsHeaders()
    {
        const string header = "{\"__metadata__\": {\"format\": \"pt\"}, \"a\": {\"dtype\": \"F32\", \"shape\": [2, 2], \"data_offsets\": [0, 16]}, " +
            "\"b\": {\"dtype\": \"BF16\", \"shape\": [3], \"data_offsets\": [16, 22]}, \"c\": {\"dtype\": \"I64\", \"shape\": [], \"data_offsets\": [22, 30]}}";
        byte[] data = new byte[30];
        string path = temp.File("fuzz.safetensors");
        byte[] valid = File.ReadAllBytes(RawSafetensors.Write(path, header, data));
        int ok = Run("safetensors", 1000, 1, (m, i) =>
        {
            if (i % 2 == 0)
            {
                File.WriteAllBytes(path, m.Bytes(valid));
            }
            else
            {
                RawSafetensors.Write(path, m.Json(header), m.Random.Next(4) == 0 ? m.Bytes(data) : data);
            }

            using var file = SafetensorsFile.Open(path);
            foreach (string name in file.Entries.Keys)
            {
                using var tensor = file.Read(name, TorchSharp.torch.ScalarType.Float32);
            }
        }, typeof(CheckpointException));
        Assert.InRange(ok, 1, 1000 * Scale - 1);
    }

    [Fact]
    public void ConfigJson()
    {
        string folder = temp.File("config-seed");
        TinyCheckpoints.Write(TinyCheckpoints.Llama31RopeScaling, folder);
        string seed = File.ReadAllText(Path.Combine(folder, "config.json"));
        int ok = Run("config.json", 2000, 2, (m, i) =>
        {
            string text = i % 3 == 0 ? Encoding.UTF8.GetString(m.Bytes(Encoding.UTF8.GetBytes(seed))) : m.Json(seed);
            var config = ModelConfig.Parse(text, "config.json");
            Assert.True(config.NumHiddenLayers > 0 && config.HiddenSize > 0);
        }, typeof(CheckpointException));
        Assert.InRange(ok, 1, 2000 * Scale - 1);
    }

    [Fact]
    public void TokenizerJsonAndTokenizerConfig()
    {
        string seedFolder = TinyTokenizer.Write(temp.File("tok-seed"));
        string tokenizerJson = File.ReadAllText(Path.Combine(seedFolder, "tokenizer.json"));
        string configJson = File.ReadAllText(Path.Combine(seedFolder, "tokenizer_config.json"));
        string folder = temp.File("tok");
        int ok = Run("tokenizer.json/tokenizer_config.json", 250, 3, (m, i) =>
        {
            Directory.CreateDirectory(folder);
            bool config = i % 2 == 1;
            File.WriteAllText(Path.Combine(folder, "tokenizer.json"), config ? tokenizerJson : m.Json(tokenizerJson));
            File.WriteAllBytes(Path.Combine(folder, "tokenizer_config.json"), config
                ? (i % 6 == 1 ? m.Bytes(Encoding.UTF8.GetBytes(configJson)) : Encoding.UTF8.GetBytes(m.Json(configJson)))
                : Encoding.UTF8.GetBytes(configJson));
            var tokenizer = TextTokenizer.Load(folder);
            var ids = tokenizer.Encode("hello <|im_start|> world 123 é");
            _ = tokenizer.Decode(ids);
        }, typeof(TokenizerLoadException));
        Assert.InRange(ok, 1, 250 * Scale - 1);
    }

    [Fact]
    public void SentencePieceConvertedTokenizerJson()
    {
        // A real byte-fallback file (Mistral 7B's vocabulary with v0.3's control tokens and template), mutated.
        string seedFolder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "byte-fallback", "mistral-v0.3-layout");
        string tokenizerJson = File.ReadAllText(Path.Combine(seedFolder, "tokenizer.json"));
        string configJson = File.ReadAllText(Path.Combine(seedFolder, "tokenizer_config.json"));
        string folder = temp.File("tok-bf");
        int ok = Run("byte-fallback tokenizer.json", 150, 11, (m, i) =>
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "tokenizer.json"), i % 5 == 0 ? Encoding.UTF8.GetString(m.Bytes(Encoding.UTF8.GetBytes(tokenizerJson))) : m.Json(tokenizerJson));
            File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), configJson);
            var tokenizer = TextTokenizer.Load(folder);
            var ids = tokenizer.Encode("<s>[INST] hello  wörld 🦙 123[/INST]");
            _ = tokenizer.Decode(ids);
            _ = tokenizer.Decode(ids, skipSpecialTokens: true);
        }, typeof(TokenizerLoadException));
        Assert.InRange(ok, 1, 150 * Scale - 1);
    }

    [Fact]
    public void ShardedIndex()
    {
        string folder = temp.File("sharded");
        TinyCheckpoints.Write(TinyCheckpoints.LlamaSharded, folder);
        string index = Path.Combine(folder, CheckpointWeights.IndexFileName);
        string seed = File.ReadAllText(index);
        int ok = Run("model.safetensors.index.json", 600, 4, (m, i) =>
        {
            File.WriteAllText(index, i % 4 == 0 ? Encoding.UTF8.GetString(m.Bytes(Encoding.UTF8.GetBytes(seed))) : m.Json(seed));
            using var weights = CheckpointWeights.Open(folder);
            Assert.NotEmpty(weights.Names);
        }, typeof(CheckpointException));
        Assert.InRange(ok, 1, 600 * Scale - 1);
    }

    [Fact]
    public void ChatTemplateDetection()
    {
        var seeds = Directory.GetFiles(TemplateFixtures.Directory, "*.jinja").Select(File.ReadAllText).ToArray();
        string?[] modelTypes = [null, "llama", "qwen2", "mistral", "phi3", "unknown"];
        int ok = Run("chat template detection", 1500, 5, (m, i) =>
        {
            string seed = seeds[i % seeds.Length];
            string text = Encoding.UTF8.GetString(m.Bytes(Encoding.UTF8.GetBytes(seed)));
            var template = ChatTemplates.Detect(i % 10 == 0 ? null : text, modelTypes[m.Random.Next(modelTypes.Length)]);
            Assert.NotNull(template.Name);
        }, typeof(ChatTemplateException));
        Assert.InRange(ok, 1, 1500 * Scale);
    }

    [Fact]
    public void ToolCallParsingOfModelOutput()
    {
        string[] seeds =
        [
            "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": [1, 2]}}\n</tool_call>",
            "Sure.<tool_call>{\"name\": \"f\", \"arguments\": {}}</tool_call><tool_call>{\"name\": \"g\", \"arguments\": {\"x\": null}}</tool_call>",
            "{\"name\": \"search\", \"parameters\": {\"q\": \"directer\", \"n\": 3}}",
            "<|python_tag|>{\"name\": \"f\", \"parameters\": {\"a\": \"b\"}}",
            "[TOOL_CALLS] [{\"name\": \"f\", \"arguments\": {\"a\": 1}, \"id\": \"abcdefghi\"}]",
        ];
        var templates = new[] { "qwen2.5", "llama3", "mistral", "chatml" }.Select(n => ChatTemplates.ByName(n)).ToArray();
        int ok = Run("tool-call parsing", 3000, 6, (m, i) =>
        {
            string seed = seeds[i % seeds.Length];
            string text = i % 2 == 0 ? m.Json(seed) : Encoding.UTF8.GetString(m.Bytes(Encoding.UTF8.GetBytes(seed)));
            var template = templates[m.Random.Next(templates.Length)];
            var result = template.ParseToolCallsDetailed(text); // never throws
            Assert.NotNull(result.RemainingText);
            _ = template.ParseToolCalls(text, out _);
        }, typeof(ToolCallFormatException));
        Assert.InRange(ok, 1, 3000 * Scale);
    }
}
