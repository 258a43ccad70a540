using System.CommandLine;
using Directer.Cli.Commands;
using Directer.Core.Requests;
using Directer.Testing;

namespace Directer.Cli.Tests;

/// <summary>
/// The command-line front end runs the table's own edge cases (<see cref="RequestSettingCases"/>) for every setting
/// with a flag: accepted or refused with the connector's words, the flag named instead of the key.
/// </summary>
public sealed class RequestFlagsTests
{
    [Fact]
    public void EveryCaseOfTheTableIsReadAlikeFromFlags()
    {
        var flagged = RequestSettings.All.Where(s => s.CliFlag is not null).ToArray();
        Assert.Contains(RequestSettings.Strategy, flagged);
        int checkedCases = 0;
        foreach (var c in RequestSettingCases.All.Where(c => c.Setting.CliFlag is not null))
        {
            // Switches take true/false; anything else is System.CommandLine's own parse error, not a setting's.
            if (c.Setting.Kind == RequestSettingKind.Boolean && c.Error is not null)
            {
                continue;
            }

            var flags = new RequestCliOptions(new RequestOptions(), flagged);
            var command = new RootCommand();
            foreach (var option in flags.All)
            {
                command.Options.Add(option);
            }

            // "--flag=value" keeps negative numbers values; an empty value is its own token.
            var result = command.Parse(c.Value.Length == 0 ? [c.Setting.CliFlag!, c.Value] : [$"{c.Setting.CliFlag}={c.Value}"]);
            Assert.True(result.Errors.Count == 0, $"{c}: {string.Join("; ", result.Errors.Select(e => e.Message))}");
            if (c.Error is null)
            {
                _ = flags.Read(result);
            }
            else
            {
                Assert.Equal(c.Setting.CliFlag + c.Error, Assert.Throws<ArgumentException>(() => flags.Read(result)).Message);
            }

            checkedCases++;
        }

        Assert.True(checkedCases >= 40, $"{checkedCases} flag cases");
    }

    [Fact]
    public void StrategyNamesAreTheConnectorsOnTheCommandLineToo()
    {
        var flags = RequestCliOptions.SteeringParameters();
        var command = new RootCommand();
        foreach (var option in flags.All)
        {
            command.Options.Add(option);
        }

        foreach (string name in new[] { "batched_after_gate", "batched-after-gate", "Batched_After_Gate" })
        {
            Assert.Equal(Directer.Core.Steering.SteeringStrategy.BatchedAfterGate, flags.Read(command.Parse(["--strategy", name])).Steering.Strategy);
        }
    }
}
