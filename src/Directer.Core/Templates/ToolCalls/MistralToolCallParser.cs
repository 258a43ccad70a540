using System.Text;
using System.Text.Json;
using Directer.Core.Chat;

namespace Directer.Core.Templates;

/// <summary>Mistral v0.3 tool calls: <c>[TOOL_CALLS] [{"name": ..., "arguments": {...}, "id"?: ...}, ...]</c>; the same
/// list after another marker for Granite 3.x (<c>&lt;|tool_call|&gt;</c>). The marker, a special token, must be kept when
/// decoding the reply (<see cref="ToolCallMarkers"/>).</summary>
internal static class MistralToolCallParser
{
    /// <summary>Parses a reply with Mistral's marker, or <paramref name="marker"/>.</summary>
    public static ToolCallParseResult Parse(string text, string marker = "[TOOL_CALLS]")
    {
        ArgumentNullException.ThrowIfNull(text);
        int at = text.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
        {
            return new ToolCallParseResult([], text, []);
        }

        var calls = new List<ToolCall>();
        var malformed = new List<MalformedToolCall>();
        var remaining = new StringBuilder();
        int position = 0;
        while (at >= 0)
        {
            remaining.Append(text, position, at - position);
            int start = at + marker.Length;
            while (start < text.Length && char.IsWhiteSpace(text[start]))
            {
                start++;
            }

            int end = start < text.Length && text[start] == '[' ? JsonFragments.FindEnd(text, start) : -1;
            if (end < 0)
            {
                malformed.Add(new MalformedToolCall(text[at..], $"'{marker}' is not followed by a complete JSON array"));
                position = text.Length;
                break;
            }

            using (var document = JsonFragments.TryParse(text[start..end], out string? error))
            {
                if (document is null)
                {
                    malformed.Add(new MalformedToolCall(text[at..end], error!));
                }
                else if (document.RootElement.GetArrayLength() == 0)
                {
                    malformed.Add(new MalformedToolCall(text[at..end], $"'{marker}' is followed by an empty list of calls"));
                }
                else
                {
                    foreach (var element in document.RootElement.EnumerateArray())
                    {
                        var call = JsonFragments.ReadCall(element, false, out string? callError, "arguments", "parameters");
                        if (call is null)
                        {
                            malformed.Add(new MalformedToolCall(element.GetRawText(), callError!));
                        }
                        else
                        {
                            calls.Add(call);
                        }
                    }
                }
            }

            position = end;
            at = text.IndexOf(marker, position, StringComparison.Ordinal);
        }

        remaining.Append(text, position, text.Length - position);
        return new ToolCallParseResult(calls, remaining.ToString().Trim(), malformed);
    }
}
