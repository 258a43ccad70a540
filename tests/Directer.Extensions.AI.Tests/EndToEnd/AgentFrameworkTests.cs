using Directer.Evaluation.Demo;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Directer.Extensions.AI.Tests.EndToEnd;

/// <summary>Microsoft Agent Framework's <see cref="ChatClientAgent"/> over Directer's <see cref="IChatClient"/>, on the demo model.</summary>
public sealed class AgentFrameworkTests
{
    [Fact]
    public async Task A_chat_client_agent_runs_its_tool_loop_on_the_local_model()
    {
        using var provider = new ServiceCollection().AddDirecterChatClient(DemoModel.Require()).BuildServiceProvider();
        var client = provider.GetRequiredService<IChatClient>();
        var plugin = new CalculatorTool();
        var tool = AIFunctionFactory.Create(plugin.Multiply, "multiply", "Returns the product of two integers.");
        var agent = new ChatClientAgent(client, instructions: "You are a helpful assistant. Use the tools to answer.", name: "calculator", tools: [tool]);

        var response = await agent.RunAsync("What is 12 times 37?");

        // The agent's loop carried the model's call (factors copied from the request) to a result and on to a text answer.
        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(["12", "37"], call.Arguments!.Values.Select(v => v?.ToString()).Order(StringComparer.Ordinal));
        var result = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>());
        Assert.Equal(call.CallId, result.CallId);
        Assert.Equal(call.Name == "multiply" ? [(12L, 37L)] : new List<(long, long)>(), plugin.Calls);
        Assert.False(string.IsNullOrWhiteSpace(response.Text));
    }

    [Fact]
    public async Task An_agent_framework_agent_runs_the_real_tool_when_calls_are_constrained()
    {
        using var provider = new ServiceCollection().AddDirecterChatClient(DemoModel.Require()).BuildServiceProvider();
        var client = provider.GetRequiredService<IChatClient>();
        var plugin = new CalculatorTool();
        var inventory = new InventoryTool();
        AIFunction[] tools =
        [
            AIFunctionFactory.Create(inventory.GetStock, "get_stock", "Get how many units of a product are in stock."),
            AIFunctionFactory.Create(plugin.Multiply, "multiply", "Returns the product of two integers."),
        ];
        var options = new ChatOptions { Instructions = "You are a helpful assistant. Use the tools to answer.", Tools = [.. tools], AdditionalProperties = new() { [DirecterSettingKeys.ConstrainToolCalls] = true } };
        var agent = new ChatClientAgent(client, new ChatClientAgentOptions { ChatOptions = options });

        var response = await agent.RunAsync("What is 12 times 37?");

        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("multiply", call.Name);
        Assert.Equal([(12L, 37L)], plugin.Calls);
        Assert.Empty(inventory.Lookups);
        Assert.False(string.IsNullOrWhiteSpace(response.Text));
    }
}
