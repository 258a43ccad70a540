using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Directer.SemanticKernel.Tests.EndToEnd;

/// <summary>
/// A tool call round trip through Semantic Kernel in each tool-call format (Hermes, Llama 3 JSON, Mistral with its
/// special <c>[TOOL_CALLS]</c> token): a scripted checkpoint writes the call exactly as a model of that family does; the
/// connector parses it with the template's own format; SK's auto function calling runs the real plugin; the call and
/// its result go back into the history, which the next request renders through the same template (Mistral's demands
/// 9-character call ids) — where the scripted model calls again, and a filter ends the loop after that second result.
/// </summary>
public sealed class ToolFormatRoundTripTests
{
    /// <summary>Sees each auto-invocation with the history at that point; ends SK's loop at the second.</summary>
    private sealed class SecondCallEndsTheLoop : IAutoFunctionInvocationFilter
    {
        public List<ChatHistory> Histories { get; } = [];

        public async Task OnAutoFunctionInvocationAsync(AutoFunctionInvocationContext context, Func<AutoFunctionInvocationContext, Task> next)
        {
            Histories.Add([.. context.ChatHistory]);
            await next(context);
            context.Terminate = Histories.Count == 2;
        }
    }

    public static TheoryData<string, string[], string, string[]> Formats() => new()
    {
        { "qwen2.5", ["<tool_call>\n{\"name\": \"calculator_multiply\", \"arguments\": {\"a\": 12, \"b\": 37}}\n</tool_call>"], "\n", [] },
        { "llama3", ["{\"name\": \"calculator_multiply\", \"parameters\": {\"a\": 12, \"b\": 37}}"], "\n", [] },
        { "mistral", ["[TOOL_CALLS]", "[{\"name\": \"calculator_multiply\", \"arguments\": {\"a\": 12, \"b\": 37}}]"], "]", ["[TOOL_CALLS]"] },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task The_call_runs_the_plugin_and_its_result_renders_back_through_the_template(string template, string[] script, string after, string[] special)
    {
        string folder = ScriptedCheckpoint.Write(script, after, special);
        try
        {
            var plugin = new CalculatorPlugin();
            var filter = new SecondCallEndsTheLoop();
            var builder = Kernel.CreateBuilder();
            builder.AddDirecterChatCompletion(folder, o => o.ChatTemplate = template);
            builder.Plugins.AddFromObject(plugin, "calculator");
            builder.Services.AddSingleton<IAutoFunctionInvocationFilter>(filter);
            var kernel = builder.Build();
            var history = new ChatHistory("Use the tools.");
            history.AddUserMessage("What is 12 times 37?");

            // Mistral's template renders the system message only inside a last user turn: once a tool result is last it
            // drops it. The default system-message emphasis (issue 14) then steers nothing for that request instead of
            // failing the agent's round trip (an explicit EmphasizeSystemMessage = true would still fail it).
            var settings = new DirecterPromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto(), MaxTokens = 16 };
            var reply = await kernel.GetRequiredService<IChatCompletionService>().GetChatMessageContentAsync(history, settings, kernel);

            // The real plugin ran with the arguments the model wrote, once per request.
            Assert.Equal([(12L, 37L), (12L, 37L)], plugin.Calls);

            // The second request carried the first call and its result: rendered by the template (a template that
            // refused them would have failed the request) and answered by the model.
            var second = filter.Histories[1];
            var call = second.SelectMany(m => m.Items).OfType<FunctionCallContent>().First();

            // The connector advertises SK functions as plugin_function; SK keeps the model's spelling in the history.
            Assert.Equal("calculator_multiply", call.PluginName is null ? call.FunctionName : $"{call.PluginName}_{call.FunctionName}");
            Assert.Equal(9, call.Id!.Length);
            var result = second.SelectMany(m => m.Items).OfType<FunctionResultContent>().First();
            Assert.Equal(call.Id, result.CallId);
            Assert.Equal("444", result.Result?.ToString());
            Assert.Contains("444", reply.Content ?? string.Join(" ", reply.Items.OfType<FunctionResultContent>().Select(r => r.Result)), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task After_a_tool_result_Mistrals_template_drops_the_system_message_and_the_reply_metadata_says_so()
    {
        string folder = ScriptedCheckpoint.Write(["Done."], "]", []);
        try
        {
            var builder = Kernel.CreateBuilder();
            builder.AddDirecterChatCompletion(folder, o => o.ChatTemplate = "mistral");
            var kernel = builder.Build();
            var history = new ChatHistory("Answer in lowercase.");
            history.AddUserMessage("What is 12 times 37?");
            var call = new FunctionCallContent("multiply", "calculator", "abc123XYZ", new KernelArguments { ["a"] = 12, ["b"] = 37 });
            history.Add(new ChatMessageContent(AuthorRole.Assistant, [call]));
            history.Add(new FunctionResultContent(call, "444").ToChatMessage());
            var service = kernel.GetRequiredService<IChatCompletionService>();

            var reply = await service.GetChatMessageContentAsync(history, new DirecterPromptExecutionSettings(), kernel);
            Assert.Equal("Done.", reply.Content);
            Assert.Equal(true, reply.Metadata![Directer.Extensions.AI.DirecterChatClient.SystemMessageNotRenderedKey]);

            // Asked for explicitly, the missing system message is an error.
            await Assert.ThrowsAsync<Directer.Core.Emphasis.EmphasisNotFoundException>(() =>
                service.GetChatMessageContentAsync(history, new DirecterPromptExecutionSettings { EmphasizeSystemMessage = true }, kernel));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
