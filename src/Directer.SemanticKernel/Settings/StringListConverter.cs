using System.Text.Json;
using System.Text.Json.Serialization;

namespace Directer.SemanticKernel;

/// <summary>Reads a list of strings, or one string as a list of one (<c>emphasis: "be brief"</c>).</summary>
internal sealed class StringListConverter : JsonConverter<IList<string>>
{
    // Anything but a string is read as a plain list, whose own errors stand: the settings table has already refused
    // every other shape by name before the settings are deserialised.
    public override IList<string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String ? [reader.GetString()!] : JsonSerializer.Deserialize<List<string>>(ref reader);

    // Read-only: the lenient options holding this converter only deserialise.
    public override void Write(Utf8JsonWriter writer, IList<string> value, JsonSerializerOptions options) => throw new NotSupportedException();
}
