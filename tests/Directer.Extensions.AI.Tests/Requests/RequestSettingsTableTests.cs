using Directer.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;

namespace Directer.Extensions.AI.Tests.Requests;

/// <summary>
/// The Microsoft.Extensions.AI front ends (additional properties, typed <see cref="ChatOptions"/> properties, and
/// configuration defaults) run the table's own edge cases (<see cref="RequestSettingCases"/>): each accepted or refused
/// with the same message as every other front end.
/// </summary>
public sealed class RequestSettingsTableTests
{
    [Fact]
    public void EveryCaseOfTheTableIsReadAlikeFromAdditionalProperties()
    {
        Assert.True(RequestSettingCases.All.Count > 60); // every setting has cases
        foreach (var c in RequestSettingCases.All)
        {
            var options = new ChatOptions { AdditionalProperties = new() { [c.Setting.Key] = c.Value } };
            Expect(c, () => ChatOptionsReader.Read(options, new RequestOptions()), c.Setting.Subject(RequestSettingSource.Settings));
        }
    }

    [Fact]
    public void TypedChatOptionsPropertiesAreCheckedByTheSameRows()
    {
        var typed = new Dictionary<string, Func<RequestSettingCases.Case, ChatOptions>>
        {
            [DirecterSettingKeys.MaxTokens] = c => new ChatOptions { MaxOutputTokens = (int)c.Number },
            [DirecterSettingKeys.Temperature] = c => new ChatOptions { Temperature = (float)c.Number },
            [DirecterSettingKeys.TopP] = c => new ChatOptions { TopP = (float)c.Number },
            [DirecterSettingKeys.TopK] = c => new ChatOptions { TopK = (int)c.Number },
            [DirecterSettingKeys.Seed] = c => new ChatOptions { Seed = (long)c.Number },
            [DirecterSettingKeys.FrequencyPenalty] = c => new ChatOptions { FrequencyPenalty = (float)c.Number },
            [DirecterSettingKeys.PresencePenalty] = c => new ChatOptions { PresencePenalty = (float)c.Number },
        };
        int checkedCases = 0;
        foreach (var c in RequestSettingCases.Ranges.Where(c => typed.ContainsKey(c.Setting.Key)))
        {
            var options = typed[c.Setting.Key](c);
            Expect(c, () => ChatOptionsReader.Read(options, new RequestOptions()), c.Setting.Subject(RequestSettingSource.Settings));
            checkedCases++;
        }

        Assert.True(checkedCases >= 14, $"{checkedCases} typed cases");
    }

    [Fact]
    public void ConfigurationDefaultsAreCheckedByTheSameRows()
    {
        int checkedCases = 0;
        foreach (var c in RequestSettingCases.Ranges)
        {
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["ModelPath"] = "/m", ["Defaults:" + c.Setting.Path] = c.Value })
                .Build();
            var options = configuration.Get<DirecterConnectorOptions>()!;
            var errors = options.GetValidationErrors();
            if (c.Error is null)
            {
                Assert.Empty(errors);
            }
            else
            {
                Assert.Equal("Defaults:" + c.Setting.Path + c.Error, Assert.Single(errors));
            }

            checkedCases++;
        }

        Assert.True(checkedCases >= 25, $"{checkedCases} configuration cases");
    }

    private static void Expect(RequestSettingCases.Case c, Func<RequestOptions> read, string subject)
    {
        if (c.Error is null)
        {
            _ = read();
        }
        else
        {
            Assert.Equal(subject + c.Error, Assert.Throws<ArgumentException>(read).Message);
        }
    }
}
