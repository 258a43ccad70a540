using System.Text.Json;
using System.Text.Json.Serialization;

namespace Directer.SemanticKernel;

/// <summary>Reads JSON booleans and the strings "true"/"false" (prompt YAML gives every scalar as a string).</summary>
internal sealed class LenientBooleanConverter : JsonConverter<bool>
{
    // Anything but a string is the reader's own boolean (its error for any other token stands: the settings table has
    // already refused every other value by name before the settings are deserialised).
    public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && bool.TryParse(reader.GetString()!.Trim(), out bool value) ? value : reader.GetBoolean();

    public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) => writer.WriteBooleanValue(value);
}
