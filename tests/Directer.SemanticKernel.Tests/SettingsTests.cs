using System.Text.Json;
using Directer.Core.Steering;
using Microsoft.SemanticKernel;

namespace Directer.SemanticKernel.Tests;

public sealed class SettingsTests
{
    [Fact]
    public void TypedSettingsRoundTripThroughJsonWithSnakeCaseNames()
    {
        var settings = new DirecterPromptExecutionSettings { Emphasis = ["no commas"], Steering = "directer", Alpha = 50, Beta = 0.4, MaxTrials = 3, Strategy = "sequential", Temperature = 0.7f, MaxTokens = 64 };
        string json = JsonSerializer.Serialize(settings);
        foreach (string key in new[] { "\"emphasis\"", "\"steering\"", "\"alpha\"", "\"beta\"", "\"max_trials\"", "\"strategy\"", "\"max_tokens\"" })
        {
            Assert.Contains(key, json);
        }

        var back = JsonSerializer.Deserialize<DirecterPromptExecutionSettings>(json)!;
        Assert.Equal(settings.Emphasis, back.Emphasis);
        Assert.Equal(0.4, back.Beta);
        Assert.Equal(3, back.MaxTrials);
    }

    [Fact]
    public void PlainSettingsWithExtensionDataAreHonouredAndKeepFunctionChoiceBehavior()
    {
        var behavior = FunctionChoiceBehavior.Auto(autoInvoke: false);
        var plain = new PromptExecutionSettings
        {
            FunctionChoiceBehavior = behavior,
            ExtensionData = new Dictionary<string, object> { ["emphasis"] = new[] { "be brief" }, ["steering"] = "pasta", ["gate"] = true, ["beta"] = 0.25, ["max_tokens"] = 7 },
        };
        var ours = DirecterPromptExecutionSettings.FromExecutionSettings(plain);
        Assert.Same(behavior, ours.FunctionChoiceBehavior);
        Assert.Equal(new[] { "be brief" }, ours.Emphasis);
        Assert.Equal("pasta", ours.Steering);
        Assert.True(ours.Gate);
        Assert.Equal(7, ours.MaxTokens);

        var resolved = DirecterChatOptions.Read(ours.ToAdditionalProperties(), new DirecterRequestDefaults());
        Assert.Equal(SteeringMethod.Pasta, resolved.Steering.Method);
        Assert.Equal(0.25, resolved.Steering.Beta);
        Assert.Equal(new[] { "be brief" }, resolved.Emphasis.Texts);
    }

    [Theory]
    [InlineData("beta", 1.5, "'beta' must be in (0, 1]")]
    [InlineData("alpha", -2.0, "'alpha' must be a finite number > 0")]
    [InlineData("max_trials", 0.0, "'max_trials' must be at least 1")]
    public void BadValuesAreRejectedNamingTheSetting(string key, double value, string expected)
    {
        var plain = new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { [key] = value } };
        var error = Assert.Throws<ArgumentException>(() => DirecterPromptExecutionSettings.FromExecutionSettings(plain));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void WrongTypesAndUnknownNamesAreClearErrors()
    {
        var error = Assert.Throws<ArgumentException>(() => DirecterChatOptions.Read(new Dictionary<string, object?> { ["steering"] = "magic" }, new DirecterRequestDefaults()));
        Assert.Contains("magic", error.Message);
        error = Assert.Throws<ArgumentException>(() => DirecterChatOptions.Read(new Dictionary<string, object?> { ["gate"] = 3.0 }, new DirecterRequestDefaults()));
        Assert.Contains("'gate' must be true or false", error.Message);
        error = Assert.Throws<ArgumentException>(() => DirecterChatOptions.Read(new Dictionary<string, object?> { ["emphasis_not_found"] = "shrug" }, new DirecterRequestDefaults()));
        Assert.Contains("'error' or 'ignore'", error.Message);
    }
}
