using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Directer.Core.Chat;
using Directer.Core.Generation.Constraints;
using Directer.Core.Templates;
using Directer.Core.Tokenization;
using Directer.Testing;

namespace Directer.Bench;

/// <summary>
/// What constrained tool calls cost: the time to compute one step's allowed tokens (the vocabulary trie walk) for
/// vocabularies of real-model size, in the grammar's cheapest and dearest states, and end-to-end decode throughput of
/// the built-in demo model with and without the constraint, side by side in one run.
/// </summary>
internal static class ConstraintBenchmark
{
    private static readonly ToolDefinition[] Tools =
    [
        new("get_stock", "Units in stock.", """{"type": "object", "properties": {"product": {"type": "string"}, "store": {"type": "string"}}, "required": ["product"]}"""),
        new("multiply", "a × b.", """{"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}, "required": ["a", "b"]}"""),
    ];

    // Where the mask is computed: outside a call (usually no mask), at the name, inside a string value (the most
    // tokens allowed, so the longest walk) and between arguments (few allowed).
    private static readonly (string State, string Prefix)[] States =
    [
        ("free text", "The answer is"),
        ("tool name", "<tool_call>\n{\"name\": \""),
        ("inside a string value", "<tool_call>\n{\"name\": \"get_stock\", \"arguments\": {\"product\": \"blue wid"),
        ("after a value", "<tool_call>\n{\"name\": \"multiply\", \"arguments\": {\"a\": 12"),
    ];

    public static async Task<string> RunAsync(string root, bool quick)
    {
        var report = new StringBuilder();
        report.AppendLine("Time to compute one step's allowed tokens (`ToolCallConstraint.AllowedNext`), median of repeated calls, for");
        report.AppendLine("synthetic byte-level vocabularies of real-model sizes (random words; the trie walk depends on the vocabulary's");
        report.AppendLine("size and shape, not on the model). One plain decode step of the 125M benchmark model is ≈ 29 ms.");
        report.AppendLine();
        int[] sizes = quick ? [32_000] : [32_000, 151_000];
        report.AppendLine("| vocabulary | trie build | " + string.Join(" | ", States.Select(s => s.State)) + " |");
        report.AppendLine("| --- | --- |" + string.Concat(States.Select(_ => " --- |")));
        foreach (int size in sizes)
        {
            var tokenizer = TextTokenizer.Load(WriteTokenizer(Path.Combine(root, $"vocab-{size}"), size));
            var build = Stopwatch.StartNew();
            var first = ToolCallConstraint.ForHermes(tokenizer, Tools);
            first.Begin();
            first.AllowedNext(tokenizer.VocabSize);
            build.Stop();
            var cells = new List<string>();
            foreach (var (_, prefix) in States)
            {
                var constraint = ToolCallConstraint.ForHermes(tokenizer, Tools);
                constraint.Begin();
                foreach (int id in tokenizer.Encode(prefix))
                {
                    constraint.Accept(id);
                }

                double seconds = Measure.MedianSeconds(quick ? 5 : 21, () => constraint.AllowedNext(tokenizer.VocabSize));
                bool[]? allowed = constraint.AllowedNext(tokenizer.VocabSize);
                string count = allowed is null ? "no mask" : $"{allowed.Count(a => a):N0} allowed";
                cells.Add($"{seconds * 1000:F2} ms ({count})");
            }

            report.AppendLine($"| {size:N0} | {build.Elapsed.TotalMilliseconds:F0} ms | {string.Join(" | ", cells)} |");
        }

        report.AppendLine();
        report.AppendLine(await DemoModelDecodeAsync(quick));
        return report.ToString();
    }

    private static async Task<string> DemoModelDecodeAsync(bool quick)
    {
        string? dir = FindDemoModel();
        if (dir is null)
        {
            return "(models/directer-demo not found: end-to-end comparison skipped)";
        }

        using var model = ChatModel.Load(dir);
        var request = new ChatRequest
        {
            Turns = [new ChatTurn(ChatRole.System, "You are a helpful assistant."), new ChatTurn(ChatRole.User, "What is 12 times 37?")],
            Tools = Tools,
            MaxNewTokens = 48,
        };
        var variants = new (string Name, ChatRequest Request)[]
        {
            ("unconstrained", request),
            ("constrained", request with { ConstrainToolCalls = true }),
            ("constrained, call required", request with { ConstrainToolCalls = true, RequireToolCall = true }),
        };
        await model.CompleteAsync(request); // warm-up
        var sb = new StringBuilder();
        sb.AppendLine("Built-in demo model (vocabulary 2,048), \"What is 12 times 37?\" with two tools, greedy, median of " + (quick ? 3 : 9) + " runs:");
        sb.AppendLine();
        sb.AppendLine("| variant | tokens | masked steps | decode tok/s | × unconstrained | reply |");
        sb.AppendLine("| --- | --- | --- | --- | --- | --- |");
        double baseline = 0;
        foreach (var (name, variant) in variants)
        {
            var rates = new List<double>();
            ChatResult? last = null;
            for (int i = 0; i < (quick ? 3 : 9); i++)
            {
                last = await model.CompleteAsync(variant);
                rates.Add(last.Generation.DecodeTokensPerSecond);
            }

            rates.Sort();
            double rate = rates[rates.Count / 2];
            baseline = baseline == 0 ? rate : baseline;
            string reply = last!.RawText.Replace("\n", "\\n", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal);
            sb.AppendLine($"| {name} | {last.CompletionTokens} | {last.Generation.ConstrainedSteps} | {rate:F1} | {rate / baseline:F2} | `{reply}` |");
        }

        return sb.ToString();
    }

    private static string? FindDemoModel()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "models", "directer-demo");
            if (File.Exists(Path.Combine(candidate, "config.json")))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The tiny test tokenizer plus <paramref name="size"/> − 300 random words (no merges: ids only matter here).</summary>
    private static string WriteTokenizer(string directory, int size)
    {
        var random = new Random(size);
        const string letters = "etaoinshrdlcumwfgypbvkjxqz";
        string[] pieces = ["\":", "\",", "{\"", "\"}", "Ġ\"", "\":Ġ\"", "Ġ{", "}}", "_", "Ċ", "ĠĠ", "ĠĠĠĠ", "0", "12", "2024", "-", "."];
        return TinyTokenizer.Write(directory, edit: root =>
        {
            var vocab = (JsonObject)root["model"]!["vocab"]!;
            int next = vocab.Count + TinyTokenizer.Specials.Length;
            var seen = new HashSet<string>(vocab.Select(kv => kv.Key));
            while (next < size)
            {
                var word = new StringBuilder();
                if (random.NextDouble() < 0.5)
                {
                    word.Append('Ġ');
                }

                int length = random.Next(2, 10);
                for (int i = 0; i < length; i++)
                {
                    word.Append(random.NextDouble() < 0.02 ? pieces[random.Next(pieces.Length)] : letters[(int)(Math.Min(0.999, random.NextDouble() * random.NextDouble() * 1.6) * letters.Length)].ToString());
                }

                if (seen.Add(word.ToString()))
                {
                    vocab[word.ToString()] = next++;
                }
            }
        });
    }
}
