using System.Text.Json;

namespace Directer.Core.Tokenization.Configuration;

/// <summary>
/// A parsed JSON file plus typed accessors whose errors name the file, the JSON path and the offending value.
/// </summary>
internal sealed class JsonFile : IDisposable
{
    private readonly JsonDocument _document;

    private JsonFile(string path, JsonDocument document)
    {
        Path = path;
        _document = document;
    }

    /// <summary>The file path (as given to <see cref="Read"/>).</summary>
    public string Path { get; }

    /// <summary>The root element.</summary>
    public JsonElement Root => _document.RootElement;

    /// <summary>Parses <paramref name="path"/>; malformed JSON becomes a <see cref="TokenizerLoadException"/>.</summary>
    public static JsonFile Read(string path)
    {
        try
        {
            byte[] bytes = File.ReadAllBytes(path);
            if (Utf8Validation.FindInvalid(bytes) is long bad)
            {
                throw new TokenizerLoadException(path, null, $"not valid UTF-8: invalid byte sequence at byte {bad} (0x{bytes[bad]:X2})");
            }

            JsonDocument document = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 256 });
            return new JsonFile(path, document);
        }
        catch (JsonException e)
        {
            throw new TokenizerLoadException(path, e.Path is null ? null : "$" + e.Path.TrimStart('$'), $"not valid JSON ({e.Message})", e);
        }
        catch (IOException e)
        {
            throw new TokenizerLoadException(path, null, $"cannot be read ({e.Message})", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new TokenizerLoadException(path, null, $"cannot be read ({e.Message})", e);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _document.Dispose();

    /// <summary>Creates an error for <paramref name="jsonPath"/>.</summary>
    public TokenizerLoadException Error(string jsonPath, string problem, Exception? inner = null) => new(Path, jsonPath, problem, inner);

    /// <summary>Short, bounded rendering of a JSON value for error messages.</summary>
    public static string Show(JsonElement value)
    {
        string raw = value.GetRawText();
        return raw.Length <= 200 ? raw : raw[..200] + "…";
    }

    /// <summary>Gets a property; a missing property or explicit JSON null both yield false.</summary>
    public static bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        if (obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>The items of <paramref name="array"/>, which must be a JSON array.</summary>
    public JsonElement.ArrayEnumerator RequireArray(JsonElement array, string path) =>
        array.ValueKind == JsonValueKind.Array ? array.EnumerateArray() : throw Error(path, $"expected a JSON array, found {Show(array)}");

    /// <summary>Requires <paramref name="obj"/> to be an object.</summary>
    public void RequireObject(JsonElement obj, string path)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            throw Error(path, $"expected a JSON object, found {Show(obj)}");
        }
    }

    /// <summary>Reads a required string property.</summary>
    public string RequireString(JsonElement obj, string name, string path)
    {
        if (!TryGet(obj, name, out JsonElement v))
        {
            throw Error($"{path}.{name}", "required string is missing");
        }

        return AsString(v, $"{path}.{name}");
    }

    /// <summary>Reads an optional string property.</summary>
    public string? OptionalString(JsonElement obj, string name, string path) =>
        TryGet(obj, name, out JsonElement v) ? AsString(v, $"{path}.{name}") : null;

    /// <summary>Converts a value to string or fails.</summary>
    public string AsString(JsonElement v, string path) =>
        v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Error(path, $"expected a string, found {Show(v)}");

    /// <summary>Reads an optional boolean property.</summary>
    public bool? OptionalBool(JsonElement obj, string name, string path)
    {
        if (!TryGet(obj, name, out JsonElement v))
        {
            return null;
        }

        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error($"{path}.{name}", $"expected true or false, found {Show(v)}"),
        };
    }

    /// <summary>Converts a value to a non-negative 32-bit token id or fails.</summary>
    public int AsTokenId(JsonElement v, string path)
    {
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int id) && id >= 0)
        {
            return id;
        }

        throw Error(path, $"expected a non-negative integer token id, found {Show(v)}");
    }
}
