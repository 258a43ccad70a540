using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Directer.SemanticKernel.Tests.EndToEnd;

/// <summary>
/// SK's auto-invocation filters around a real plugin, driven by a checkpoint that always writes one exact tool call
/// (<see cref="ScriptedCheckpoint"/>), so the name resolves and the whole invoke path runs deterministically.
/// </summary>
public sealed class FunctionFilterTests : IDisposable
{
    private const string Call = "<tool_call>\n{\"name\": \"calculator_multiply\", \"arguments\": {\"a\": 12, \"b\": 37}}\n</tool_call>";
    private readonly string folder = ScriptedCheckpoint.Write(Call);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private sealed class TerminatingFilter : IAutoFunctionInvocationFilter
    {
        public List<string> Seen { get; } = [];

        public async Task OnAutoFunctionInvocationAsync(AutoFunctionInvocationContext context, Func<AutoFunctionInvocationContext, Task> next)
        {
            Seen.Add($"{context.Function.PluginName}.{context.Function.Name}(a={context.Arguments?["a"]}, b={context.Arguments?["b"]})");
            await next(context);
            Seen.Add($"-> {context.Result.GetValue<object>()}");

            // The documented way to end SK's loop from a filter: the function result becomes the reply.
            context.Terminate = true;
        }
    }

    [Fact]
    public async Task A_filter_sees_the_call_runs_the_real_plugin_and_can_end_the_loop()
    {
        var plugin = new CalculatorPlugin();
        var filter = new TerminatingFilter();
        var builder = Kernel.CreateBuilder();
        builder.AddDirecterChatCompletion(folder, o => o.ChatTemplate = "qwen2.5");
        builder.Plugins.AddFromObject(plugin, "calculator");
        builder.Services.AddSingleton<IAutoFunctionInvocationFilter>(filter);
        var kernel = builder.Build();
        var history = new ChatHistory("Use the tools.");
        history.AddUserMessage("What is 12 times 37?");

        var reply = await kernel.GetRequiredService<IChatCompletionService>().GetChatMessageContentAsync(
            history, new DirecterPromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto(), Steering = "directer", MaxTokens = 16 }, kernel);

        Assert.Equal([(12L, 37L)], plugin.Calls);
        Assert.Equal(["calculator.multiply(a=12, b=37)", "-> 444"], filter.Seen);
        Assert.Contains("444", reply.Content ?? string.Join(" ", reply.Items.OfType<FunctionResultContent>().Select(r => r.Result)), StringComparison.Ordinal);
    }
}
