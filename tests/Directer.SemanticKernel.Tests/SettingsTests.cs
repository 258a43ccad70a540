using System.Text.Json;
using Directer.Core.Steering;
using Microsoft.Extensions.AI;
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

        var resolved = ExecutionSettingsReader.Read(ours, new RequestOptions());
        Assert.Equal(SteeringMethod.Pasta, resolved.Steering.Method);
        Assert.Equal(0.25, resolved.Steering.Beta);
        Assert.Equal(new[] { "be brief" }, resolved.Emphasis);
    }

    [Theory]
    [InlineData("alpha", -2.0, "Setting 'alpha' must be a finite number > 0; got -2")]
    [InlineData("alpha", 0.0, "Setting 'alpha' must be a finite number > 0; got 0")]
    [InlineData("alpha", "abc", "Setting 'alpha' must be a number; got")]
    [InlineData("beta", 1.5, "Setting 'beta' must be in (0, 1]; got 1.5")]
    [InlineData("beta", 0.0, "Setting 'beta' must be in (0, 1]; got 0")]
    [InlineData("max_trials", 0.0, "Setting 'max_trials' must be an integer >= 1; got 0")]
    [InlineData("max_trials", 2.5, "Setting 'max_trials' must be an integer; got")]
    [InlineData("steering", "magic", "Setting 'steering': 'magic' is not one of none, directer, static, pasta, spotlight, instaboost")]
    [InlineData("strategy", "fastest", "Setting 'strategy': 'fastest' is not one of auto, sequential, batched, batched-after-gate")]
    [InlineData("gate", 3.0, "Setting 'gate' must be true or false")]
    [InlineData("constrain_tool_calls", 3.0, "Setting 'constrain_tool_calls' must be true or false; got 3")]
    [InlineData("constrain_tool_calls", "maybe", "Setting 'constrain_tool_calls' must be true or false; got \"maybe\"")]
    [InlineData("emphasis_not_found", "shrug", "Setting 'emphasis_not_found': 'shrug' is not one of error, ignore")]
    [InlineData("temperature", -0.5, "Setting 'temperature' must be a finite number >= 0 (0 = greedy); got -0.5")]
    [InlineData("top_p", 0.0, "Setting 'top_p' must be in (0, 1]; got 0")]
    [InlineData("top_p", 1.5, "Setting 'top_p' must be in (0, 1]; got 1.5")]
    [InlineData("top_k", 0.0, "Setting 'top_k' must be an integer >= 1; got 0")]
    [InlineData("seed", 1.5, "Setting 'seed' must be an integer; got")]
    [InlineData("max_tokens", 0.0, "Setting 'max_tokens' must be an integer >= 1; got 0")]
    [InlineData("response_format", "xml", "Setting 'response_format': 'xml' is not \"text\", \"json_object\" or a JSON schema object")]
    public void BadValuesAreRejectedNamingTheSnakeCaseKeyAndTheExpectedRange(string key, object value, string expected)
    {
        // From plain settings (prompt YAML, configuration) ...
        var plain = new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { [key] = value } };
        var error = Assert.Throws<ArgumentException>(() => DirecterPromptExecutionSettings.FromExecutionSettings(plain));
        Assert.Contains(expected, error.Message);

        // ... and from chat options' additional properties (Microsoft.Extensions.AI callers).
        error = Assert.Throws<ArgumentException>(() => ChatOptionsReader.Read(new ChatOptions { AdditionalProperties = new() { [key] = value } }, new RequestOptions()));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void ConstrainToolCallsIsReadFromExtensionDataAndChatOptionsOverTheDefault()
    {
        var off = new RequestOptions();
        var on = new RequestOptions { ConstrainToolCalls = true };
        Assert.False(off.ConstrainToolCalls); // off unless asked for

        // Plain settings: typed values, strings (prompt YAML) and JSON elements (configuration, JSON prompts).
        foreach (object value in new object[] { true, "true", " True ", JsonDocument.Parse("true").RootElement, JsonDocument.Parse("\"true\"").RootElement })
        {
            var plain = new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { [DirecterSettingKeys.ConstrainToolCalls] = value } };
            var ours = DirecterPromptExecutionSettings.FromExecutionSettings(plain);
            Assert.True(ours.ConstrainToolCalls);
            Assert.True(ExecutionSettingsReader.Read(ours, off).ConstrainToolCalls);
        }

        var no = DirecterPromptExecutionSettings.FromExecutionSettings(new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { ["constrain_tool_calls"] = "false" } });
        Assert.False(no.ConstrainToolCalls);
        Assert.False(ExecutionSettingsReader.Read(no, on).ConstrainToolCalls); // an explicit false beats a true default
        Assert.Null(DirecterPromptExecutionSettings.FromExecutionSettings(new PromptExecutionSettings()).ConstrainToolCalls);

        // Chat options' additional properties (Microsoft.Extensions.AI callers); absent = the default.
        Assert.True(ChatOptionsReader.Read(new ChatOptions { AdditionalProperties = new() { ["constrain_tool_calls"] = true } }, off).ConstrainToolCalls);
        Assert.True(ChatOptionsReader.Read(new ChatOptions { AdditionalProperties = new() { ["constrain_tool_calls"] = "TRUE" } }, off).ConstrainToolCalls);
        Assert.False(ChatOptionsReader.Read(new ChatOptions { AdditionalProperties = new() { ["constrain_tool_calls"] = false } }, on).ConstrainToolCalls);
        Assert.False(ChatOptionsReader.Read(new ChatOptions(), off).ConstrainToolCalls);
        Assert.True(ChatOptionsReader.Read(new ChatOptions(), on).ConstrainToolCalls);
        Assert.True(ChatOptionsReader.Read((ChatOptions?)null, on).ConstrainToolCalls);
    }

    [Fact]
    public void TypedConstrainToolCallsRoundTripsClonesFreezesAndReachesChatOptions()
    {
        var settings = new DirecterPromptExecutionSettings { ConstrainToolCalls = true };
        string json = JsonSerializer.Serialize(settings);
        Assert.Contains("\"constrain_tool_calls\":true", json);
        Assert.True(JsonSerializer.Deserialize<DirecterPromptExecutionSettings>(json)!.ConstrainToolCalls);

        // Read back as plain settings, the key lands in ExtensionData and comes back as the typed property.
        var plain = JsonSerializer.Deserialize<PromptExecutionSettings>(json)!;
        Assert.True(plain.ExtensionData!.ContainsKey(DirecterSettingKeys.ConstrainToolCalls));
        Assert.True(DirecterPromptExecutionSettings.FromExecutionSettings(plain).ConstrainToolCalls);

        var clone = (DirecterPromptExecutionSettings)settings.Clone();
        Assert.True(clone.ConstrainToolCalls);
        settings.Freeze();
        Assert.Throws<InvalidOperationException>(() => settings.ConstrainToolCalls = false);
        Assert.True(settings.ConstrainToolCalls);
        clone.ConstrainToolCalls = false; // a clone is not frozen
        Assert.False(clone.ConstrainToolCalls);

        Assert.True(ExecutionSettingsReader.Read(settings, new RequestOptions()).ConstrainToolCalls);
        Assert.True(ExecutionSettingsReader.Read(new DirecterPromptExecutionSettings(), new RequestOptions { ConstrainToolCalls = true }).ConstrainToolCalls); // unset = the default

        // Through Semantic Kernel's own settings-to-ChatOptions conversion (used by IChatClient-based SK paths).
        var options = settings.ToChatOptions(kernel: null);
        Assert.Equal(true, options.AdditionalProperties![DirecterSettingKeys.ConstrainToolCalls]);
        Assert.True(ChatOptionsReader.Read(options, new RequestOptions()).ConstrainToolCalls);
    }

    [Fact]
    public void TypedSettingsAndChatOptionsAreValidatedToo()
    {
        Assert.Contains("'temperature' must be a finite number >= 0", Assert.Throws<ArgumentException>(() => DirecterPromptExecutionSettings.FromExecutionSettings(new DirecterPromptExecutionSettings { Temperature = -1 })).Message);
        Assert.Contains("'top_p' must be in (0, 1]", Assert.Throws<ArgumentException>(() => new DirecterPromptExecutionSettings { TopP = 2 }.Validate()).Message);
        Assert.Contains("'top_k' must be an integer >= 1", Assert.Throws<ArgumentException>(() => new DirecterPromptExecutionSettings { TopK = 0 }.Validate()).Message);
        Assert.Contains("'max_tokens' must be an integer >= 1", Assert.Throws<ArgumentException>(() => new DirecterPromptExecutionSettings { MaxTokens = -3 }.Validate()).Message);
        Assert.Contains("'stop_sequences' must hold non-empty strings", Assert.Throws<ArgumentException>(() => new DirecterPromptExecutionSettings { StopSequences = [""] }.Validate()).Message);
        Assert.Contains("'emphasis' must hold non-empty strings", Assert.Throws<ArgumentException>(() => new DirecterPromptExecutionSettings { Emphasis = ["ok", ""] }.Validate()).Message);
        Assert.Contains("'alpha' must be a finite number > 0", Assert.Throws<ArgumentException>(() => new DirecterPromptExecutionSettings { Alpha = double.PositiveInfinity }.Validate()).Message);

        var defaults = new RequestOptions();
        Assert.Contains("'temperature'", Assert.Throws<ArgumentException>(() => ChatOptionsReader.Read(new ChatOptions { Temperature = -0.1f }, defaults)).Message);
        Assert.Contains("'top_p'", Assert.Throws<ArgumentException>(() => ChatOptionsReader.Read(new ChatOptions { TopP = 1.01f }, defaults)).Message);
        Assert.Contains("'top_k'", Assert.Throws<ArgumentException>(() => ChatOptionsReader.Read(new ChatOptions { TopK = 0 }, defaults)).Message);
        Assert.Contains("'max_tokens'", Assert.Throws<ArgumentException>(() => ChatOptionsReader.Read(new ChatOptions { MaxOutputTokens = 0 }, defaults)).Message);

        var fine = ChatOptionsReader.Read(new ChatOptions { Temperature = 0.7f, TopP = 0.9f, TopK = 40, Seed = 7, MaxOutputTokens = 20, StopSequences = ["END"], ResponseFormat = ChatResponseFormat.Json }, defaults);
        Assert.Equal((0.7f, 0.9f, 40, 7L, 20), (fine.Temperature, fine.TopP, fine.TopK, fine.Seed, fine.MaxTokens));
        Assert.Equal(["END"], fine.StopSequences);
        Assert.True(fine.ResponseFormat!.IsJson);
    }

    [Fact]
    public void StringValuesAsPromptYamlGivesThemAreRead()
    {
        var plain = new PromptExecutionSettings
        {
            ExtensionData = new Dictionary<string, object>
            {
                ["alpha"] = "50", ["beta"] = "0.25", ["gate"] = "true", ["max_trials"] = "3", ["emphasis"] = "be brief", ["temperature"] = "0.5", ["top_k"] = "5", ["response_format"] = "json_object",
            },
        };
        var ours = DirecterPromptExecutionSettings.FromExecutionSettings(plain);
        Assert.Equal(50, ours.Alpha);
        Assert.Equal(0.25, ours.Beta);
        Assert.True(ours.Gate);
        Assert.Equal(3, ours.MaxTrials);
        Assert.Equal(["be brief"], ours.Emphasis);
        Assert.Equal(0.5f, ours.Temperature);
        Assert.Equal(5, ours.TopK);
        var read = ExecutionSettingsReader.Read(plain, new RequestOptions());
        Assert.True(read.ResponseFormat!.IsJson);
        Assert.Equal(0.5f, read.Temperature);
        Assert.Equal(50.0, read.Steering.Alpha);
    }

    [Fact]
    public void WrongTypesAndUnknownNamesAreClearErrors()
    {
        var error = Assert.Throws<ArgumentException>(() => ChatOptionsReader.Read(new ChatOptions { AdditionalProperties = new() { ["steering"] = "magic" } }, new RequestOptions()));
        Assert.Contains("magic", error.Message);
        error = Assert.Throws<ArgumentException>(() => ChatOptionsReader.Read(new ChatOptions { AdditionalProperties = new() { ["gate"] = 3.0 } }, new RequestOptions()));
        Assert.Contains("'gate' must be true or false", error.Message);
        error = Assert.Throws<ArgumentException>(() => ChatOptionsReader.Read(new ChatOptions { AdditionalProperties = new() { ["emphasis_not_found"] = "shrug" } }, new RequestOptions()));
        Assert.Contains("'shrug' is not one of error, ignore", error.Message);
    }
}
