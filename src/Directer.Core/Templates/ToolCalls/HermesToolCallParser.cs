using System.Text;
using Directer.Core.Chat;

namespace Directer.Core.Templates;

/// <summary>Qwen2.5 / Hermes tool calls: <c>&lt;tool_call&gt;\n{"name": ..., "arguments": {...}}\n&lt;/tool_call&gt;</c>
/// blocks anywhere in the reply (a last block may lack its closing tag when generation stopped there).</summary>
internal static class HermesToolCallParser
{
    private const string Open = "<tool_call>";
    private const string Close = "</tool_call>";

    /// <summary>Parses a reply.</summary>
    public static ToolCallParseResult Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int at = text.IndexOf(Open, StringComparison.Ordinal);
        if (at < 0)
        {
            return text.Contains(Close, StringComparison.Ordinal)
                ? new ToolCallParseResult([], text, [new MalformedToolCall(text, $"'{Close}' without '{Open}'")])
                : new ToolCallParseResult([], text, []);
        }

        var calls = new List<ToolCall>();
        var malformed = new List<MalformedToolCall>();
        var remaining = new StringBuilder();
        int position = 0;
        while (at >= 0)
        {
            remaining.Append(text, position, at - position);
            int bodyStart = at + Open.Length;
            int close = text.IndexOf(Close, bodyStart, StringComparison.Ordinal);
            int bodyEnd = close >= 0 ? close : text.Length;
            position = close >= 0 ? close + Close.Length : text.Length;
            string body = text[bodyStart..bodyEnd].Trim();
            string block = text[at..position];

            using (var document = JsonFragments.TryParse(body, out string? error))
            {
                var call = document is null ? null : JsonFragments.ReadCall(document.RootElement, false, out error, "arguments", "parameters");
                if (call is not null)
                {
                    calls.Add(call);
                }
                else
                {
                    malformed.Add(new MalformedToolCall(block, (close < 0 ? $"no '{Close}' and " : string.Empty) + error));
                }
            }

            at = text.IndexOf(Open, position, StringComparison.Ordinal);
        }

        remaining.Append(text, position, text.Length - position);
        return new ToolCallParseResult(calls, remaining.ToString().Trim(), malformed);
    }
}
