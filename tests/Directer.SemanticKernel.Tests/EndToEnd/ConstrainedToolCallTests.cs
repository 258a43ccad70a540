using System.ComponentModel;
using Directer.Evaluation.Demo;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Xunit.Abstractions;

namespace Directer.SemanticKernel.Tests.EndToEnd;

/// <summary>
/// <c>constrain_tool_calls</c> on the built-in demo model: its calls are held to the listed tools' grammar, so the call it
/// writes for "What is 12 times 37?" resolves to the real plugin, runs with the factors it copied, and the loop goes on
/// to a text answer; with both plugins listed and a required call, whatever function the model picks is a real one.
/// Which tool the model picks when free is a model figure, measured over the held-out rows (docs/DEMO-MODEL.md), not
/// asserted on one prompt. Agent Framework: AgentFrameworkTests.
/// </summary>
public sealed class ConstrainedToolCallTests(ITestOutputHelper output)
{
    private const string Instructions = "You are a helpful assistant. Use the tools to answer.";
    private const string Question = "What is 12 times 37?";

    /// <summary>A second plugin, so the model has to choose which function to call.</summary>
    internal sealed class InventoryPlugin
    {
        /// <summary>Products looked up, in order.</summary>
        public List<string> Lookups { get; } = [];

        /// <summary>Units in stock.</summary>
        [KernelFunction("get_stock")]
        [Description("Get how many units of a product are in stock.")]
        public int GetStock([Description("The product name")] string product)
        {
            Lookups.Add(product);
            return 7;
        }
    }

    private static (Kernel Kernel, CalculatorPlugin Calculator, InventoryPlugin Inventory) Build()
    {
        var calculator = new CalculatorPlugin();
        var inventory = new InventoryPlugin();
        var builder = Kernel.CreateBuilder();
        builder.AddDirecterChatCompletion(DemoModel.Require());
        builder.Plugins.AddFromObject(inventory, "inventory");
        builder.Plugins.AddFromObject(calculator, "calculator");
        return (builder.Build(), calculator, inventory);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("directer")]
    public async Task The_models_constrained_call_runs_the_listed_plugin_with_the_copied_arguments(string steering)
    {
        var (kernel, calculator, inventory) = Build();
        var history = new ChatHistory(Instructions);
        history.AddUserMessage(Question);
        var settings = new DirecterPromptExecutionSettings
        {
            // The function is required (and so the only one listed): the model still writes the call and copies the factors.
            FunctionChoiceBehavior = FunctionChoiceBehavior.Required([kernel.Plugins.GetFunction("calculator", "multiply")]),
            Steering = steering,
            EmphasizeSystemMessage = true,
            MaxTokens = 64,
            ConstrainToolCalls = true,
        };

        var reply = await kernel.GetRequiredService<IChatCompletionService>().GetChatMessageContentAsync(history, settings, kernel);
        output.WriteLine(reply.Content);

        var call = Assert.Single(history.SelectMany(m => m.Items).OfType<FunctionCallContent>());
        // The connector advertises SK functions as plugin_function; SK keeps the model's spelling in the history.
        Assert.Equal("calculator_multiply", call.PluginName is null ? call.FunctionName : $"{call.PluginName}_{call.FunctionName}");
        Assert.Equal([(12L, 37L)], calculator.Calls);
        Assert.Empty(inventory.Lookups);
        var result = Assert.Single(history.SelectMany(m => m.Items).OfType<FunctionResultContent>());
        Assert.Equal("444", result.Result?.ToString());
        Assert.False(string.IsNullOrWhiteSpace(reply.Content));
        Assert.Empty(reply.Items.OfType<FunctionCallContent>());
    }

    [Fact]
    public async Task A_required_function_choice_forces_a_call_even_where_the_model_would_answer_in_text()
    {
        // Unconstrained, the demo model answers "Tell me about honey." in text (AgentDemo); with the constraint and
        // FunctionChoiceBehavior.Required the reply must open with a call of a listed function.
        var (kernel, _, _) = Build();
        var chat = kernel.GetRequiredService<IChatCompletionService>();
        ChatHistory Ask()
        {
            var history = new ChatHistory(Instructions);
            history.AddUserMessage("Tell me about honey.");
            return history;
        }

        var free = await chat.GetChatMessageContentAsync(Ask(), new DirecterPromptExecutionSettings
        {
            FunctionChoiceBehavior = FunctionChoiceBehavior.Auto(autoInvoke: false),
            MaxTokens = 48,
            ConstrainToolCalls = true,
        }, kernel);
        Assert.Empty(free.Items.OfType<FunctionCallContent>());

        var required = await chat.GetChatMessageContentAsync(Ask(), new DirecterPromptExecutionSettings
        {
            FunctionChoiceBehavior = FunctionChoiceBehavior.Required(autoInvoke: false),
            MaxTokens = 96,
            ConstrainToolCalls = true,
        }, kernel);
        var call = Assert.Single(required.Items.OfType<FunctionCallContent>());
        output.WriteLine($"{call.PluginName} {call.FunctionName}");
        Assert.Contains(call.PluginName is null ? call.FunctionName : $"{call.PluginName}_{call.FunctionName}", new[] { "inventory_get_stock", "calculator_multiply" });
    }
}
