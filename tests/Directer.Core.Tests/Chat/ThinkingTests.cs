using Directer.Core.Chat;
using Directer.Core.Runtime;
using Directer.Testing;

namespace Directer.Core.Tests.Chat;

/// <summary>
/// Qwen3's thinking on a scripted Qwen3 checkpoint with Qwen3's real chat template: enable_thinking reaches the
/// template, the &lt;think&gt; block is kept out of the reply (whole and streamed), and reasoning given back in the
/// history renders as the model's raw output does, so the template keeps or drops it by its own rule.
/// </summary>
public sealed class ThinkingTests : IDisposable
{
    private static readonly string[] Script = ["<think>", "\nThe user greets; greet back.\n", "</think>", "\n\nHi there!"];

    private readonly string directory = Directory.CreateTempSubdirectory("directer-thinking-").FullName;
    private readonly ChatModel chat;

    public ThinkingTests()
    {
        TorchRuntime.EnsureInitialized();
        ScriptedQwen3.Write(directory, Script);
        chat = ChatModel.Load(directory, new ChatModelOptions { Model = new() { MaxSequenceLength = 512 } });
    }

    public void Dispose()
    {
        chat.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    private static ChatRequest Request(bool? thinking = null, params ChatTurn[] turns) => new()
    {
        Turns = turns.Length > 0 ? turns : [new ChatTurn(ChatRole.User, "hello")],
        EnableThinking = thinking,
        MaxNewTokens = 16,
    };

    [Fact]
    public void EnableThinkingReachesTheTemplate()
    {
        Assert.EndsWith("<|im_start|>assistant\n", chat.BuildPrompt(Request()).Text, StringComparison.Ordinal);
        Assert.EndsWith("<|im_start|>assistant\n", chat.BuildPrompt(Request(thinking: true)).Text, StringComparison.Ordinal);
        Assert.EndsWith("<|im_start|>assistant\n<think>\n\n</think>\n\n", chat.BuildPrompt(Request(thinking: false)).Text, StringComparison.Ordinal);
        Assert.EndsWith("<|im_start|>assistant\n", chat.BuildPrompt(Request()).Text, StringComparison.Ordinal); // the variant did not stick
    }

    [Fact]
    public async Task TheThinkBlockIsReturnedAsReasoningNotAsText()
    {
        var result = await chat.CompleteAsync(Request());
        Assert.Equal("<think>\nThe user greets; greet back.\n</think>\n\nHi there!", result.RawText);
        Assert.Equal("The user greets; greet back.", result.Reasoning);
        Assert.Equal("Hi there!", result.Text);
        Assert.Empty(result.ToolCalls);
    }

    [Fact]
    public async Task StreamingSendsReasoningPiecesApartFromTextPieces()
    {
        var reasoning = new List<string>();
        var text = new List<string>();
        ChatResult? last = null;
        await foreach (var update in chat.StreamAsync(Request()))
        {
            (update.IsReasoning ? reasoning : text).Add(update.Text);
            last = update.Result ?? last;
        }

        Assert.Equal("The user greets; greet back.", string.Concat(reasoning));
        Assert.Equal("Hi there!", string.Concat(text));
        Assert.DoesNotContain(text, t => t.Contains("think", StringComparison.Ordinal));
        Assert.Equal("Hi there!", last!.Text);
        Assert.Equal("The user greets; greet back.", last.Reasoning);
    }

    [Fact]
    public async Task ReasoningGivenBackRendersAsTheRawReplyAndTheTemplateDropsItBeforeTheLastQuestion()
    {
        var result = await chat.CompleteAsync(Request());
        var returned = new ChatTurn(ChatRole.Assistant, result.Text) { Reasoning = result.Reasoning };
        var raw = new ChatTurn(ChatRole.Assistant, result.RawText);
        ChatTurn[] Conversation(ChatTurn reply) => [new ChatTurn(ChatRole.User, "hello"), reply, new ChatTurn(ChatRole.User, "and now?")];

        string withReasoning = chat.BuildPrompt(Request(null, Conversation(returned))).Text;
        Assert.Equal(chat.BuildPrompt(Request(null, Conversation(raw))).Text, withReasoning);
        Assert.Contains("<|im_start|>assistant\nHi there!<|im_end|>\n<|im_start|>user\nand now?", withReasoning, StringComparison.Ordinal);
        Assert.DoesNotContain("greet back", withReasoning, StringComparison.Ordinal);

        // After the last user message (a tool loop), Qwen3's template keeps the reasoning of the assistant's turns.
        var call = returned with { ToolCalls = [new ToolCall("clock", "{}", "call_1")] };
        var loop = new[] { new ChatTurn(ChatRole.User, "time?"), call, new ChatTurn(ChatRole.Tool, "12:00") { ToolCallId = "call_1", ToolName = "clock" } };
        string kept = chat.BuildPrompt(Request(null, loop) with { Tools = [new ToolDefinition("clock", "The time.", """{"type": "object", "properties": {}}""")] }).Text;
        Assert.Contains("<|im_start|>assistant\n<think>\nThe user greets; greet back.\n</think>\n\nHi there!\n<tool_call>\n{\"name\": \"clock\"", kept, StringComparison.Ordinal);
    }

    [Fact]
    public void ATemplateWithoutReasoningBlocksNeverSeesTheReasoning()
    {
        using var plain = ChatModel.Load(directory, new ChatModelOptions { ChatTemplate = "qwen2.5", Model = new() { MaxSequenceLength = 512 } });
        var turn = new ChatTurn(ChatRole.Assistant, "Hi there!") { Reasoning = "secret plan" };
        string prompt = plain.BuildPrompt(Request(null, new ChatTurn(ChatRole.User, "hello"), turn, new ChatTurn(ChatRole.User, "again"))).Text;
        Assert.DoesNotContain("secret plan", prompt, StringComparison.Ordinal);
        Assert.Contains("<|im_start|>assistant\nHi there!<|im_end|>", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToolCallsAreReadFromTheAnswerNotFromTheReasoning()
    {
        string folder = Directory.CreateTempSubdirectory("directer-thinking-tools-").FullName;
        try
        {
            ScriptedQwen3.Write(folder, "<think>", "\nI could call <tool_call>\n{\"name\": \"clock\", \"arguments\": {}}\n</tool_call> but need not.\n", "</think>", "\n\nIt is noon.");
            using var model = ChatModel.Load(folder, new ChatModelOptions { Model = new() { MaxSequenceLength = 2048 } }); // the tools block is long in byte tokens
            var request = Request() with { Tools = [new ToolDefinition("clock", "The time.", """{"type": "object", "properties": {}}""")] };
            var result = await model.CompleteAsync(request);
            Assert.Empty(result.ToolCalls);
            Assert.Empty(result.MalformedToolCalls);
            Assert.Equal("It is noon.", result.Text);
            Assert.StartsWith("I could call <tool_call>", result.Reasoning, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
