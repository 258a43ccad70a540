using System.Text.Json;

namespace Directer.Cli.Tests;

/// <summary><c>directer generate --messages FILE --tools FILE [--prompt-only]</c>: whole conversations in Hugging
/// Face's JSON shapes, rendered by the checkpoint's own template (chat_template.jinja wins over tokenizer_config.json).</summary>
public sealed class GenerateConversationTests
{
    // A small Hermes-style template: tools in the system turn, tool calls as JSON, tool results in <tool_response>.
    private const string Template =
        "{%- if tools %}<|im_start|>system\n{{ messages[0].content if messages[0].role == 'system' else 'Default.' }}\n<tools>{% for t in tools %}\n{{ t | tojson }}{% endfor %}\n</tools><|im_end|>\n" +
        "{%- elif messages[0].role == 'system' %}<|im_start|>system\n{{ messages[0].content }}<|im_end|>\n{%- endif %}\n" +
        "{%- for m in messages %}{% if m.role == 'user' or (m.role == 'assistant' and not m.tool_calls) %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n" +
        "{%- elif m.role == 'assistant' %}<|im_start|>assistant{% for c in m.tool_calls %}\n<tool_call>\n{\"name\": \"{{ c.function.name }}\", \"arguments\": {{ c.function.arguments | tojson }}}\n</tool_call>{% endfor %}<|im_end|>\n" +
        "{%- elif m.role == 'tool' %}<|im_start|>user\n<tool_response>\n{{ m.content }}\n</tool_response><|im_end|>\n{%- endif %}{% endfor %}" +
        "{%- if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

    private static string Checkpoint()
    {
        string source = CliRunner.ChatCheckpoint();
        string folder = Path.Combine(Path.GetTempPath(), "directer-cli-conversation-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        foreach (string file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        File.WriteAllText(Path.Combine(folder, "chat_template.jinja"), Template);
        return folder;
    }

    [Fact]
    public void MessagesAndToolsRenderThroughTheCheckpointsOwnTemplate()
    {
        string folder = Checkpoint();
        string messages = Path.Combine(folder, "messages.json");
        string tools = Path.Combine(folder, "tools.json");
        File.WriteAllText(messages, """
            [{"role": "system", "content": "Be brief."},
             {"role": "user", "content": "Weather in Paris?"},
             {"role": "assistant", "content": "", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris", "unit": "c"}}}]},
             {"role": "tool", "tool_call_id": "c1", "name": "get_weather", "content": "{\"temp\": 21}"}]
            """);
        File.WriteAllText(tools, """[{"type": "function", "function": {"name": "get_weather", "description": "Weather now.", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]""");

        var (code, stdout, stderr) = CliRunner.Run("generate", "--model", folder, "--messages", messages, "--tools", tools, "--emphasis", "brief", "--prompt-only", "--json");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        // jinja2's rendering of this template and conversation (transformers' environment, reference/template_reference.py).
        Assert.Equal(
            "<|im_start|>system\nBe brief.\n<tools>{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Weather now.\", \"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}}}}</tools><|im_end|>" +
            "<|im_start|>user\nWeather in Paris?<|im_end|><|im_start|>assistant<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"unit\": \"c\"}}\n</tool_call><|im_end|>" +
            "<|im_start|>user\n<tool_response>\n{\"temp\": 21}\n</tool_response><|im_end|><|im_start|>assistant\n",
            root.GetProperty("prompt").GetString());
        Assert.Equal(root.GetProperty("prompt_tokens").GetInt32(), root.GetProperty("prompt_ids").GetArrayLength());
        Assert.Equal(1, root.GetProperty("emphasis_spans").GetArrayLength());
        Assert.Equal("custom", root.GetProperty("chat_template").GetString());

        // Generating: the same prompt ids, then the reply.
        var (genCode, genOut, genErr) = CliRunner.Run("generate", "--model", folder, "--messages", messages, "--tools", tools, "--max-new-tokens", "3", "--json");
        Assert.True(genCode == 0, genErr);
        using var generated = JsonDocument.Parse(genOut);
        Assert.Equal(
            root.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32()),
            generated.RootElement.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(3, generated.RootElement.GetProperty("ids").GetArrayLength());
        Assert.NotNull(generated.RootElement.GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("""{"role": "user"}""", "expected a non-empty JSON list")]
    [InlineData("""[{"role": "robot", "content": "x"}]""", "role \"robot\"")]
    [InlineData("""[{"role": "user", "content": [{"type": "text"}]}]""", "must be a string")]
    [InlineData("[{\"role\": \"user\", \"content\": \"x\"", "not valid JSON")]
    public void BadMessageFilesAreClearErrors(string content, string expected)
    {
        string folder = Checkpoint();
        string messages = Path.Combine(folder, "bad.json");
        File.WriteAllText(messages, content);
        var (code, _, stderr) = CliRunner.Run("generate", "--model", folder, "--messages", messages, "--prompt-only");
        Assert.Equal(2, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.Contains("bad.json", stderr, StringComparison.Ordinal);
    }
}
