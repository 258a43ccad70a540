using System.Text;
using Directer.Core.PythonCompat;

namespace Directer.Training.Data;

/// <summary>
/// Renders conversations exactly as Qwen2.5's chat template does (ChatML with Hermes-style tools; the
/// template text ships in Templates/qwen2.5-chat-template.jinja and in tokenizer_config.json), and records
/// which characters are assistant output. The rendering was checked against jinja2 running the verbatim
/// template with Hugging Face's <c>tojson</c> (json.dumps, ensure_ascii=False).
/// </summary>
internal static class ChatMlRenderer
{
    public const string ImStart = "<|im_start|>";
    public const string ImEnd = "<|im_end|>";
    public const string EndOfText = "<|endoftext|>";
    public const string ToolCallOpen = "<tool_call>";
    public const string ToolCallClose = "</tool_call>";
    public const string DefaultSystem = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";

    private const string ToolsHeader = "\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>";
    private const string ToolsFooter = "\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n";

    /// <summary>Renders the conversation; with <paramref name="addGenerationPrompt"/> it ends with the assistant header.</summary>
    public static RenderedChat Render(IReadOnlyList<ChatMessage> messages, IReadOnlyList<ToolDefinition>? tools, bool addGenerationPrompt = false)
    {
        if (messages.Count == 0)
        {
            throw new ArgumentException("A conversation needs at least one message.", nameof(messages));
        }

        var sb = new StringBuilder();
        var ranges = new List<(int, int)>();
        bool firstIsSystem = messages[0].Role == "system";
        if (tools is { Count: > 0 })
        {
            sb.Append(ImStart).Append("system\n");
            sb.Append(firstIsSystem ? messages[0].Content : DefaultSystem);
            sb.Append(ToolsHeader);
            foreach (var tool in tools)
            {
                sb.Append('\n').Append(PythonJson.Dumps(tool.ToJson()));
            }

            sb.Append(ToolsFooter);
        }
        else
        {
            sb.Append(ImStart).Append("system\n").Append(firstIsSystem ? messages[0].Content : DefaultSystem).Append(ImEnd).Append('\n');
        }

        for (int i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            if (m.Role == "user" || (m.Role == "system" && i > 0) || (m.Role == "assistant" && m.ToolCall is null))
            {
                sb.Append(ImStart).Append(m.Role).Append('\n');
                int start = sb.Length;
                sb.Append(m.Content).Append(ImEnd);
                if (m.Role == "assistant")
                {
                    ranges.Add((start, sb.Length));
                }

                sb.Append('\n');
            }
            else if (m.Role == "assistant")
            {
                sb.Append(ImStart).Append(m.Role);

                // The '\n' before the content (or the first <tool_call>) is what the generation prompt ends with.
                sb.Append('\n');
                int start = sb.Length;
                if (m.Content.Length > 0)
                {
                    sb.Append(m.Content).Append('\n');
                }

                sb.Append(ToolCallOpen).Append('\n').Append(m.ToolCall!.ToTemplateJson()).Append('\n').Append(ToolCallClose);
                sb.Append(ImEnd);
                ranges.Add((start, sb.Length));
                sb.Append('\n');
            }
            else if (m.Role == "tool")
            {
                if (i == 0 || messages[i - 1].Role != "tool")
                {
                    sb.Append(ImStart).Append("user");
                }

                sb.Append("\n<tool_response>\n").Append(m.Content).Append("\n</tool_response>");
                if (i == messages.Count - 1 || messages[i + 1].Role != "tool")
                {
                    sb.Append(ImEnd).Append('\n');
                }
            }
            else if (m.Role != "system")
            {
                throw new ArgumentException($"Message {i} has unknown role '{m.Role}'.", nameof(messages));
            }
        }

        if (addGenerationPrompt)
        {
            sb.Append(ImStart).Append("assistant\n");
        }

        return new RenderedChat(sb.ToString(), ranges);
    }
}
