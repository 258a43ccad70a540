using System.Text.Json;
using System.Text.Json.Serialization;

namespace Directer.SemanticKernel;

/// <summary>
/// Writes infinities and NaN as their names, so that a settings type whose own attributes forbid them (OpenAI's) still
/// serialises, and the settings table refuses the value by name instead of the serialiser failing.
/// </summary>
internal sealed class NamedFloatConverter : JsonConverter<double>
{
    // Write-only: these converters are in the options settings are serialised with (ExecutionSettingsReader.Json), and
    // nothing deserialises with those options.
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw new NotSupportedException();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
