using Directer.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;

namespace Directer.SemanticKernel.Tests;

/// <summary>
/// Any <see cref="PromptExecutionSettings"/> type through a real <see cref="Kernel"/> (issue 13): another connector's
/// typed properties are honoured, what cannot be mapped is logged, and replies carry the finish reason. The product
/// does not reference the OpenAI connector; these tests do.
/// </summary>
public sealed class OtherSettingsTypesTests
{
    private static readonly string[] Script = Enumerable.Range(0, 16).Select(i => $"w{i:00}").ToArray();

    private static ScriptedClient Kernelled(string[] script) => new(script, register: (s, path, c) => s.AddDirecterChatCompletion(path, c));

    private static ChatHistory Go()
    {
        var history = new ChatHistory();
        history.AddUserMessage("go");
        return history;
    }

    [Fact]
    public async Task OpenAISettingsWithMaxTokens12ReturnAtMost12TokensAndSayLength()
    {
        using var scripted = Kernelled(Script);
        var kernel = new Kernel(scripted.Services);
        var chat = kernel.GetRequiredService<IChatCompletionService>();

        var free = await chat.GetChatMessageContentAsync(Go(), new OpenAIPromptExecutionSettings(), kernel);
        Assert.Equal(Script.Length + 1, ((UsageDetails)free.Metadata!["Usage"]!).OutputTokenCount); // the end-of-turn token counts
        Assert.Equal("stop", free.Metadata["FinishReason"]);

        var cut = await chat.GetChatMessageContentAsync(Go(), new OpenAIPromptExecutionSettings { MaxTokens = 12 }, kernel);
        Assert.Equal(12, ((UsageDetails)cut.Metadata!["Usage"]!).OutputTokenCount);
        Assert.Equal(string.Concat(Script.Take(12)), cut.Content);
        Assert.Equal("length", cut.Metadata["FinishReason"]);

        // Through a prompt function too, and streaming.
        var function = kernel.CreateFunctionFromPrompt("go", new OpenAIPromptExecutionSettings { MaxTokens = 5 });
        Assert.Equal(string.Concat(Script.Take(5)), (await kernel.InvokeAsync(function)).ToString());
        var streamed = new List<string>();
        await foreach (var chunk in chat.GetStreamingChatMessageContentsAsync(Go(), new OpenAIPromptExecutionSettings { MaxTokens = 3 }, kernel))
        {
            streamed.Add(chunk.Content ?? string.Empty);
        }

        Assert.Equal(string.Concat(Script.Take(3)), string.Concat(streamed));
    }

    [Fact]
    public async Task TypedPropertiesOfAnotherConnectorAreReadAndUnmappableOnesAreLogged()
    {
        var settings = new OpenAIPromptExecutionSettings
        {
            Temperature = 0.5, TopP = 0.9, Seed = 7, StopSequences = ["w05"], FrequencyPenalty = 0.25, PresencePenalty = -0.5, User = "bob", Logprobs = true,
        };
        var unmapped = new List<string>();
        var read = ExecutionSettingsReader.Read(settings, new RequestOptions(), unmapped);
        Assert.Equal((0.5f, 0.9f, 7L, 0.25f, -0.5f), (read.Temperature, read.TopP, read.Seed, read.FrequencyPenalty, read.PresencePenalty));
        Assert.Equal(["w05"], read.StopSequences);
        Assert.Equal(["logprobs", "user"], unmapped.Order(StringComparer.Ordinal));

        using var scripted = Kernelled(Script);
        var kernel = new Kernel(scripted.Services);
        var reply = await kernel.GetRequiredService<IChatCompletionService>().GetChatMessageContentAsync(Go(), settings, kernel);
        Assert.Equal(string.Concat(Script.Take(5)), reply.Content); // the stop sequence ends the reply
        var warnings = scripted.Logs.Entries.Where(e => e.Category == typeof(DirecterChatCompletionService).FullName && e.Level == LogLevel.Warning).Select(e => e.Message).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.StartsWith("Setting 'user' of OpenAIPromptExecutionSettings is not supported by Directer and is ignored", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith("Setting 'logprobs' of OpenAIPromptExecutionSettings is not supported", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BadValuesOfAnotherConnectorsSettingsAreRefusedBeforeTheModelLoads()
    {
        string missing = Path.Combine(Path.GetTempPath(), "directer-no-such-model-" + Guid.NewGuid().ToString("N"));
        var kernel = Kernel.CreateBuilder().AddDirecterChatCompletion(missing).Build();
        var chat = kernel.GetRequiredService<IChatCompletionService>();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => chat.GetChatMessageContentAsync(Go(), new OpenAIPromptExecutionSettings { Temperature = -1 }, kernel));
        Assert.Equal("Setting 'temperature' must be a finite number >= 0 (0 = greedy); got -1.", error.Message);
        Assert.Equal(0, kernel.Services.GetRequiredService<DirecterModelRegistry>().LoadedCount);
    }

    [Fact]
    public async Task ToolCallRepliesSayToolCallsInTheirMetadata()
    {
        using var scripted = Kernelled(["<tool_call>\n{\"name\": \"calc-multiply\", \"arguments\": {\"a\": 2, \"b\": 3}}\n</tool_call>"]);
        var kernel = new Kernel(scripted.Services);
        kernel.Plugins.AddFromObject(new EndToEnd.CalculatorPlugin(), "calc");
        var settings = new OpenAIPromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto(autoInvoke: false) };
        var reply = await kernel.GetRequiredService<IChatCompletionService>().GetChatMessageContentAsync(Go(), settings, kernel);
        Assert.Single(reply.Items.OfType<Microsoft.SemanticKernel.FunctionCallContent>());
        Assert.Equal("tool_calls", reply.Metadata!["FinishReason"]);
    }

    [Fact]
    public void EveryCaseOfTheTableIsReadAlikeFromExecutionSettings()
    {
        foreach (var c in RequestSettingCases.All)
        {
            var settings = new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { [c.Setting.Key] = c.Value } };
            string subject = c.Setting.Subject(RequestSettingSource.Settings);
            if (c.Error is null)
            {
                _ = ExecutionSettingsReader.Read(settings, new RequestOptions());
                _ = DirecterPromptExecutionSettings.FromExecutionSettings(settings);
            }
            else
            {
                Assert.Equal(subject + c.Error, Assert.Throws<ArgumentException>(() => ExecutionSettingsReader.Read(settings, new RequestOptions())).Message);
                Assert.Equal(subject + c.Error, Assert.Throws<ArgumentException>(() => DirecterPromptExecutionSettings.FromExecutionSettings(settings)).Message);
            }
        }

        // Another connector's typed properties go through the same rows.
        var typed = new Dictionary<string, Func<RequestSettingCases.Case, PromptExecutionSettings>>
        {
            [DirecterSettingKeys.MaxTokens] = c => new OpenAIPromptExecutionSettings { MaxTokens = (int)c.Number },
            [DirecterSettingKeys.Temperature] = c => new OpenAIPromptExecutionSettings { Temperature = c.Number },
            [DirecterSettingKeys.TopP] = c => new OpenAIPromptExecutionSettings { TopP = c.Number },
            [DirecterSettingKeys.FrequencyPenalty] = c => new OpenAIPromptExecutionSettings { FrequencyPenalty = c.Number },
            [DirecterSettingKeys.PresencePenalty] = c => new OpenAIPromptExecutionSettings { PresencePenalty = c.Number },
        };
        foreach (var c in RequestSettingCases.Ranges.Where(c => typed.ContainsKey(c.Setting.Key)))
        {
            var settings = typed[c.Setting.Key](c);
            if (c.Error is null)
            {
                _ = ExecutionSettingsReader.Read(settings, new RequestOptions());
            }
            else
            {
                Assert.Equal(c.Setting.Subject(RequestSettingSource.Settings) + c.Error, Assert.Throws<ArgumentException>(() => ExecutionSettingsReader.Read(settings, new RequestOptions())).Message);
            }
        }
    }
}
