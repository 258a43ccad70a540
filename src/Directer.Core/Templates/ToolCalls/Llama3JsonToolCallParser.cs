using System.Text;
using System.Text.RegularExpressions;
using Directer.Core.Chat;

namespace Directer.Core.Templates;

/// <summary>Llama 3.1 JSON tool calls: <c>{"name": ..., "parameters": {...}}</c>, optionally after
/// <c>&lt;|python_tag|&gt;</c>; several calls may be separated by whitespace or semicolons. An object that starts
/// like a call (<c>{"name":</c> or <c>{"type":</c>) but does not parse is reported as malformed.</summary>
internal static partial class Llama3JsonToolCallParser
{
    private const string PythonTag = "<|python_tag|>";

    [GeneratedRegex("""\{\s*"(?:name|type)"\s*:""")]
    private static partial Regex CallStart();

    /// <summary>Parses a reply.</summary>
    public static ToolCallParseResult Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        bool tagged = text.Contains(PythonTag, StringComparison.Ordinal);
        string body = tagged ? text.Replace(PythonTag, string.Empty, StringComparison.Ordinal) : text;
        if (AsList(body) is { } listed)
        {
            return listed;
        }

        var calls = new List<ToolCall>();
        var malformed = new List<MalformedToolCall>();
        var remaining = new StringBuilder();
        int position = 0;
        var match = CallStart().Match(body);
        while (match.Success)
        {
            int start = match.Index;
            int end = JsonFragments.FindEnd(body, start);
            if (end < 0)
            {
                malformed.Add(new MalformedToolCall(body[start..], "the JSON object never closes"));
                remaining.Append(body, position, start - position);
                position = body.Length;
                break;
            }

            string json = body[start..end];
            using var document = JsonFragments.TryParse(json, out string? error);
            var call = document is null ? null : JsonFragments.ReadCall(document.RootElement, true, out error, "parameters", "arguments");
            if (call is not null)
            {
                calls.Add(call);
                remaining.Append(body, position, start - position);
                position = end;
                while (position < body.Length && (char.IsWhiteSpace(body[position]) || body[position] == ';'))
                {
                    position++;
                }
            }
            else if (document is null)
            {
                malformed.Add(new MalformedToolCall(json, error!));
                remaining.Append(body, position, start - position);
                position = end;
            }

            // A valid JSON object that is not a call (e.g. data the model quotes) stays in the text.
            match = CallStart().Match(body, Math.Max(end, position));
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

    /// <summary>A reply that is one JSON list of call objects (how Llama 3.2 and 3.3 sometimes write parallel calls), or null.</summary>
    private static ToolCallParseResult? AsList(string body)
    {
        string trimmed = body.Trim();
        if (!trimmed.StartsWith('[') || JsonFragments.FindEnd(trimmed, 0) != trimmed.Length)
        {
            return null;
        }

        using var document = JsonFragments.TryParse(trimmed, out _);
        if (document is null || document.RootElement.GetArrayLength() == 0)
        {
            return null;
        }

        var calls = new List<ToolCall>();
        foreach (var element in document.RootElement.EnumerateArray())
        {
            var call = JsonFragments.ReadCall(element, true, out _, "parameters", "arguments");
            if (call is null)
            {
                return null; // a list of data, not of calls: read as text
            }

            calls.Add(call);
        }

        return new ToolCallParseResult(calls, string.Empty, []);
    }
}
