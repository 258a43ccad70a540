using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Directer.Extensions.AI.Tests;

public sealed class TelemetryTests
{
    private static string ModelId => Path.GetFileName(ChatCheckpoint.Path); // a folder's model id is its name
    private static (ServiceProvider Provider, ConcurrentQueue<Activity> Activities, ActivityListener Listener) Setup(string source)
    {
        var activities = new ConcurrentQueue<Activity>();
        var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var services = new ServiceCollection();
        services.AddDirecterChatClient(ChatCheckpoint.Path, o =>
        {
            o.EnableTelemetry = true;
            o.TelemetrySourceName = source;
            o.MaxSequenceLength = 256;
        });
        return (services.BuildServiceProvider(), activities, listener);
    }

    [Fact]
    public async Task ARequestProducesAnActivityWithGenAiTags()
    {
        string source = "Directer.Tests." + Guid.NewGuid().ToString("N");
        var (provider, activities, listener) = Setup(source);
        using (provider)
        using (listener)
        {
            var client = provider.GetRequiredService<IChatClient>();
            List<ChatMessage> messages = [new(ChatRole.System, "Answer in lowercase."), new(ChatRole.User, "hello world")];
            var response = await client.GetResponseAsync(messages, new ChatOptions { MaxOutputTokens = 4, AdditionalProperties = new() { ["beta"] = 1e-9 } });

            var activity = Assert.Single(activities);
            Assert.Equal("chat", activity.GetTagItem("gen_ai.operation.name"));
            Assert.Equal("directer", activity.GetTagItem("gen_ai.provider.name"));
            Assert.Equal(ModelId, activity.GetTagItem("gen_ai.request.model"));
            Assert.Equal(ModelId, activity.GetTagItem("gen_ai.response.model"));
            Assert.Equal(4, Convert.ToInt32(activity.GetTagItem("gen_ai.request.max_tokens")));
            Assert.Equal(response.Usage!.InputTokenCount, Convert.ToInt64(activity.GetTagItem("gen_ai.usage.input_tokens")));
            Assert.Equal(response.Usage.OutputTokenCount, Convert.ToInt64(activity.GetTagItem("gen_ai.usage.output_tokens")));
            Assert.Equal("directer", activity.GetTagItem(DirecterTelemetry.SteeringMethodTag));
            Assert.True(Convert.ToInt32(activity.GetTagItem(DirecterTelemetry.EmphasisSpansTag)) > 0);

            // Streaming gets its own activity with the usage of the last update.
            await foreach (var _ in client.GetStreamingResponseAsync(messages, new ChatOptions { MaxOutputTokens = 3 }))
            {
            }

            Assert.Equal(2, activities.Count);
            var streamed = activities.Last();
            Assert.Equal("chat", streamed.GetTagItem("gen_ai.operation.name"));
            Assert.InRange(Convert.ToInt64(streamed.GetTagItem("gen_ai.usage.output_tokens")), 1, 3);
        }
    }

    [Fact]
    public void MetadataNamesTheProviderAndModelThroughThePipeline()
    {
        string source = "Directer.Tests." + Guid.NewGuid().ToString("N");
        var (provider, _, listener) = Setup(source);
        using (provider)
        using (listener)
        {
            var client = provider.GetRequiredService<IChatClient>();
            Assert.IsNotType<DirecterChatClient>(client);
            var metadata = client.GetService<ChatClientMetadata>()!;
            Assert.Equal("directer", metadata.ProviderName);
            Assert.Equal(ModelId, metadata.DefaultModelId);
            Assert.Same(provider.GetRequiredService<DirecterChatClient>(), client.GetService<DirecterChatClient>());
        }

        var services = new ServiceCollection();
        services.AddDirecterChatClient(ChatCheckpoint.Path);
        using var plain = services.BuildServiceProvider();
        Assert.IsType<DirecterChatClient>(plain.GetRequiredService<IChatClient>());
    }
}
