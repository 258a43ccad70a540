using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Directer.SemanticKernel;

/// <summary>
/// Reads an integer setting written as a whole number with a fraction part (<c>12.0</c>, or the string "12.0" as prompt
/// YAML gives it), as the settings table and the other front ends accept it. It converts only: it reads nothing the
/// settings table has not already accepted as an integer in range (<see cref="DirecterPromptExecutionSettings"/>
/// runs the table first), so a fraction or an out-of-range value never reaches it.
/// </summary>
internal sealed class IntegralNumberConverter<T> : JsonConverter<T>
    where T : struct, IBinaryInteger<T>
{
    // Through double, as the table reads a JSON number or string: the same value for every front end.
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => T.CreateChecked(
        reader.TokenType == JsonTokenType.String ? double.Parse(reader.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture) : reader.GetDouble());

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteNumberValue(long.CreateChecked(value));
}
