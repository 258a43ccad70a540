using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AgentDemo.Plugins;
using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Steering;
using Directer.Evaluation.Demo;
using Directer.Extensions.AI;
using Directer.Evaluation.HeldOut;
using Directer.SemanticKernel;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using UsageDetails = Microsoft.Extensions.AI.UsageDetails;

namespace AgentDemo;

/// <summary>
/// An instruction-strict tool-calling agent on a local model, with DIRECTER steering. The scripted run asks the same
/// stock question before and after a long tool result, once without steering and once with it, and checks the
/// system prompt's instruction on every answer: the further the instruction lies behind, the more a model drops it,
/// and steering is there to bring it back.
/// </summary>
public static class DemoApp
{
    /// <summary>The system prompt; its last sentence is the instruction each answer is checked against.</summary>
    public const string SystemPrompt = "You are a warehouse assistant. Use the tools to answer. " + Instruction;

    /// <summary>The checkable instruction (and the text DIRECTER emphasises, with the rest of the system message).</summary>
    public const string Instruction = "Answer in all lowercase letters.";

    /// <summary>Most tokens per reply.</summary>
    public const int MaxTokens = 96;

    /// <summary>The scripted conversation: a question, a long tool result, and the first question again.</summary>
    public static readonly IReadOnlyList<string> Questions =
    [
        "How many units of blue widget are in stock?",
        "Show me today's shipment log for the Lisbon site.",
        "How many units of blue widget are in stock?",
    ];

    private static readonly Constraint Checked = new(ConstraintKind.Lowercase);

    /// <summary>Runs the demo as the command line asks; <paramref name="output"/> defaults to the console.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var (code, _) = await RunWithTranscriptAsync(args, output ?? Console.Out, cancellationToken);
        return code;
    }

    /// <summary>Runs the demo and also returns what the scripted run did (null in interactive mode or on a usage error).</summary>
    public static async Task<(int ExitCode, DemoTranscript? Transcript)> RunWithTranscriptAsync(string[] args, TextWriter o, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(o);
        string? modelPath = Value(args, "--model") ?? DemoModel.Find();
        if (modelPath is null || !File.Exists(Path.Combine(modelPath, "config.json")))
        {
            Console.Error.WriteLine("The built-in demo model (models/directer-demo) is not in this checkout.");
            Console.Error.WriteLine("Train it (about 40 minutes on 2 cores): dotnet run -c Release --project tools/Directer.Training -- train --out models/directer-demo");
            Console.Error.WriteLine("or pass any supported checkpoint folder: --model <dir>");
            return (2, null);
        }

        string steering = Value(args, "--steering") ?? "directer";

        // The built-in model copies unseen names unreliably, so its calls are held to the listed tools' grammar by default.
        bool constrain = !args.Contains("--unconstrained");
        bool compare = args.Contains("--compare") || Value(args, "--steering") is null;
        var kernel = BuildKernel(modelPath, interactive: args.Contains("--interactive"));
        var chat = kernel.GetRequiredService<IChatCompletionService>();
        o.WriteLine($"Directer AgentDemo — model: {Shown(modelPath)}");
        o.WriteLine($"System: {SystemPrompt}");
        o.WriteLine(constrain
            ? "Tool calls: constrained to the listed tools' names and arguments (--unconstrained to turn off)."
            : "Tool calls: unconstrained.");

        // The first passes load the weights, build the tool grammar, run SK's function-calling path once and allocate
        // caches: one whole unsteered turn and a few steered tokens, kept out of the answers' timings.
        var warm = Stopwatch.StartNew();
        foreach (string method in new[] { "none", steering }.Distinct())
        {
            var history = new ChatHistory(SystemPrompt);
            history.AddUserMessage(Questions[0]);
            var choice = method == "none" ? FunctionChoiceBehavior.Auto() : FunctionChoiceBehavior.Auto(autoInvoke: false);
            await chat.GetChatMessageContentAsync(history, Settings(method, constrain, choice, method == "none" ? MaxTokens : 4), kernel, cancellationToken);
        }

        double warmup = warm.Elapsed.TotalSeconds;
        o.WriteLine($"Warm-up: {warmup:F1} s (first passes through the model; not counted in the timings below).");

        if (args.Contains("--interactive"))
        {
            return (await InteractiveAsync(kernel, chat, steering, constrain, o, cancellationToken), null);
        }

        var transcript = await RunScriptAsync(kernel, chat, compare ? ["none", steering] : [steering], constrain, warmup, o, cancellationToken);
        o.WriteLine();
        o.WriteLine(transcript.Summary);
        return (0, transcript);
    }

    /// <summary>Runs the scripted conversation, one history per method, printing each reply as it comes.</summary>
    private static async Task<DemoTranscript> RunScriptAsync(Kernel kernel, IChatCompletionService chat, IReadOnlyList<string> methods, bool constrain, double warmup, TextWriter o, CancellationToken cancellationToken)
    {
        var histories = methods.ToDictionary(m => m, _ => new ChatHistory(SystemPrompt));

        // The log question must fetch the log (its long result is what separates the instruction from the last answer),
        // so that step offers, and requires, the log function alone; the model still writes the call.
        var logTool = kernel.Plugins.GetFunction("inventory", "get_shipment_log");
        var replies = new List<DemoReply>();
        foreach (string question in Questions)
        {
            o.WriteLine();
            o.WriteLine(question == Questions[1] ? $"User: {question}   (this step requires inventory.get_shipment_log)" : $"User: {question}");
            foreach (string method in methods)
            {
                var reply = await AskAsync(kernel, chat, histories[method], question, method, constrain, cancellationToken, question == Questions[1] ? logTool : null);
                replies.Add(reply);
                Print(reply, o);
            }
        }

        return new DemoTranscript(warmup, replies, Summarize(replies, methods));
    }

    private static Kernel BuildKernel(string modelPath, bool interactive)
    {
        var builder = Kernel.CreateBuilder();
        builder.AddDirecterChatCompletion(modelPath, o => o.MaxSequenceLength = 1024);
        builder.Plugins.AddFromType<InventoryPlugin>("inventory");
        if (interactive)
        {
            // The scripted run lists only the inventory: every listed schema costs context the long result needs.
            builder.Plugins.AddFromType<CalculatorPlugin>("calculator");
        }

        return builder.Build();
    }

    private static DirecterPromptExecutionSettings Settings(string method, bool constrain, FunctionChoiceBehavior choice, int maxTokens) => new()
    {
        FunctionChoiceBehavior = choice,
        Steering = method,

        // Unset: the system message (where the instruction is) is emphasised wherever the model's template renders it;
        // a template that drops it after a tool result (Mistral v0.3) then steers nothing for that request instead of failing.
        MaxTokens = maxTokens,
        ConstrainToolCalls = constrain,
    };

    private static async Task<DemoReply> AskAsync(Kernel kernel, IChatCompletionService chat, ChatHistory history, string question, string method, bool constrain, CancellationToken cancellationToken, KernelFunction? required = null)
    {
        int before = history.Count;
        history.AddUserMessage(question);
        var choice = required is null ? FunctionChoiceBehavior.Auto() : FunctionChoiceBehavior.Required([required]);
        var settings = Settings(method, constrain, choice, MaxTokens);
        var clock = Stopwatch.StartNew();
        ChatMessageContent reply;
        try
        {
            reply = await chat.GetChatMessageContentAsync(history, settings, kernel, cancellationToken);
        }
        catch (ContextLengthExceededException e)
        {
            // A small model's context fills quickly when its answers run long; say so instead of stopping the demo.
            history.RemoveRange(before, history.Count - before);
            return new DemoReply(method, question, string.Empty, false, false, 0, clock.Elapsed.TotalSeconds, null, [], $"the conversation no longer fits the model's context ({e.Message.Split(" (")[0]})");
        }

        double seconds = clock.Elapsed.TotalSeconds;
        var calls = ToolTraffic(kernel, history.Skip(before));
        history.Add(reply);

        // Every model request of the turn (the call, then the answer after the result) counts: its tokens and decode time.
        var requests = history.Skip(before).Where(m => m.Role == AuthorRole.Assistant).ToList();
        long tokens = requests.Sum(m => (m.Metadata?.GetValueOrDefault("Usage") as UsageDetails)?.OutputTokenCount ?? 0);
        double decodeSeconds = requests.Sum(m => m.Metadata?.GetValueOrDefault(DirecterChatClient.DecodeSecondsKey) as double? ?? 0);
        var stop = reply.Metadata?.GetValueOrDefault(DirecterChatClient.StopReasonKey) as StopReason?;
        var summary = reply.Metadata?.TryGetValue(DirecterChatClient.SteeringSummaryKey, out var s) == true ? s as SteeringSummary : null;
        string answer = (reply.Content ?? string.Empty).Trim();
        return new DemoReply(
            method,
            question,
            answer,
            stop is StopReason.MaxTokens or StopReason.ContextFull,
            ConstraintChecker.IsSatisfied(Checked, answer),
            (int)tokens,
            seconds,
            summary,
            calls,
            DecodeSeconds: decodeSeconds);
    }

    /// <summary>Every call the model made in this turn and what came back, as SK recorded them (failed lookups too).</summary>
    private static List<DemoToolCall> ToolTraffic(Kernel kernel, IEnumerable<ChatMessageContent> turn)
    {
        var messages = turn.ToList();
        var results = messages.SelectMany(m => m.Items).OfType<FunctionResultContent>().ToDictionary(r => r.CallId ?? string.Empty, r => r.Result);
        return messages.SelectMany(m => m.Items).OfType<FunctionCallContent>().Select(call =>
        {
            string name = call.PluginName is null ? call.FunctionName : $"{call.PluginName}.{call.FunctionName}";
            string arguments = string.Join(", ", call.Arguments?.Select(a => $"{a.Key}={a.Value}") ?? []);
            var result = results.GetValueOrDefault(call.Id ?? string.Empty);
            string text = result as string ?? JsonSerializer.Serialize(result);
            bool ran = IsRegistered(kernel, call.PluginName, call.FunctionName) && result is not null;
            return new DemoToolCall(name, arguments, text, ran);
        }).ToList();
    }

    /// <summary>True when the call names a registered function (SK may report it as "plugin_function" without a plugin).</summary>
    private static bool IsRegistered(Kernel kernel, string? plugin, string function) => plugin is not null
        ? kernel.Plugins.TryGetFunction(plugin, function, out _)
        : kernel.Plugins.Any(p => p.Any(f => function == $"{p.Name}_{f.Name}" || function == $"{p.Name}-{f.Name}"));

    private static void Print(DemoReply r, TextWriter o)
    {
        string label = $"  [{r.Method}]";
        string pad = new(' ', label.Length + 1);
        foreach (var call in r.ToolCalls)
        {
            o.WriteLine($"{label} tool call: {call.Name}({call.Arguments}) -> {Shorten(call.Result, 120)}");
            label = pad[..^1];
        }

        o.WriteLine($"{label} {FormatAnswer(r)}");
        o.WriteLine($"{pad}{Describe(r)}");
    }

    /// <summary>The answer as printed: a reply cut by the token limit says so.</summary>
    public static string FormatAnswer(DemoReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return reply.Failure is { } failure ? $"[not answered: {failure}]"
            : reply.Truncated ? $"{reply.Answer} … [cut: reached the {MaxTokens}-token limit]"
            : reply.Answer;
    }

    private static string Describe(DemoReply r)
    {
        string kept = r.InstructionKept ? "instruction kept" : "instruction NOT kept";
        string steering = r.Steering is { } s ? $"; steered {s.SteeredShare:P0}, changed {s.ChangedShare:P0} of {s.Steps} tokens" : string.Empty;
        string decode = r.DecodeSeconds > 0 ? string.Create(CultureInfo.InvariantCulture, $", decoding at {r.Tokens / r.DecodeSeconds:F0} tokens/s") : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"({kept}; {r.Tokens} tokens generated in {r.Seconds:F1} s{decode}{steering})");
    }

    /// <summary>The closing line: instruction kept per method, steered and changed tokens, decode speed against unsteered
    /// (decode time, not wall time: the second method's requests reuse the prompt prefix the first one cached).</summary>
    public static string Summarize(IReadOnlyList<DemoReply> replies, IReadOnlyList<string> methods)
    {
        ArgumentNullException.ThrowIfNull(replies);
        ArgumentNullException.ThrowIfNull(methods);
        var parts = new List<string>();
        foreach (string method in methods)
        {
            var mine = replies.Where(r => r.Method == method).ToList();
            parts.Add($"{method}: instruction kept in {mine.Count(r => r.InstructionKept)}/{mine.Count} answers, {Speed(mine):F0} tokens/s");
        }

        string line = "Summary — " + string.Join("; ", parts);
        var steered = replies.Where(r => r.Steering is not null).ToList();
        if (steered.Count > 0)
        {
            int steps = steered.Sum(r => r.Steering!.Steps);
            int steeredTokens = steered.Sum(r => (int)Math.Round(r.Steering!.SteeredShare * r.Steering.Steps));
            int changed = steered.Sum(r => (int)Math.Round(r.Steering!.ChangedShare * r.Steering.Steps));
            line += string.Create(CultureInfo.InvariantCulture, $". {steered[0].Method}: steered {steeredTokens} of {steps} tokens, changed {changed}");
            var plain = replies.Where(r => r.Method == "none").ToList();
            if (plain.Count > 0 && Speed(plain) > 0)
            {
                line += string.Create(CultureInfo.InvariantCulture, $"; speed {Speed(steered) / Speed(plain):F2}× unsteered");
            }
        }

        return line + ".";
    }

    private static double Speed(IReadOnlyList<DemoReply> replies)
    {
        var answered = replies.Where(r => r.Failure is null).ToList();
        double seconds = answered.All(r => r.DecodeSeconds > 0) ? answered.Sum(r => r.DecodeSeconds) : answered.Sum(r => r.Seconds);
        return seconds > 0 ? answered.Sum(r => r.Tokens) / seconds : 0;
    }

    /// <summary>The model folder relative to the working directory when it lies below it (the usual case).</summary>
    private static string Shown(string path)
    {
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative.Replace('\\', '/');
    }

    private static string Shorten(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";

    private static async Task<int> InteractiveAsync(Kernel kernel, IChatCompletionService chat, string steering, bool constrain, TextWriter o, CancellationToken cancellationToken)
    {
        o.WriteLine("Interactive mode: type a question (empty line to quit).");
        var history = new ChatHistory(SystemPrompt);
        while (Console.ReadLine() is { Length: > 0 } line)
        {
            var reply = await AskAsync(kernel, chat, history, line, steering, constrain, cancellationToken);
            Print(reply, o);
        }

        return 0;
    }

    private static string? Value(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
