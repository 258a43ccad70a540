using System.Text;
using System.Text.Json;
using Directer.Core.Chat;

namespace Directer.Core.Templates;

/// <summary>Mistral v0.3 tool calls: <c>[TOOL_CALLS] [{"name": ..., "arguments": {...}, "id"?: ...}, ...]</c>. The
/// <c>[TOOL_CALLS]</c> control token must be kept when decoding the reply.</summary>
internal static class MistralToolCallParser
{
    private const string Marker = "[TOOL_CALLS]";

    /// <summary>Parses a reply.</summary>
    public static ToolCallParseResult Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int at = text.IndexOf(Marker, StringComparison.Ordinal);
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
            int start = at + Marker.Length;
            while (start < text.Length && char.IsWhiteSpace(text[start]))
            {
                start++;
            }

            int end = start < text.Length && text[start] == '[' ? JsonFragments.FindEnd(text, start) : -1;
            if (end < 0)
            {
                malformed.Add(new MalformedToolCall(text[at..], $"'{Marker}' is not followed by a complete JSON array"));
                position = text.Length;
                break;
            }

            using (var document = JsonFragments.TryParse(text[start..end], out string? error))
            {
                if (document is null)
                {
                    malformed.Add(new MalformedToolCall(text[at..end], error!));
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
            at = text.IndexOf(Marker, position, StringComparison.Ordinal);
        }

        remaining.Append(text, position, text.Length - position);
        return new ToolCallParseResult(calls, remaining.ToString().Trim(), malformed);
    }
}
