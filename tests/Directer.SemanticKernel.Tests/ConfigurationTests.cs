using Directer.Core.Generation;
using System.Text;
using Directer.Core.Modeling;
using Directer.Core.Steering;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Directer.SemanticKernel.Tests;

public sealed class ConfigurationTests
{
    private static IConfiguration Json(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    private static string Escaped(string path) => path.Replace("\\", "\\\\", StringComparison.Ordinal);

    [Fact]
    public async Task OptionsBindFromAConfigurationSection()
    {
        var configuration = Json($$"""
            {
              "Directer": {
                "ModelPath": "{{Escaped(ChatCheckpoint.Path)}}",
                "DType": "Float32",
                "MaxSequenceLength": 256,
                "CacheSlots": 3,
                "MaxConcurrentRows": 2,
                "MaxQueuedRequests": 5,
                "ReusePrefixes": false,
                "Defaults": { "MaxTokens": 3, "EmphasizeSystemMessage": false, "Steering": { "Method": "pasta", "Gate": true, "Beta": 0.3 } }
              },
              "Other": { "ModelPath": "{{Escaped(ChatCheckpoint.Path)}}", "EnableTelemetry": true, "TelemetrySourceName": "Other.Source" }
            }
            """);
        var services = new ServiceCollection();
        services.AddDirecterChatCompletion(configuration.GetSection("Directer"));
        services.AddDirecterChatClient(configuration.GetSection("Other"), serviceId: "other");
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<DirecterConnectorOptions>>();
        var main = options.Get(Options.DefaultName);
        Assert.Equal(ChatCheckpoint.Path, main.ModelPath);
        Assert.Equal(ComputeDType.Float32, main.DType);
        Assert.Equal(256, main.MaxSequenceLength);
        Assert.Equal(3, main.Defaults.MaxTokens);
        Assert.False(main.Defaults.EmphasizeSystemMessage);
        Assert.Equal(SteeringMethod.Pasta, main.Defaults.Steering.Method);
        Assert.True(main.Defaults.Steering.Gate);
        Assert.Equal(0.3, main.Defaults.Steering.Beta);
        var other = options.Get("other");
        Assert.True(other.EnableTelemetry);
        Assert.Equal("Other.Source", other.TelemetrySourceName);

        // The defaults apply to requests: 3 tokens at most, PASTA steering from configuration.
        var history = new ChatHistory("Be [[brief]].");
        history.AddUserMessage("hello world");
        var reply = await provider.GetRequiredService<IChatCompletionService>().GetChatMessageContentAsync(history);
        Assert.InRange(((UsageDetails)reply.Metadata!["Usage"]!).OutputTokenCount ?? 0, 1, 3);
        Assert.Equal("pasta+gate", ((SteeringSummary)reply.Metadata[DirecterChatClient.SteeringSummaryKey]!).Method);
        Assert.IsNotType<DirecterChatClient>(provider.GetRequiredKeyedService<IChatClient>("other")); // wrapped in telemetry
        Assert.Equal(1, provider.GetRequiredService<DirecterModelRegistry>().LoadedCount);

        // The serving options reached the loaded model's generator.
        var serving = ((Directer.Core.Chat.ChatModel)provider.GetRequiredService<IChatClient>().GetService(typeof(Directer.Core.Chat.ChatModel))!).Generator.Serving;
        Assert.Equal(new ServingOptions { CacheSlots = 3, MaxConcurrentRows = 2, MaxQueuedRequests = 5, ReusePrefixes = false }, serving);
        Assert.Equal(0, ((UsageDetails)reply.Metadata!["Usage"]!).CachedInputTokenCount);
    }

    [Fact]
    public void DefaultsConstrainToolCallsBindsFromConfigurationAndAppliesToRequests()
    {
        var configuration = Json("""
            {
              "On": { "ModelPath": "/m", "Defaults": { "ConstrainToolCalls": true } },
              "Text": { "ModelPath": "/m", "Defaults": { "ConstrainToolCalls": "True" } },
              "Unset": { "ModelPath": "/m", "Defaults": { "MaxTokens": 4 } },
              "Bad": { "ModelPath": "/m", "Defaults": { "ConstrainToolCalls": "maybe" } }
            }
            """);
        var services = new ServiceCollection();
        foreach (string name in new[] { "On", "Text", "Unset", "Bad" })
        {
            services.AddDirecterChatClient(configuration.GetSection(name), serviceId: name.ToLowerInvariant());
        }

        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptionsMonitor<DirecterConnectorOptions>>();
        var on = options.Get("on").Defaults;
        Assert.True(on.ConstrainToolCalls);
        Assert.Null(on.EmphasizeSystemMessage); // the other defaults keep their values (null: the system message where the template renders it)
        Assert.True(options.Get("text").Defaults.ConstrainToolCalls);
        Assert.False(options.Get("unset").Defaults.ConstrainToolCalls);
        Assert.Equal(4, options.Get("unset").Defaults.MaxTokens);
        Assert.Contains("Defaults:ConstrainToolCalls", Assert.Throws<InvalidOperationException>(() => options.Get("bad")).Message);

        // The bound default reaches the engine request unless the request says otherwise.
        var tools = new ChatOptions { Tools = [AIFunctionFactory.Create(() => "12:00", "get_time")] };
        List<ChatMessage> messages = [new(ChatRole.User, "time?")];
        Assert.True(DirecterRequestMapper.Map(messages, tools, on).Request.ConstrainToolCalls);
        Assert.False(DirecterRequestMapper.Map(messages, tools, options.Get("unset").Defaults).Request.ConstrainToolCalls);
        tools.AdditionalProperties = new() { [DirecterSettingKeys.ConstrainToolCalls] = false };
        Assert.False(DirecterRequestMapper.Map(messages, tools, on).Request.ConstrainToolCalls);
    }

    [Fact]
    public async Task TheActionOverloadsConfigureAKeyedKernelService()
    {
        var kernel = Kernel.CreateBuilder()
            .AddDirecterChatCompletion(o => { o.ModelPath = ChatCheckpoint.Path; o.Defaults = new RequestOptions { MaxTokens = 2 }; }, serviceId: "tiny")
            .Build();
        var chat = kernel.GetRequiredService<IChatCompletionService>("tiny");
        Assert.Equal(Path.GetFileName(ChatCheckpoint.Path), chat.Attributes["ModelId"]);
        var history = new ChatHistory();
        history.AddUserMessage("hello");
        var reply = await chat.GetChatMessageContentAsync(history, new DirecterPromptExecutionSettings { Steering = "none" }, kernel);
        Assert.InRange(((UsageDetails)reply.Metadata!["Usage"]!).OutputTokenCount ?? 0, 1, 2);
    }

    [Theory]
    [InlineData("""{ "ModelPath": "/models/a", "ModelId": "Qwen/Qwen2.5-0.5B-Instruct" }""", "ModelPath ('/models/a') and ModelId ('Qwen/Qwen2.5-0.5B-Instruct') are both set: set exactly one")]
    [InlineData("""{ "DType": "Float32" }""", "Neither ModelPath nor ModelId is set")]
    [InlineData("""{ "ModelId": "not a repo" }""", "ModelId: 'not a repo' is not of the form 'owner/name'")]
    [InlineData("""{ "ModelId": "a/b", "Revision": "../x" }""", "Revision: '../x' is not a valid git revision")]
    [InlineData("""{ "ModelId": "a/b", "Endpoint": "ftp://mirror" }""", "Endpoint: 'ftp://mirror/' is not an http or https URL")]
    [InlineData("""{ "ModelPath": "/m", "Revision": "main" }""", "Revision, CacheDirectory and Endpoint apply to ModelId")]
    [InlineData("""{ "ModelPath": "/m", "ChatTemplate": "jinja-magic" }""", "ChatTemplate: 'jinja-magic' is not a known template; use one of chatml,")]
    [InlineData("""{ "ModelPath": "/m", "Device": "tpu" }""", "Device: 'tpu' is not 'cpu', 'cuda' or 'cuda:N'")]
    [InlineData("""{ "ModelPath": "/m", "Threads": 0 }""", "Threads must be >= 1")]
    [InlineData("""{ "ModelPath": "/m", "MaxSequenceLength": -5 }""", "MaxSequenceLength must be >= 1")]
    [InlineData("""{ "ModelPath": "/m", "CacheSlots": 0, "MaxConcurrentRows": 1 }""", "CacheSlots must be at least 1")]
    [InlineData("""{ "ModelPath": "/m", "CacheSlots": 2, "MaxConcurrentRows": 3 }""", "MaxConcurrentRows (3) must not exceed CacheSlots (2)")]
    [InlineData("""{ "ModelPath": "/m", "MaxConcurrentRows": 0 }""", "MaxConcurrentRows must be at least 1")]
    [InlineData("""{ "ModelPath": "/m", "MaxQueuedRequests": -1 }""", "MaxQueuedRequests must be 0 or more")]
    [InlineData("""{ "ModelPath": "/m", "Defaults": { "MaxTokens": 0 } }""", "Defaults:MaxTokens must be an integer >= 1; got 0")]
    [InlineData("""{ "ModelPath": "/m", "Defaults": { "Steering": { "Beta": 2 } } }""", "Defaults:Steering:Beta must be in (0, 1]; got 2")]
    public void InvalidOptionsFailOnFirstUseNamingTheSettingAndWhatWasExpected(string json, string expected)
    {
        var services = new ServiceCollection();
        services.AddDirecterChatCompletion(Json(json), serviceId: "bad");
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredKeyedService<IChatCompletionService>("bad"));
        Assert.Contains("Directer connector options 'bad': " + expected, error.Message);
    }

    [Fact]
    public void EveryProblemIsListedAndTheStringOverloadChecksThePathAtRegistration()
    {
        var errors = new DirecterConnectorOptions { ModelId = "x y", Threads = 0, Defaults = new() { MaxTokens = 0 } }.GetValidationErrors();
        Assert.Equal(3, errors.Count);
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddDirecterChatCompletion(""));
        Assert.Empty(new DirecterConnectorOptions { ModelId = "Qwen/Qwen2.5-0.5B-Instruct", Revision = "refs/pr/3", Endpoint = "https://hf-mirror.com" }.GetValidationErrors());
    }

    [Fact]
    public async Task AMissingCheckpointFolderIsAClearErrorOnTheFirstRequest()
    {
        string missing = Path.Combine(Path.GetTempPath(), "directer-no-such-model-" + Guid.NewGuid().ToString("N"));
        var services = new ServiceCollection();
        services.AddDirecterChatClient(missing);
        using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IChatClient>();
        var error = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => client.GetResponseAsync("hi"));
        Assert.Contains($"ModelPath '{missing}'", error.Message);
        Assert.Contains("is not a folder", error.Message);

        // A failed load is not cached: the next request tries again (and fails the same way).
        await Assert.ThrowsAsync<DirectoryNotFoundException>(() => client.GetResponseAsync("hi"));
        Assert.Equal(0, provider.GetRequiredService<DirecterModelRegistry>().LoadedCount);
    }
}
