using Directer.Evaluation.Demo;
using Directer.Evaluation.HeldOut;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Directer.SemanticKernel.Tests.EndToEnd;

/// <summary>
/// The SK-native agent loop on the built-in demo model: a real Kernel with a real plugin, function choice behaviours,
/// auto-invocation filters, and instruction emphasis on the system message.
/// </summary>
public sealed class KernelAgentTests
{
    private const string Instructions = "You are a warehouse assistant. Use the tools to answer.";

    private sealed class CountingFilter : IAutoFunctionInvocationFilter
    {
        public List<string> Seen { get; } = [];

        public async Task OnAutoFunctionInvocationAsync(AutoFunctionInvocationContext context, Func<AutoFunctionInvocationContext, Task> next)
        {
            Seen.Add($"{context.Function.PluginName}.{context.Function.Name}({string.Join(",", context.Arguments?.Select(a => $"{a.Key}={a.Value}") ?? [])})");
            await next(context);
        }
    }

    private static (Kernel Kernel, WarehousePlugin Plugin, CountingFilter Filter) Build()
    {
        var plugin = new WarehousePlugin();
        var filter = new CountingFilter();
        var builder = Kernel.CreateBuilder();
        builder.AddDirecterChatCompletion(DemoModel.Require());
        builder.Plugins.AddFromObject(plugin, "inventory");
        builder.Services.AddSingleton<IAutoFunctionInvocationFilter>(filter);
        return (builder.Build(), plugin, filter);
    }

    private static ChatHistory Ask(string question)
    {
        var history = new ChatHistory(Instructions);
        history.AddUserMessage(question);
        return history;
    }

    [Theory]
    [InlineData("none")]
    [InlineData("directer")]
    public async Task The_model_calls_the_plugin_through_the_filter_and_answers_from_its_result(string steering)
    {
        var (kernel, plugin, filter) = Build();
        var settings = new DirecterPromptExecutionSettings
        {
            FunctionChoiceBehavior = FunctionChoiceBehavior.Auto(),
            Steering = steering,
            EmphasizeSystemMessage = true,
            MaxTokens = 64,
        };

        var reply = await kernel.GetRequiredService<IChatCompletionService>().GetChatMessageContentAsync(Ask("How many units of desk lamp are in stock?"), settings, kernel);

        Assert.Equal(["desk lamp"], plugin.Calls);
        Assert.Equal(["inventory.check_stock(item=desk lamp)"], filter.Seen);
        Assert.Contains("314", reply.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_auto_invoke_off_the_call_comes_back_unexecuted()
    {
        var (kernel, plugin, filter) = Build();
        var settings = new DirecterPromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto(autoInvoke: false), MaxTokens = 64 };

        var reply = await kernel.GetRequiredService<IChatCompletionService>().GetChatMessageContentAsync(Ask("How many units of desk lamp are in stock?"), settings, kernel);

        var call = Assert.Single(reply.Items.OfType<FunctionCallContent>());
        Assert.Equal("inventory", call.PluginName);
        Assert.Equal("check_stock", call.FunctionName);
        Assert.Equal("desk lamp", call.Arguments?["item"]?.ToString());
        Assert.Empty(plugin.Calls);
        Assert.Empty(filter.Seen);

        // The caller runs it and hands the result back, as SK's manual function-calling loop does.
        var history = Ask("How many units of desk lamp are in stock?");
        history.Add(reply);
        history.Add((await call.InvokeAsync(kernel)).ToChatMessage());
        var final = await kernel.GetRequiredService<IChatCompletionService>().GetChatMessageContentAsync(history, settings, kernel);
        Assert.Equal(["desk lamp"], plugin.Calls);
        Assert.Contains("314", final.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_function_choice_none_no_tool_is_called()
    {
        var (kernel, plugin, _) = Build();
        var settings = new DirecterPromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.None(), MaxTokens = 48 };

        var reply = await kernel.GetRequiredService<IChatCompletionService>().GetChatMessageContentAsync(Ask("How many units of desk lamp are in stock?"), settings, kernel);

        Assert.Empty(reply.Items.OfType<FunctionCallContent>());
        Assert.Empty(plugin.Calls);
        Assert.False(string.IsNullOrWhiteSpace(reply.Content));
    }
}
