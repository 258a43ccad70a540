using Directer.Evaluation.Demo;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Directer.SemanticKernel.Tests.EndToEnd;

/// <summary>
/// An auto-function-calling round trip on the demo model is two requests sharing the instructions, the tool schemas and
/// the question: the second (after the tool result) starts from the first one's kept KV cache (cached input tokens in
/// its usage), and the conversation is the same, call and answer, as with prefix reuse off.
/// </summary>
public sealed class PrefixReuseRoundTripTests
{
    private static async Task<(ChatHistory History, ChatMessageContent Reply)> RoundTrip(bool reuse, string steering)
    {
        var builder = Kernel.CreateBuilder();
        builder.AddDirecterChatCompletion(DemoModel.Require(), o => o.ReusePrefixes = reuse);
        builder.Plugins.AddFromObject(new CalculatorPlugin(), "calculator");
        var kernel = builder.Build();
        var history = new ChatHistory("You are a helpful assistant. Use the tools to answer.");
        history.AddUserMessage("What is 12 times 37?");
        var settings = new DirecterPromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto(), Steering = steering, EmphasizeSystemMessage = true, MaxTokens = 64 };
        var reply = await kernel.GetRequiredService<IChatCompletionService>().GetChatMessageContentAsync(history, settings, kernel);
        return (history, reply);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("directer")]
    public async Task The_request_after_the_tool_result_reuses_the_prefix_and_answers_as_a_cold_one(string steering)
    {
        var (history, reply) = await RoundTrip(reuse: true, steering);
        var (coldHistory, coldReply) = await RoundTrip(reuse: false, steering);

        // Two requests ran: the call, then the answer after SK fed the result back.
        var call = Assert.Single(history.SelectMany(m => m.Items).OfType<Microsoft.SemanticKernel.FunctionCallContent>());
        var usage = Assert.IsType<UsageDetails>(reply.Metadata!["Usage"]);
        Assert.True(usage.CachedInputTokenCount > 0, $"the second request reused no prefix (usage: {usage.InputTokenCount} in, {usage.CachedInputTokenCount} cached)");
        Assert.True(usage.CachedInputTokenCount < usage.InputTokenCount);
        Assert.Equal(0, Assert.IsType<UsageDetails>(coldReply.Metadata!["Usage"]).CachedInputTokenCount);

        // Same conversation with and without reuse.
        var coldCall = Assert.Single(coldHistory.SelectMany(m => m.Items).OfType<Microsoft.SemanticKernel.FunctionCallContent>());
        Assert.Equal(coldCall.FunctionName, call.FunctionName);
        Assert.Equal(coldCall.Arguments?.Select(a => $"{a.Key}={a.Value}"), call.Arguments?.Select(a => $"{a.Key}={a.Value}"));
        Assert.Equal(coldReply.Content, reply.Content);
    }
}
