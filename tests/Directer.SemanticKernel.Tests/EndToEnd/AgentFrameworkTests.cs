using Directer.Evaluation.Demo;
using Directer.Evaluation.HeldOut;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Directer.SemanticKernel.Tests.EndToEnd;

/// <summary>Microsoft Agent Framework's <see cref="ChatClientAgent"/> over Directer's <see cref="IChatClient"/>, on the demo model.</summary>
public sealed class AgentFrameworkTests
{
    [Fact]
    public async Task A_chat_client_agent_runs_its_tool_loop_on_the_local_model()
    {
        using var provider = new ServiceCollection().AddDirecterChatClient(DemoModel.Require()).BuildServiceProvider();
        var client = provider.GetRequiredService<IChatClient>();
        var plugin = new WarehousePlugin();
        var tool = AIFunctionFactory.Create(plugin.CheckStock, "check_stock", "Check how many units of an item are in stock.");
        var agent = new ChatClientAgent(client, instructions: "You are a warehouse assistant. Use the tools to answer.", name: "warehouse", tools: [tool]);

        var response = await agent.RunAsync("How many units of keyboard are in stock?");

        Assert.Equal(["keyboard"], plugin.Calls);
        Assert.Contains("58", response.Text, StringComparison.Ordinal);
        Assert.Contains(response.Messages, m => m.Contents.OfType<FunctionCallContent>().Any(c => c.Name == "check_stock"));
    }
}
