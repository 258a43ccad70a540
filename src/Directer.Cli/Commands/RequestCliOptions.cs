using System.CommandLine;
using Directer.Core.Requests;

namespace Directer.Cli.Commands;

/// <summary>
/// The command-line front end of the request settings: one flag per setting of the table (<see cref="RequestSettings"/>)
/// that a command offers, read into one validated <see cref="RequestOptions"/> before anything loads. Values are read
/// as text by the table, so a flag is accepted or refused with the same words as the connector's setting.
/// </summary>
internal sealed class RequestCliOptions
{
    private readonly List<(RequestSetting Setting, Option Option, Func<ParseResult, object?> Value)> flags = [];

    /// <summary>Flags for <paramref name="settings"/>; <paramref name="defaults"/> are what an absent flag means (shown in help).</summary>
    public RequestCliOptions(RequestOptions defaults, params RequestSetting[] settings)
    {
        Defaults = defaults;
        foreach (var setting in settings)
        {
            string flag = setting.CliFlag ?? throw new ArgumentException($"Setting '{setting.Key}' has no command-line flag.", nameof(settings));
            string description = $"{setting.Description} ({Shown(setting)}).";
            switch (setting.Kind)
            {
                case RequestSettingKind.Boolean:
                    var switchOption = new Option<bool>(flag) { Description = description };
                    flags.Add((setting, switchOption, r => r.GetValue(switchOption)));
                    break;
                case RequestSettingKind.TextList:
                    var listOption = new Option<string[]>(flag) { Description = description + " Repeatable." };
                    flags.Add((setting, listOption, r => r.GetValue(listOption)));
                    break;
                default:
                    var textOption = new Option<string>(flag) { Description = description };
                    flags.Add((setting, textOption, r => r.GetValue(textOption)));
                    break;
            }
        }
    }

    /// <summary>The steering parameters shared by the evaluation commands (--alpha, --beta, --max-trials, --strategy).</summary>
    public static RequestCliOptions SteeringParameters() => new(
        new RequestOptions(), RequestSettings.Alpha, RequestSettings.Beta, RequestSettings.MaxTrials, RequestSettings.Strategy);

    /// <summary>What an absent flag means.</summary>
    public RequestOptions Defaults { get; }

    /// <summary>The options, to add to a command.</summary>
    public IEnumerable<Option> All => flags.Select(f => f.Option);

    /// <summary>The flags given on the command line over <see cref="Defaults"/>.</summary>
    /// <exception cref="ArgumentException">A value is refused; the message names the flag and the range.</exception>
    public RequestOptions Read(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var given = flags.Where(f => result.GetResult(f.Option) is { Implicit: false })
            .Select(f => KeyValuePair.Create(f.Setting.Key, f.Value(result)));
        return RequestOptionsReader.Read(given, Defaults, RequestSettingSource.CommandLine);
    }

    private string Shown(RequestSetting setting) => setting.Key switch
    {
        DirecterSettingKeys.MaxTokens => $"{setting.Expected}; default {Defaults.MaxTokens}",
        DirecterSettingKeys.Steering => $"{setting.Expected}; default {Defaults.Steering.Method.ToString().ToLowerInvariant()}",
        DirecterSettingKeys.Alpha => $"{setting.Expected}; default {Defaults.Steering.Alpha}",
        DirecterSettingKeys.Beta => $"{setting.Expected}; default {Defaults.Steering.Beta}",
        DirecterSettingKeys.MaxTrials => $"{setting.Expected}; default {Defaults.Steering.MaxTrials}",
        DirecterSettingKeys.Strategy => $"{setting.Expected}; default auto",
        DirecterSettingKeys.Temperature => $"{setting.Expected}; default {Defaults.Temperature}",
        _ => setting.Expected,
    };
}
