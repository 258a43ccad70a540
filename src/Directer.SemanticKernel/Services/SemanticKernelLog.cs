using Microsoft.Extensions.Logging;

namespace Directer.SemanticKernel;

/// <summary>The Semantic Kernel service's log messages (source-generated).</summary>
internal static partial class SemanticKernelLog
{
    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Setting '{Key}' of {SettingsType} is not supported by Directer and is ignored (see docs/CONNECTOR.md for the settings Directer reads)")]
    public static partial void SettingNotSupported(ILogger logger, string key, string settingsType);
}
