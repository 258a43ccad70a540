using System.Diagnostics;
using System.Text;
using Directer.Core.Chat;
using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Steering;

namespace Directer.Bench;

/// <summary>
/// Serving an agent: a 3-request tool round trip with and without prefix reuse (the 125M benchmark model on token ids,
/// and the demo model through its chat template), throughput of 1, 2, 4 and 8 concurrent requests decoded together
/// against the same requests queued one at a time, 1, 2 and 4 concurrent DIRECTER requests with their steered rows in one
/// pass against steered passes per request, and the memory a cache slot takes. All in one run.
/// </summary>
internal static class ServingBenchmark
{
    public static async Task<string> RunAsync(string checkpoint, bool quick, int threads)
    {
        var report = new StringBuilder();
        using var model = LlamaModel.Load(checkpoint, new ModelOptions { Threads = threads, MaxSequenceLength = 2048 });
        report.AppendLine(await RoundTripAsync(model, quick));
        report.AppendLine(await DemoRoundTripAsync(quick, threads));
        report.AppendLine(await ConcurrencyAsync(model, quick));
        report.AppendLine(await SteeredConcurrencyAsync(model, quick));
        report.AppendLine(Memory(model));
        return report.ToString();
    }

    /// <summary>System prompt and tool schemas, question; then the call and its result are appended, twice.</summary>
    private static async Task<string> RoundTripAsync(LlamaModel model, bool quick)
    {
        int system = quick ? 400 : 1000;
        const int Reply = 16, Result = 80;
        int[] prefix = BenchModel.Prompt(system + 20, 11, model.VocabSize);
        var options = new GenerationOptions { MaxNewTokens = Reply, EosTokenIds = [] };

        async Task<(double Seconds, int Prefilled, List<int> Ids, double Prefill, double Decode)> Run(bool reuse)
        {
            using var generator = new TokenGenerator(model, new ServingOptions { ReusePrefixes = reuse });
            var prompt = prefix.ToList();
            var ids = new List<int>();
            int prefilled = 0;
            double prefill = 0, decode = 0;
            var clock = Stopwatch.StartNew();
            for (int turn = 0; turn < 3; turn++)
            {
                var result = await generator.GenerateAsync(prompt, options);
                prefilled += result.PromptTokens - 1 - result.CachedPromptTokens;
                prefill += result.PrefillTime.TotalSeconds;
                decode += result.DecodeTime.TotalSeconds;
                ids.AddRange(result.Ids);
                prompt.AddRange(result.Ids);
                prompt.AddRange(BenchModel.Prompt(Result, 100 + turn, model.VocabSize));
            }

            return (clock.Elapsed.TotalSeconds, prefilled, ids, prefill, decode);
        }

        await Run(true); // warm-up
        int repeats = quick ? 3 : 5;
        var cold = new List<double>();
        var warm = new List<double>();
        (double, int, List<int>, double, double) coldRun = (0, 0, [], 0, 0), warmRun = (0, 0, [], 0, 0);
        for (int i = 0; i < repeats; i++)
        {
            coldRun = await Run(false);
            warmRun = await Run(true);
            cold.Add(coldRun.Item1);
            warm.Add(warmRun.Item1);
        }

        double c = Median(cold), w = Median(warm);
        var sb = new StringBuilder();
        sb.AppendLine($"125M benchmark model, 3-request tool round trip: a {system + 20}-token system prompt with tools and question, then twice the");
        sb.AppendLine($"{Reply}-token reply and an {Result}-token tool result appended; {Reply} greedy tokens per request; median of {repeats} interleaved run(s):");
        sb.AppendLine();
        sb.AppendLine("| serving | prompt tokens prefilled | time of the 3 requests | × without reuse | prefill / decode (last run) |");
        sb.AppendLine("| --- | --- | --- | --- | --- |");
        sb.AppendLine($"| no reuse | {coldRun.Item2} | {c:F2} s | 1.00 | {coldRun.Item4:F2} s / {coldRun.Item5:F2} s |");
        sb.AppendLine($"| prefix reuse | {warmRun.Item2} | {w:F2} s | {w / c:F2} ({c / w:F2}× faster) | {warmRun.Item4:F2} s / {warmRun.Item5:F2} s |");
        sb.AppendLine();
        sb.AppendLine($"Same tokens with and without reuse: {(coldRun.Item3.SequenceEqual(warmRun.Item3) ? "yes" : "NO")}.");
        return sb.ToString();
    }

    private static async Task<string> DemoRoundTripAsync(bool quick, int threads)
    {
        string? dir = Directer.Evaluation.Demo.DemoModel.Find();
        if (dir is null)
        {
            return "(models/directer-demo not found: demo round trip skipped)";
        }

        ToolDefinition[] tools =
        [
            new("get_stock", "Units in stock of a product at a store.", """{"type": "object", "properties": {"product": {"type": "string"}, "store": {"type": "string"}}, "required": ["product"]}"""),
            new("multiply", "a × b.", """{"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}, "required": ["a", "b"]}"""),
        ];

        async Task<(double Seconds, int Prompt, int Cached, string Answers)> Run(ChatModel chat)
        {
            var turns = new List<ChatTurn>
            {
                new(ChatRole.System, "You are a helpful inventory assistant. Use the tools to answer. Answer in one short sentence."),
                new(ChatRole.User, "What is 12 times 37?"),
            };
            int prompt = 0, cached = 0;
            var answers = new StringBuilder();
            var clock = Stopwatch.StartNew();
            for (int turn = 0; turn < 3; turn++)
            {
                var request = new ChatRequest { Turns = turns.ToList(), Tools = tools, MaxNewTokens = 32, ConstrainToolCalls = true, RequireToolCall = turn == 0 };
                var result = await chat.CompleteAsync(request);
                prompt += result.PromptTokens;
                cached += result.CachedPromptTokens;
                answers.Append(result.RawText).Append('|');
                if (result.ToolCalls.Count > 0)
                {
                    var call = result.ToolCalls[0];
                    turns.Add(new ChatTurn(ChatRole.Assistant, result.Text) { ToolCalls = result.ToolCalls });
                    turns.Add(new ChatTurn(ChatRole.Tool, "444") { ToolCallId = call.Id, ToolName = call.Name });
                }
                else
                {
                    turns.Add(new ChatTurn(ChatRole.Assistant, result.Text));
                    turns.Add(new ChatTurn(ChatRole.User, "And 37 times 12?"));
                }
            }

            return (clock.Elapsed.TotalSeconds, prompt, cached, answers.ToString());
        }

        var modelOptions = new ModelOptions { Threads = threads };
        using var warmModel = ChatModel.Load(dir, new ChatModelOptions { Model = modelOptions });
        using var coldModel = ChatModel.Load(dir, new ChatModelOptions { Model = modelOptions, Serving = new ServingOptions { ReusePrefixes = false } });
        await Run(coldModel); // warm-up of both
        await Run(warmModel);
        int repeats = quick ? 3 : 9;
        var cold = new List<double>();
        var warm = new List<double>();
        (double, int, int, string) c = (0, 0, 0, string.Empty), w = (0, 0, 0, string.Empty);
        for (int i = 0; i < repeats; i++)
        {
            // A fresh conversation each time; the warm model keeps the earlier ones' caches, as a running service would.
            c = await Run(coldModel);
            w = await Run(warmModel);
            cold.Add(c.Item1);
            warm.Add(w.Item1);
        }

        double cm = Median(cold), wm = Median(warm);
        var sb = new StringBuilder();
        sb.AppendLine($"Demo model (Qwen2 layout, 4 layers, hidden 256, vocabulary 2,048) through its chat template: \"What is 12 times 37?\" with two");
        sb.AppendLine($"tools, a required (constrained) call, its result, the answer and a follow-up question; median of {repeats} interleaved runs");
        sb.AppendLine("(the same conversation repeated, so the warm model also reuses the system prompt and tools across conversations):");
        sb.AppendLine();
        sb.AppendLine("| serving | prompt tokens (3 requests) | of them cached | time | × without reuse |");
        sb.AppendLine("| --- | --- | --- | --- | --- |");
        sb.AppendLine($"| no reuse | {c.Item2} | {c.Item3} | {cm * 1000:F0} ms | 1.00 |");
        sb.AppendLine($"| prefix reuse | {w.Item2} | {w.Item3} | {wm * 1000:F0} ms | {wm / cm:F2} ({cm / wm:F2}× faster) |");
        sb.AppendLine();
        sb.AppendLine($"Same replies with and without reuse: {(c.Item4 == w.Item4 ? "yes" : "NO")}.");
        return sb.ToString();
    }

    /// <summary>N plain requests at once: decoded together (MaxConcurrentRows 8) or queued one at a time (MaxConcurrentRows 1).</summary>
    private static async Task<string> ConcurrencyAsync(LlamaModel model, bool quick)
    {
        int newTokens = quick ? 16 : 32;
        const int PromptLength = 32;
        var options = new GenerationOptions { MaxNewTokens = newTokens, EosTokenIds = [] };

        async Task<(double Seconds, List<IReadOnlyList<int>> Ids, int Peak)> Run(int n, int rows)
        {
            using var generator = new TokenGenerator(model, new ServingOptions { CacheSlots = 8, MaxConcurrentRows = rows, ReusePrefixes = false });
            var clock = Stopwatch.StartNew();
            var results = await Task.WhenAll(Enumerable.Range(0, n).Select(i => generator.GenerateAsync(BenchModel.Prompt(PromptLength, 1000 + i, model.VocabSize), options)));
            return (clock.Elapsed.TotalSeconds, results.Select(r => r.Ids).ToList(), generator.PeakRows);
        }

        await Run(2, 8); // warm-up
        var sb = new StringBuilder();
        sb.AppendLine($"125M benchmark model, N concurrent plain greedy requests ({PromptLength}-token prompts, {newTokens} new tokens each), time until all finish,");
        sb.AppendLine("queued (MaxConcurrentRows 1: one request at a time, the behaviour before continuous batching) against decoded together");
        sb.AppendLine("(MaxConcurrentRows 8); one run each, interleaved:");
        sb.AppendLine();
        sb.AppendLine("| concurrent requests | queued | together | rows per round (peak) | throughput together | × queued | same tokens |");
        sb.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (int n in new[] { 1, 2, 4, 8 })
        {
            var queued = await Run(n, 1);
            var together = await Run(n, 8);
            bool same = queued.Ids.Zip(together.Ids).All(p => p.First.SequenceEqual(p.Second));
            double rate = n * newTokens / together.Seconds;
            sb.AppendLine($"| {n} | {queued.Seconds:F2} s | {together.Seconds:F2} s | {together.Peak} | {rate:F1} tok/s | {queued.Seconds / together.Seconds:F2} | {(same ? "yes" : "NO")} |");
        }

        return sb.ToString();
    }

    /// <summary>
    /// N DIRECTER requests at once (default settings, Auto strategy): queued one at a time; decoded together with each
    /// request's steered passes alone (raw passes shared; the behaviour before steered batching); decoded together with
    /// the steered rows of all requests in one pass per round.
    /// </summary>
    private static async Task<string> SteeredConcurrencyAsync(LlamaModel model, bool quick)
    {
        int newTokens = quick ? 16 : 32;
        const int PromptLength = 32;
        var options = new GenerationOptions { MaxNewTokens = newTokens, EosTokenIds = [] };
        var settings = new SteeringSettings();

        async Task<(double Seconds, List<IReadOnlyList<int>> Ids, int SharedPasses, int PeakShared, double PastGate)> Run(int n, int rows, bool batchSteered)
        {
            using var generator = new TokenGenerator(model, new ServingOptions { CacheSlots = 8, MaxConcurrentRows = rows, ReusePrefixes = false, BatchSteeredRows = batchSteered });
            var selectors = Enumerable.Range(0, n).Select(i => new DirecterSelector([new TokenSpan(4, 16 + i)], settings)).ToArray();
            var clock = Stopwatch.StartNew();
            var results = await Task.WhenAll(Enumerable.Range(0, n).Select(i => generator.GenerateAsync(BenchModel.Prompt(PromptLength, 2000 + i, model.VocabSize), options, selectors[i])));
            double seconds = clock.Elapsed.TotalSeconds;

            // Steps after the first (the ranking's) whose gate let steering through: the steps with candidate rows.
            double pastGate = selectors.Sum(s => s.Trace.Skip(1).Count(t => !t.Gated)) / (double)selectors.Sum(s => s.Trace.Count - 1);
            return (seconds, results.Select(r => r.Ids).ToList(), generator.BatchedSteeredPasses, generator.PeakSteeredRequests, pastGate);
        }

        await Run(2, 8, true); // warm-up
        var sb = new StringBuilder();
        sb.AppendLine($"125M benchmark model, N concurrent DIRECTER requests (default settings: Auto strategy, alpha {settings.Alpha}, beta {settings.Beta}; {PromptLength}-token");
        sb.AppendLine($"prompts, 12 emphasised tokens, {newTokens} greedy tokens each), time until all finish: queued (one at a time), decoded together with");
        sb.AppendLine("each request's steered passes run alone (raw passes shared: the behaviour before steered batching), decoded together with");
        sb.AppendLine("the steered rows of all requests in shared passes (candidates after the gate in one pass per round, the ranking rows");
        sb.AppendLine("in the raw pass); one run each, interleaved:");
        sb.AppendLine();
        sb.AppendLine("| concurrent requests | queued | steered per request | steered batched | batched × per request | batched × queued | shared steered passes (peak requests) | steps past the gate | same tokens |");
        sb.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (int n in new[] { 1, 2, 4 })
        {
            var queued = await Run(n, 1, true);
            var perRequest = await Run(n, 8, false);
            var batched = await Run(n, 8, true);
            bool same = queued.Ids.Zip(perRequest.Ids).All(p => p.First.SequenceEqual(p.Second)) && queued.Ids.Zip(batched.Ids).All(p => p.First.SequenceEqual(p.Second));
            sb.AppendLine($"| {n} | {queued.Seconds:F2} s | {perRequest.Seconds:F2} s | {batched.Seconds:F2} s | {perRequest.Seconds / batched.Seconds:F2} | {queued.Seconds / batched.Seconds:F2} | {batched.SharedPasses} ({batched.PeakShared}) | {batched.PastGate:P0} | {(same ? "yes" : "NO")} |");
        }

        return sb.ToString();
    }

    private static string Memory(LlamaModel model)
    {
        using var cache = model.CreateCache(256);
        var sb = new StringBuilder();
        sb.AppendLine("Memory of a cache slot (float32 keys and values of every layer; a slot grows to the longest request it served, in");
        sb.AppendLine("steps of 256 positions, up to the context):");
        sb.AppendLine();
        sb.AppendLine("| model | bytes per position | 256 positions | full context |");
        sb.AppendLine("| --- | --- | --- | --- |");
        sb.AppendLine($"| 125M benchmark (12 layers, 4 KV heads × 64) | {cache.BytesPerPosition / 1024.0:F0} KiB | {cache.AllocatedBytes / 1048576.0:F1} MiB | {cache.BytesPerPosition * model.ContextLength / 1048576.0:F0} MiB ({model.ContextLength}) |");
        if (Directer.Evaluation.Demo.DemoModel.Find() is { } dir)
        {
            using var demo = LlamaModel.Load(dir);
            using var demoCache = demo.CreateCache(256);
            sb.AppendLine($"| demo (4 layers, 2 KV heads × 32) | {demoCache.BytesPerPosition / 1024.0:F0} KiB | {demoCache.AllocatedBytes / 1048576.0:F2} MiB | {demoCache.BytesPerPosition * demo.ContextLength / 1048576.0:F1} MiB ({demo.ContextLength}) |");
        }

        return sb.ToString();
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
