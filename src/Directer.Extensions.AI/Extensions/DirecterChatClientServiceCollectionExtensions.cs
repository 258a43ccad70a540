using Directer.Extensions.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// DI registration of Directer's <see cref="IChatClient"/>. Options use the options pattern (named by the service id;
/// validated when first resolved, failing with an <see cref="OptionsValidationException"/> that names each bad
/// setting). A null service id registers the default (unkeyed) client, any other the keyed one. Every client on the
/// same model source shares one loaded model (<see cref="DirecterModelRegistry"/>), downloaded (for a hub id) and
/// loaded on the first request or <see cref="DirecterChatClient.LoadAsync"/>.
/// </summary>
public static class DirecterChatClientServiceCollectionExtensions
{
    /// <summary>Registers an <see cref="IChatClient"/> over the checkpoint folder <paramref name="modelPath"/>.</summary>
    public static IServiceCollection AddDirecterChatClient(this IServiceCollection services, string modelPath, Action<DirecterConnectorOptions>? configure = null, string? serviceId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        return services.AddDirecterChatClient(o =>
        {
            o.ModelPath = modelPath;
            configure?.Invoke(o);
        }, serviceId);
    }

    /// <summary>Registers an <see cref="IChatClient"/> configured by <paramref name="configure"/> (ModelPath or ModelId, …).</summary>
    public static IServiceCollection AddDirecterChatClient(this IServiceCollection services, Action<DirecterConnectorOptions> configure, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<DirecterConnectorOptions>(OptionsName(serviceId)).Configure(configure);
        return Register(services, serviceId);
    }

    /// <summary>
    /// Registers an <see cref="IChatClient"/> configured from a configuration section (keys are the
    /// <see cref="DirecterConnectorOptions"/> property names: <c>ModelId</c>, <c>Revision</c>, <c>ModelPath</c>, …).
    /// </summary>
    public static IServiceCollection AddDirecterChatClient(this IServiceCollection services, IConfiguration configuration, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<DirecterConnectorOptions>(OptionsName(serviceId)).Bind(configuration);
        return Register(services, serviceId);
    }

    /// <summary>
    /// The Directer client registered under <paramref name="serviceId"/> as served: itself, or wrapped in OpenTelemetry
    /// when its options ask for it (what a layer above, such as Semantic Kernel's service, builds on).
    /// </summary>
    public static IChatClient GetRequiredDirecterChatClient(this IServiceProvider services, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var client = services.GetRequiredKeyedService<DirecterChatClient>(serviceId);
        var options = services.GetRequiredService<IOptionsMonitor<DirecterConnectorOptions>>().Get(OptionsName(serviceId));
        return !options.EnableTelemetry ? client : client.AsBuilder()
            .UseOpenTelemetry(services.GetService<ILoggerFactory>(), options.TelemetrySourceName ?? DirecterTelemetry.DefaultSourceName, c => c.EnableSensitiveData = options.EnableSensitiveTelemetryData)
            .Build(services);
    }

    /// <summary>The options name of a registration: its service id, or the default name.</summary>
    private static string OptionsName(string? serviceId) => serviceId ?? Options.Options.DefaultName;

    private static IServiceCollection Register(IServiceCollection services, string? serviceId)
    {
        services.TryAddSingleton<DirecterModelRegistry>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DirecterConnectorOptions>, DirecterConnectorOptionsValidator>());

        // A null key registers the unkeyed service: one registration serves both.
        services.AddKeyedSingleton(serviceId, (sp, _) => new DirecterChatClient(
            sp.GetRequiredService<DirecterModelRegistry>(),
            sp.GetRequiredService<IOptionsMonitor<DirecterConnectorOptions>>().Get(OptionsName(serviceId)),
            sp.GetService<ILogger<DirecterChatClient>>()));
        services.AddKeyedSingleton(serviceId, (sp, _) => sp.GetRequiredDirecterChatClient(serviceId));
        return services;
    }
}
