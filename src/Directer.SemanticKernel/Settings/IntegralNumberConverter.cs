using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Directer.SemanticKernel;

/// <summary>
/// Reads an integer setting written as a whole number with a fraction part (<c>12.0</c>, or the string "12.0" as prompt
/// YAML gives it), as the settings table and the other front ends accept it; a real fraction or a value out of range is a
/// <see cref="JsonException"/>.
/// </summary>
internal sealed class IntegralNumberConverter<T> : JsonConverter<T>
    where T : struct, IBinaryInteger<T>, IMinMaxValue<T>
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        double value = reader.TokenType switch
        {
            JsonTokenType.Number when reader.TryGetInt64(out long whole) => whole,
            JsonTokenType.Number => reader.GetDouble(),
            JsonTokenType.String when double.TryParse(reader.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) => parsed,
            _ => throw new JsonException("expected an integer"),
        };

        if (value != Math.Floor(value) || value < double.CreateTruncating(T.MinValue) || value > double.CreateTruncating(T.MaxValue))
        {
            throw new JsonException($"expected an integer in [{T.MinValue}, {T.MaxValue}], got {value.ToString(CultureInfo.InvariantCulture)}");
        }

        return T.CreateChecked(value);
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteNumberValue(long.CreateChecked(value));
}
