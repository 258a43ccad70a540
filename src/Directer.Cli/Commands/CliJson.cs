using System.Text.Json;

namespace Directer.Cli.Commands;

/// <summary>JSON settings shared by every command: snake_case names.</summary>
internal static class CliJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
    };
}
