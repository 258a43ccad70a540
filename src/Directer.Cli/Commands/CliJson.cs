using System.Text.Json;

namespace Directer.Cli.Commands;

/// <summary>JSON settings shared by every command: snake_case names; non-finite numbers are written as null.</summary>
internal static class CliJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
        Converters = { new FiniteOrNullDoubleConverter(), new FiniteOrNullSingleConverter() },
    };
}
