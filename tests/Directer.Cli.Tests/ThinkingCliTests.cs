using System.Text.Json;
using Directer.Testing;

namespace Directer.Cli.Tests;

/// <summary><c>--enable-thinking</c> reaches Qwen3's template, and <c>--json</c> gives the reasoning apart (a scripted Qwen3 checkpoint).</summary>
public sealed class ThinkingCliTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("directer-cli-thinking-").FullName;

    public ThinkingCliTests() => ScriptedQwen3.Write(folder, "<think>", "\nplan\n", "</think>", "\n\nHi");

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void TheFlagReachesTheTemplateAndTheReasoningIsItsOwnField()
    {
        var (code, stdout, stderr) = CliRunner.Run("generate", "--model", folder, "--prompt", "hello", "--enable-thinking", "false", "--prompt-only", "--json");
        Assert.True(code == 0, stderr);
        using (var prompt = JsonDocument.Parse(stdout))
        {
            Assert.EndsWith("<|im_start|>assistant\n<think>\n\n</think>\n\n", prompt.RootElement.GetProperty("prompt").GetString(), StringComparison.Ordinal);
        }

        (code, stdout, stderr) = CliRunner.Run("generate", "--model", folder, "--prompt", "hello", "--max-new-tokens", "8", "--json");
        Assert.True(code == 0, stderr);
        using var reply = JsonDocument.Parse(stdout);
        Assert.Equal("plan", reply.RootElement.GetProperty("reasoning").GetString());
        Assert.Equal("<think>\nplan\n</think>\n\nHi", reply.RootElement.GetProperty("text").GetString()); // text stays the raw output
    }

    [Fact]
    public void ReasoningContentInAMessagesFileGoesToTheTemplate()
    {
        string messages = Path.Combine(folder, "messages.json");
        File.WriteAllText(messages, """
            [{"role": "user", "content": "time?"},
             {"role": "assistant", "content": "", "reasoning_content": "look at the clock",
              "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "clock", "arguments": {}}}]},
             {"role": "tool", "tool_call_id": "call_1", "content": "12:00"}]
            """);
        var (code, stdout, stderr) = CliRunner.Run("generate", "--model", folder, "--messages", messages, "--prompt-only", "--json");
        Assert.True(code == 0, stderr);
        using var prompt = JsonDocument.Parse(stdout);
        Assert.Contains("<|im_start|>assistant\n<think>\nlook at the clock\n</think>\n\n<tool_call>", prompt.RootElement.GetProperty("prompt").GetString(), StringComparison.Ordinal);
    }
}
