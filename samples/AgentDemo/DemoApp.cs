using System.Diagnostics;
using AgentDemo.Plugins;
using Directer.Core.Steering;
using Directer.Evaluation.Demo;
using Directer.Extensions.AI;
using Directer.SemanticKernel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace AgentDemo;

/// <summary>An instruction-strict tool-calling agent on a local model, with DIRECTER steering.</summary>
internal static class DemoApp
{
    private const string SystemPrompt = "You are a warehouse assistant. Use the tools to answer. Answer in all lowercase letters.";

    private static readonly string[] Questions =
    {
        "How many units of blue widget are in stock?",
        "What is 12 times 37?",
        "Do we have any red gadget left?",
        "Tell me about honey.",
    };

    public static async Task<int> RunAsync(string[] args)
    {
        string? modelPath = Value(args, "--model") ?? DemoModel.Find();
        if (modelPath is null || !File.Exists(Path.Combine(modelPath, "config.json")))
        {
            Console.Error.WriteLine("The built-in demo model (models/directer-demo) is not in this checkout.");
            Console.Error.WriteLine("Train it (about 40 minutes on 2 cores): dotnet run -c Release --project tools/Directer.Training -- train --out models/directer-demo");
            Console.Error.WriteLine("or pass any supported checkpoint folder: --model <dir>");
            return 2;
        }

        string steering = Value(args, "--steering") ?? "directer";

        // The built-in model copies unseen names unreliably, so its calls are held to the listed tools' grammar by default.
        bool constrain = !args.Contains("--unconstrained");
        bool compare = args.Contains("--compare") || Value(args, "--steering") is null;
        var builder = Kernel.CreateBuilder();
        builder.AddDirecterChatCompletion(modelPath, o => o.MaxSequenceLength = 1024);
        builder.Plugins.AddFromType<InventoryPlugin>("inventory");
        builder.Plugins.AddFromType<CalculatorPlugin>("calculator");
        var kernel = builder.Build();
        var chat = kernel.GetRequiredService<IChatCompletionService>();
        Console.WriteLine($"Directer AgentDemo — model: {modelPath}");
        Console.WriteLine($"System: {SystemPrompt}");
        Console.WriteLine(constrain
            ? "Tool calls: constrained to the listed tools' names and arguments (--unconstrained to turn off)."
            : "Tool calls: unconstrained.");

        if (args.Contains("--interactive"))
        {
            return await InteractiveAsync(kernel, chat, steering, constrain);
        }

        var methods = compare ? new[] { "none", steering } : new[] { steering };
        foreach (string question in Questions)
        {
            Console.WriteLine();
            Console.WriteLine($"User: {question}");
            foreach (string method in methods)
            {
                var (answer, summary, seconds) = await AskAsync(kernel, chat, question, method, constrain);
                Console.WriteLine($"  [{method}] {answer.Trim()}");
                Console.WriteLine($"           {Describe(summary)}; {seconds:F1} s");
            }
        }

        return 0;
    }

    private static async Task<(string Answer, SteeringSummary? Summary, double Seconds)> AskAsync(Kernel kernel, IChatCompletionService chat, string question, string method, bool constrain)
    {
        var history = new ChatHistory(SystemPrompt);
        history.AddUserMessage(question);
        var settings = new DirecterPromptExecutionSettings
        {
            FunctionChoiceBehavior = FunctionChoiceBehavior.Auto(),
            Steering = method,
            EmphasizeSystemMessage = true,
            MaxTokens = 96,
            ConstrainToolCalls = constrain,
        };
        var clock = Stopwatch.StartNew();
        var reply = await chat.GetChatMessageContentAsync(history, settings, kernel);
        PrintToolTraffic(history);
        var summary = reply.Metadata?.TryGetValue(DirecterChatClient.SteeringSummaryKey, out var s) == true ? s as SteeringSummary : null;
        return (reply.Content ?? string.Empty, summary, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Every call the model made and what came back, as SK recorded them in the history (failed lookups too).</summary>
    private static void PrintToolTraffic(ChatHistory history)
    {
        var results = history.SelectMany(m => m.Items).OfType<FunctionResultContent>().ToDictionary(r => r.CallId ?? string.Empty, r => r.Result);
        foreach (var call in history.SelectMany(m => m.Items).OfType<FunctionCallContent>())
        {
            string name = call.PluginName is null ? call.FunctionName : $"{call.PluginName}.{call.FunctionName}";
            string arguments = string.Join(", ", call.Arguments?.Select(a => $"{a.Key}={a.Value}") ?? []);
            Console.WriteLine($"           tool call: {name}({arguments}) -> {results.GetValueOrDefault(call.Id ?? string.Empty)}");
        }
    }

    private static async Task<int> InteractiveAsync(Kernel kernel, IChatCompletionService chat, string steering, bool constrain)
    {
        Console.WriteLine("Interactive mode: type a question (empty line to quit).");
        while (Console.ReadLine() is { Length: > 0 } line)
        {
            var (answer, summary, seconds) = await AskAsync(kernel, chat, line, steering, constrain);
            Console.WriteLine($"Agent: {answer.Trim()}");
            Console.WriteLine($"       {Describe(summary)}; {seconds:F1} s");
        }

        return 0;
    }

    private static string Describe(SteeringSummary? s) => s is null
        ? "no steering"
        : $"{s.Method}: {s.Steps} steps, steered {s.SteeredShare:P0}, gated {s.GatedShare:P0}, fallback {s.FallbackShare:P0}, changed {s.ChangedShare:P0}";

    private static string? Value(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
