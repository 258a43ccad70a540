using System.Text.Json;
using Directer.Core.Requests;

namespace Directer.Core.Tests.Settings;

/// <summary>
/// The settings <see cref="RequestOptions"/> holds as <see cref="float"/> (temperature, top_p, the three penalties) are
/// range-checked as the float they become: a finite double that rounds to an infinity (1e39) or to a refused zero
/// (top_p 1e-50) is refused with the number as given, in every form a front end passes it (number, string, JSON).
/// </summary>
public sealed class FloatSettingNarrowingTests
{
    public static TheoryData<string, double> Narrowed => new()
    {
        { DirecterSettingKeys.Temperature, 1e39 },          // finite double, +Infinity as a float
        { DirecterSettingKeys.RepetitionPenalty, 1e39 },
        { DirecterSettingKeys.RepetitionPenalty, 1e-50 },   // > 0 as a double, 0 (refused: exclusive) as a float
        { DirecterSettingKeys.TopP, 1e-50 },
    };

    [Theory]
    [MemberData(nameof(Narrowed))]
    public void ANumberThatTheFloatCannotHoldInRangeIsRefusedAsGiven(string key, double value)
    {
        string text = value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        foreach (object given in new object[] { value, text, JsonDocument.Parse(text).RootElement, JsonDocument.Parse($"\"{text}\"").RootElement })
        {
            var error = Assert.Throws<ArgumentException>(() => RequestOptionsReader.Read([KeyValuePair.Create(key, (object?)given)], new RequestOptions()));
            Assert.StartsWith($"Setting '{key}' must be ", error.Message, StringComparison.Ordinal);
            Assert.Contains($"; got {text}, which a 32-bit float holds as ", error.Message, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void TheLargestAndSmallestFloatsThatStayInRangeAreAccepted()
    {
        // float.MaxValue and float.Epsilon themselves are in range after rounding; so is a double that rounds to them.
        var read = RequestOptionsReader.Read(
            [
                KeyValuePair.Create(DirecterSettingKeys.Temperature, (object?)(double)float.MaxValue),
                KeyValuePair.Create(DirecterSettingKeys.TopP, (object?)(double)float.Epsilon),
                KeyValuePair.Create(DirecterSettingKeys.RepetitionPenalty, (object?)1e-45),
            ],
            new RequestOptions());
        Assert.Equal((float.MaxValue, float.Epsilon, float.Epsilon), (read.Temperature, read.TopP, read.RepetitionPenalty));
    }

    [Fact]
    public void DoubleSettingsKeepTheirWholeRange()
    {
        // alpha is a double in SteeringSettings: 1e39 is a valid key scale there, and 1e-50 a valid beta.
        var read = RequestOptionsReader.Read(
            [KeyValuePair.Create(DirecterSettingKeys.Alpha, (object?)1e39), KeyValuePair.Create(DirecterSettingKeys.Beta, (object?)1e-50)],
            new RequestOptions());
        Assert.Equal((1e39, 1e-50), (read.Steering.Alpha, read.Steering.Beta));
    }
}
