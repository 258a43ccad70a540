using Directer.Evaluation.Demo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Directer.SemanticKernel.Tests.EndToEnd;

/// <summary>
/// The SK-native agent loop on the built-in demo model: a real Kernel with a real plugin, function choice behaviours and
/// auto-invocation filters. The demo model copies numbers from the request into its call but names a listed tool only
/// sometimes (docs/DEMO-MODEL.md), so these unconstrained tests hold the plumbing to account — the call the model wrote
/// reaches SK with its arguments, SK answers it (running the plugin exactly when the name resolves), and the loop ends
/// in text — not the model's choice of name (ConstrainedToolCallTests holds that).
/// </summary>
public sealed class KernelAgentTests
{
    private const string Instructions = "You are a helpful assistant. Use the tools to answer.";
    private const string Question = "What is 12 times 37?";

    private sealed class RecordingFilter : IAutoFunctionInvocationFilter
    {
        public List<string> Seen { get; } = [];

        public async Task OnAutoFunctionInvocationAsync(AutoFunctionInvocationContext context, Func<AutoFunctionInvocationContext, Task> next)
        {
            Seen.Add(context.Function.Name);
            await next(context);
        }
    }

    private static (Kernel Kernel, CalculatorPlugin Plugin, RecordingFilter Filter) Build()
    {
        var plugin = new CalculatorPlugin();
        var filter = new RecordingFilter();
        var builder = Kernel.CreateBuilder();
        builder.AddDirecterChatCompletion(DemoModel.Require());
        builder.Plugins.AddFromObject(plugin, "calculator");
        builder.Services.AddSingleton<IAutoFunctionInvocationFilter>(filter);
        return (builder.Build(), plugin, filter);
    }

    private static ChatHistory Conversation()
    {
        var history = new ChatHistory(Instructions);
        history.AddUserMessage(Question);
        return history;
    }

    private static void AssertCopiedFactors(FunctionCallContent call)
    {
        Assert.NotNull(call.Arguments);
        Assert.Equal(["12", "37"], call.Arguments!.Select(a => a.Value?.ToString()).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("directer")]
    public async Task Auto_invocation_answers_the_models_call_and_ends_in_text(string steering)
    {
        var (kernel, plugin, filter) = Build();
        var history = Conversation();
        var settings = new DirecterPromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto(), Steering = steering, EmphasizeSystemMessage = true, MaxTokens = 64 };

        var reply = await kernel.GetRequiredService<IChatCompletionService>().GetChatMessageContentAsync(history, settings, kernel);

        // SK records the model's call and the result it fed back in the history it was given.
        var call = Assert.Single(history.SelectMany(m => m.Items).OfType<FunctionCallContent>());
        AssertCopiedFactors(call);
        var result = Assert.Single(history.SelectMany(m => m.Items).OfType<FunctionResultContent>());
        Assert.Equal(call.Id, result.CallId);
        bool ran = (call.PluginName is null ? call.FunctionName : $"{call.PluginName}_{call.FunctionName}") == "calculator_multiply";
        Assert.Equal(ran ? [(12L, 37L)] : [], plugin.Calls);
        Assert.Equal(ran ? ["multiply"] : [], filter.Seen);
        Assert.Equal(AuthorRole.Assistant, reply.Role);
        Assert.False(string.IsNullOrWhiteSpace(reply.Content));
        Assert.Empty(reply.Items.OfType<FunctionCallContent>());

        // Emphasis from the settings reached the engine: the final turn carries its steering summary and usage.
        var summary = reply.Metadata?.GetValueOrDefault(DirecterChatClient.SteeringSummaryKey) as Directer.Core.Steering.SteeringSummary;
        Assert.Equal(steering == "none" ? null : "directer", summary?.Method);
        Assert.True(steering == "none" || summary!.Steps > 0);
        Assert.NotNull(reply.Metadata?["Usage"]);
    }

    [Fact]
    public async Task With_auto_invoke_off_the_call_comes_back_unexecuted()
    {
        var (kernel, plugin, filter) = Build();
        var settings = new DirecterPromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto(autoInvoke: false), MaxTokens = 64 };

        var reply = await kernel.GetRequiredService<IChatCompletionService>().GetChatMessageContentAsync(Conversation(), settings, kernel);

        AssertCopiedFactors(Assert.Single(reply.Items.OfType<FunctionCallContent>()));
        Assert.Empty(plugin.Calls);
        Assert.Empty(filter.Seen);
    }

    [Fact]
    public async Task With_function_choice_none_no_tool_is_offered_or_called()
    {
        var (kernel, plugin, _) = Build();
        var settings = new DirecterPromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.None(), MaxTokens = 48 };

        var reply = await kernel.GetRequiredService<IChatCompletionService>().GetChatMessageContentAsync(Conversation(), settings, kernel);

        Assert.Empty(reply.Items.OfType<FunctionCallContent>());
        Assert.Empty(plugin.Calls);
        Assert.False(string.IsNullOrWhiteSpace(reply.Content));
    }
}
