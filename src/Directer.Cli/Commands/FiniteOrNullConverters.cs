using System.Text.Json;
using System.Text.Json.Serialization;

namespace Directer.Cli.Commands;

/// <summary>Writes NaN and ±∞ as JSON null: a statistic that cannot be computed (a rate over zero time, a share of
/// zero steps) must never make the serializer throw and lose a finished generation.</summary>
internal sealed class FiniteOrNullDoubleConverter : JsonConverter<double>
{
    public override bool HandleNull => false;

    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}

/// <summary>The <see cref="float"/> counterpart of <see cref="FiniteOrNullDoubleConverter"/>.</summary>
internal sealed class FiniteOrNullSingleConverter : JsonConverter<float>
{
    public override float Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetSingle();

    public override void Write(Utf8JsonWriter writer, float value, JsonSerializerOptions options)
    {
        if (float.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
