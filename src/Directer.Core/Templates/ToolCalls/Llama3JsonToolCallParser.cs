using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Directer.Core.Chat;

namespace Directer.Core.Templates;

/// <summary>Llama 3.1 JSON tool calls: <c>{"name": ..., "parameters": {...}}</c>, optionally after
/// <c>&lt;|python_tag|&gt;</c>; several calls may be separated by whitespace or semicolons, and parallel calls may come
/// as one JSON list of call objects (how Llama 3.2 and 3.3 sometimes write them). Only JSON values of the reply's own
/// text are read: an object that looks like a call inside a JSON object or list that is data (e.g. a record the model
/// quotes) is part of that data and stays in the text. An object that starts like a call (<c>{"name":</c> or
/// <c>{"type":</c>) but does not parse is reported as malformed.</summary>
internal static partial class Llama3JsonToolCallParser
{
    private const string PythonTag = "<|python_tag|>";

    [GeneratedRegex("""\G\{\s*"(?:name|type)"\s*:""")]
    private static partial Regex CallStartAt();

    /// <summary>Parses a reply.</summary>
    public static ToolCallParseResult Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        bool tagged = text.Contains(PythonTag, StringComparison.Ordinal);
        string body = tagged ? text.Replace(PythonTag, string.Empty, StringComparison.Ordinal) : text;
        var calls = new List<ToolCall>();
        var malformed = new List<MalformedToolCall>();
        var remaining = new StringBuilder();
        int position = 0;
        int scan = 0;
        while (body.IndexOfAny(['{', '['], scan) is int open and >= 0)
        {
            bool callStart = CallStartAt().IsMatch(body, open);
            int end = JsonFragments.FindEnd(body, open);
            if (end < 0)
            {
                if (!callStart)
                {
                    scan = open + 1; // a bracket of the prose
                    continue;
                }

                malformed.Add(new MalformedToolCall(body[open..], "the JSON object never closes"));
                remaining.Append(body, position, open - position);
                position = body.Length;
                break;
            }

            string json = body[open..end];
            using var document = JsonFragments.TryParse(json, out string? error);
            if (document is null)
            {
                if (callStart)
                {
                    malformed.Add(new MalformedToolCall(json, error!));
                    remaining.Append(body, position, open - position);
                    position = end;
                    scan = end;
                }
                else
                {
                    scan = open + 1; // brackets of the prose around what may still hold a call
                }

                continue;
            }

            var read = body[open] == '['
                ? CallList(document.RootElement)
                : callStart && ReadCall(document.RootElement) is { } call ? [call] : null;
            if (read is null)
            {
                scan = end; // data, with everything inside it
                continue;
            }

            calls.AddRange(read);
            remaining.Append(body, position, open - position);
            position = end;
            while (position < body.Length && (char.IsWhiteSpace(body[position]) || body[position] == ';'))
            {
                position++;
            }

            scan = position;
        }

        if (calls.Count == 0 && malformed.Count == 0)
        {
            return tagged
                ? new ToolCallParseResult([], body.Trim(), [new MalformedToolCall(text, $"'{PythonTag}' is not followed by a JSON tool call (built-in tools are not supported)")])
                : new ToolCallParseResult([], text, []);
        }

        remaining.Append(body, position, body.Length - position);
        return new ToolCallParseResult(calls, remaining.ToString().Trim(), malformed);
    }

    /// <summary>A call object with its arguments under "parameters" (Llama 3.1's key) or "arguments", or null.</summary>
    private static ToolCall? ReadCall(JsonElement element) => JsonFragments.ReadCall(element, true, out _, "parameters", "arguments");

    /// <summary>The calls of a non-empty JSON list whose every element is a call object, or null (a list of data).</summary>
    private static List<ToolCall>? CallList(JsonElement list)
    {
        var calls = new List<ToolCall>();
        foreach (var element in list.EnumerateArray())
        {
            if (ReadCall(element) is not { } call)
            {
                return null;
            }

            calls.Add(call);
        }

        return calls.Count == 0 ? null : calls;
    }
}
