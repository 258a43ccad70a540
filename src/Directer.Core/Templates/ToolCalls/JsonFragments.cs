using System.Text.Json;
using Directer.Core.Chat;

namespace Directer.Core.Templates;

/// <summary>Finding and reading JSON objects and arrays embedded in model output.</summary>
internal static class JsonFragments
{
    /// <summary>The index just past the JSON object or array starting at <paramref name="start"/> (brackets balanced
    /// outside strings), or -1 when it never closes.</summary>
    public static int FindEnd(string text, int start)
    {
        int depth = 0;
        bool inString = false;
        for (int i = start; i < text.Length; i++)
        {
            char c = text[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    inString = true;
                    break;
                case '{' or '[':
                    depth++;
                    break;
                case '}' or ']':
                    depth--;
                    if (depth == 0)
                    {
                        return i + 1;
                    }

                    break;
            }
        }

        return -1;
    }

    /// <summary>Reads a <c>{"name": ..., "arguments" | "parameters": {...}, "id"?: ...}</c> object into a tool call, or
    /// returns the reason it is not one. Without <paramref name="requireArguments"/>, missing arguments mean <c>{}</c>.</summary>
    public static ToolCall? ReadCall(JsonElement element, bool requireArguments, out string? error, params string[] argumentKeys)
    {
        error = null;
        if (element.ValueKind != JsonValueKind.Object)
        {
            error = $"expected a JSON object, found {element.ValueKind}";
            return null;
        }

        if (!element.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(name.GetString()))
        {
            error = "the object has no \"name\" string";
            return null;
        }

        string arguments = "{}";
        if (requireArguments && !argumentKeys.Any(key => element.TryGetProperty(key, out _)))
        {
            error = $"the object has no \"{argumentKeys[0]}\"";
            return null;
        }

        foreach (string key in argumentKeys)
        {
            if (!element.TryGetProperty(key, out var value))
            {
                continue;
            }

            if (value.ValueKind == JsonValueKind.Object)
            {
                arguments = value.GetRawText();
            }
            else if (value.ValueKind == JsonValueKind.String && IsJsonObject(value.GetString()!))
            {
                arguments = value.GetString()!; // some models write the arguments as a JSON string
            }
            else
            {
                error = $"\"{key}\" is not a JSON object";
                return null;
            }

            break;
        }

        // A key written twice has no agreed meaning (JSON parsers keep the first, the last, or throw, as
        // System.Text.Json's JsonObject does), so such a call is malformed rather than guessed at.
        using (var parsedArguments = JsonDocument.Parse(arguments))
        {
            if (RepeatedKey(parsedArguments.RootElement) is string repeated)
            {
                error = RepeatedKeyReason(repeated);
                return null;
            }
        }

        string? id = element.TryGetProperty("id", out var idValue) && idValue.ValueKind == JsonValueKind.String ? idValue.GetString() : null;
        return new ToolCall(name.GetString()!, arguments, id);
    }

    /// <summary>Why a call whose arguments give <paramref name="key"/> twice is malformed (every format says it the same way).</summary>
    public static string RepeatedKeyReason(string key) => $"the arguments give \"{key}\" more than once";

    /// <summary>The first property name that an object inside the JSON text <paramref name="json"/> repeats.</summary>
    public static string? RepeatedKey(string json)
    {
        using var document = JsonDocument.Parse(json);
        return RepeatedKey(document.RootElement);
    }

    /// <summary>The first property name that an object inside <paramref name="element"/> (itself included) repeats.</summary>
    private static string? RepeatedKey(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    if (!seen.Add(property.Name))
                    {
                        return property.Name;
                    }

                    if (RepeatedKey(property.Value) is string inner)
                    {
                        return inner;
                    }
                }

                return null;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (RepeatedKey(item) is string inner)
                    {
                        return inner;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>Parses JSON text, or returns the parser's complaint.</summary>
    public static JsonDocument? TryParse(string json, out string? error)
    {
        try
        {
            error = null;
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            error = "invalid JSON: " + e.Message;
            return null;
        }
    }

    private static bool IsJsonObject(string text)
    {
        using var document = TryParse(text, out _);
        return document?.RootElement.ValueKind == JsonValueKind.Object;
    }
}
