using System.Text.Json;
using System.Text.Json.Serialization;

namespace Directer.SemanticKernel;

/// <summary>The <see cref="float"/> twin of <see cref="NamedFloatConverter"/>.</summary>
internal sealed class NamedSingleConverter : JsonConverter<float>
{
    // Write-only: these converters are in the options settings are serialised with (ExecutionSettingsReader.Json), and
    // nothing deserialises with those options.
    public override float Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw new NotSupportedException();

    public override void Write(Utf8JsonWriter writer, float value, JsonSerializerOptions options)
    {
        if (float.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
