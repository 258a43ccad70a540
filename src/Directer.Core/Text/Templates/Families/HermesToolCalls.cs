using System.Text;
using System.Text.Json;

namespace Directer.Core.Text.Templates;

/// <summary>
/// Parses Hermes-style <c>&lt;tool_call&gt;{"name": ..., "arguments": {...}}&lt;/tool_call&gt;</c> blocks
/// (Qwen2.5 and models trained on its format). Well-formed blocks become <see cref="ToolCall"/>s and
/// are removed from the text; malformed ones stay in the text and are reported.
/// </summary>
internal static class HermesToolCalls
{
    private const string Open = "<tool_call>";
    private const string Close = "</tool_call>";

    public static ToolCallParseResult Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var calls = new List<ToolCall>();
        var malformed = new List<MalformedToolCall>();
        var remaining = new StringBuilder();
        int position = 0;
        while (true)
        {
            int open = text.IndexOf(Open, position, StringComparison.Ordinal);
            if (open < 0)
            {
                remaining.Append(text, position, text.Length - position);
                break;
            }

            remaining.Append(text, position, open - position);
            int bodyStart = open + Open.Length;
            int close = text.IndexOf(Close, bodyStart, StringComparison.Ordinal);
            int end = close < 0 ? text.Length : close + Close.Length;
            string body = text[bodyStart..(close < 0 ? text.Length : close)].Trim();
            string? reason = TryParse(body, out var call);
            if (close < 0 && reason is null)
            {
                reason = "the <tool_call> block is not closed";
            }

            if (reason is null)
            {
                calls.Add(call!);
            }
            else
            {
                malformed.Add(new MalformedToolCall(text[open..end], reason));
                remaining.Append(text, open, end - open);
            }

            position = end;
        }

        return new ToolCallParseResult(calls, remaining.ToString().Trim(), malformed);
    }

    private static string? TryParse(string body, out ToolCall? call)
    {
        call = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return "the block is not a JSON object";
            }

            if (!root.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(name.GetString()))
            {
                return "the JSON has no string \"name\"";
            }

            string arguments = "{}";
            if (root.TryGetProperty("arguments", out var args))
            {
                if (args.ValueKind == JsonValueKind.String)
                {
                    // Some models emit the arguments as a JSON string: accept it when it holds an object.
                    using var inner = JsonDocument.Parse(args.GetString()!);
                    if (inner.RootElement.ValueKind != JsonValueKind.Object)
                    {
                        return "\"arguments\" is not a JSON object";
                    }

                    arguments = inner.RootElement.GetRawText();
                }
                else if (args.ValueKind == JsonValueKind.Object)
                {
                    arguments = args.GetRawText();
                }
                else
                {
                    return "\"arguments\" is not a JSON object";
                }
            }

            call = new ToolCall(name.GetString()!, arguments);
            return null;
        }
        catch (JsonException e)
        {
            return "invalid JSON: " + e.Message;
        }
    }
}
