namespace Directer.Extensions.AI;

/// <summary>Names used in Directer's telemetry and logs.</summary>
public static class DirecterTelemetry
{
    /// <summary>The default ActivitySource and Meter name when <see cref="DirecterConnectorOptions.EnableTelemetry"/> is on.</summary>
    public const string DefaultSourceName = "Directer";

    /// <summary>The provider name in <c>ChatClientMetadata</c> and the <c>gen_ai.provider.name</c> tag.</summary>
    public const string ProviderName = "directer";

    /// <summary>Activity tag: the steering method used (directer, static, pasta, spotlight, instaboost).</summary>
    public const string SteeringMethodTag = "directer.steering.method";

    /// <summary>Activity tag: the share of decode steps whose token came from an accepted steered pass.</summary>
    public const string SteeredShareTag = "directer.steering.steered_share";

    /// <summary>Activity tag: prompt tokens served from a kept KV cache (prefix reuse) rather than prefilled.</summary>
    public const string CachedInputTokensTag = "directer.usage.cached_input_tokens";

    /// <summary>Activity tag: the most requests this one was decoded together with, itself included (continuous batching).</summary>
    public const string ConcurrentRequestsTag = "directer.batch.concurrent_requests";

    /// <summary>
    /// Activity tag: the most requests whose steered rows ran in one pass with this one's, itself included (0 = its
    /// steered passes never shared a pass; DIRECTER after the gate and static key scaling batch, other methods do not).
    /// </summary>
    public const string SteeredBatchRequestsTag = "directer.batch.steered_requests";

    /// <summary>Activity tag: how many emphasised token spans the prompt had.</summary>
    public const string EmphasisSpansTag = "directer.emphasis.spans";
}
