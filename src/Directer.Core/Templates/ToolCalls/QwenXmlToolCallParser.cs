using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Directer.Core.Chat;

namespace Directer.Core.Templates;

/// <summary>
/// Qwen3-Coder tool calls: <c>&lt;tool_call&gt;\n&lt;function=NAME&gt;\n&lt;parameter=KEY&gt;\nVALUE\n&lt;/parameter&gt;\n...&lt;/function&gt;\n&lt;/tool_call&gt;</c>.
/// A value is text; it becomes a JSON value when it reads as one (number, <c>true</c>/<c>false</c>/<c>null</c>, object,
/// array; also Python's <c>True</c>/<c>False</c>/<c>None</c>, which the template writes for booleans), otherwise a
/// string, with the one newline the template puts on each side removed.
/// </summary>
internal static partial class QwenXmlToolCallParser
{
    private const string Open = "<tool_call>";
    private const string Close = "</tool_call>";

    [GeneratedRegex(@"^\s*<function=([^>\n]+)>(.*?)</function>\s*$", RegexOptions.Singleline)]
    private static partial Regex Function();

    [GeneratedRegex(@"<parameter=([^>\n]+)>\n?(.*?)\n?</parameter>", RegexOptions.Singleline)]
    private static partial Regex Parameter();

    /// <summary>Parses a reply.</summary>
    public static ToolCallParseResult Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var calls = new List<ToolCall>();
        var malformed = new List<MalformedToolCall>();
        var remaining = new StringBuilder();
        int position = 0;
        int at = text.IndexOf(Open, StringComparison.Ordinal);
        while (at >= 0)
        {
            remaining.Append(text, position, at - position);
            int bodyStart = at + Open.Length;
            int close = text.IndexOf(Close, bodyStart, StringComparison.Ordinal);
            position = close >= 0 ? close + Close.Length : text.Length;
            string block = text[at..position];
            string body = text[bodyStart..(close >= 0 ? close : text.Length)];
            var function = Function().Match(body);
            if (close < 0)
            {
                malformed.Add(new MalformedToolCall(block, $"no '{Close}'"));
            }
            else if (!function.Success)
            {
                malformed.Add(new MalformedToolCall(block, "expected one <function=NAME>...</function> block"));
            }
            else
            {
                var arguments = new JsonObject();
                string? repeated = null;
                string rest = Parameter().Replace(function.Groups[2].Value, m =>
                {
                    string key = m.Groups[1].Value.Trim();
                    repeated ??= arguments.ContainsKey(key) ? key : null;
                    arguments[key] = Value(m.Groups[2].Value);
                    return string.Empty;
                });
                string json = arguments.ToJsonString();
                repeated ??= JsonFragments.RepeatedKey(json);
                if (rest.Trim().Length > 0)
                {
                    malformed.Add(new MalformedToolCall(block, $"text outside <parameter=...> blocks: '{rest.Trim()}'"));
                }
                else if (repeated is not null)
                {
                    // As for the JSON formats (JsonFragments.ReadCall): a key given twice has no agreed meaning.
                    malformed.Add(new MalformedToolCall(block, JsonFragments.RepeatedKeyReason(repeated)));
                }
                else
                {
                    calls.Add(new ToolCall(function.Groups[1].Value.Trim(), json));
                }
            }

            at = close >= 0 ? text.IndexOf(Open, position, StringComparison.Ordinal) : -1;
        }

        if (calls.Count == 0 && malformed.Count == 0)
        {
            return new ToolCallParseResult([], text, []);
        }

        remaining.Append(text, position, text.Length - position);
        return new ToolCallParseResult(calls, remaining.ToString().Trim(), malformed);
    }

    private static JsonNode? Value(string text)
    {
        string trimmed = text.Trim();
        switch (trimmed)
        {
            case "True":
                return JsonValue.Create(true);
            case "False":
                return JsonValue.Create(false);
            case "None":
                return null;
        }

        if (trimmed.Length > 0 && (trimmed[0] is '{' or '[' or '-' or 't' or 'f' or 'n' || char.IsAsciiDigit(trimmed[0])))
        {
            try
            {
                return JsonNode.Parse(trimmed);
            }
            catch (JsonException)
            {
                // Not JSON after all: the text is the value.
            }
        }

        return JsonValue.Create(text);
    }
}
