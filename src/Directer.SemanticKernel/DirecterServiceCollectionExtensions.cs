using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Directer.SemanticKernel;

/// <summary>
/// DI registration of Directer's chat client and chat completion service. Options use the options pattern
/// (named by the service id; validated when first resolved, failing with an <see cref="OptionsValidationException"/>
/// that names each bad setting). Every service on the same model source shares one loaded model, downloaded
/// (for a hub id) and loaded on the first request or <see cref="DirecterChatClient.LoadAsync"/>.
/// </summary>
public static class DirecterServiceCollectionExtensions
{
    /// <summary>
    /// Registers an <see cref="IChatClient"/> over the checkpoint folder <paramref name="modelPath"/>
    /// (keyed by <paramref name="serviceId"/> when given).
    /// </summary>
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
    /// Registers Directer as Semantic Kernel's <see cref="IChatCompletionService"/> (and the
    /// <see cref="IChatClient"/> under it) over the checkpoint folder <paramref name="modelPath"/>,
    /// keyed by <paramref name="serviceId"/> when given.
    /// </summary>
    public static IServiceCollection AddDirecterChatCompletion(this IServiceCollection services, string modelPath, Action<DirecterConnectorOptions>? configure = null, string? serviceId = null)
    {
        services.AddDirecterChatClient(modelPath, configure, serviceId);
        return AddCompletion(services, serviceId);
    }

    /// <summary>Registers Directer as Semantic Kernel's <see cref="IChatCompletionService"/>, configured by <paramref name="configure"/>.</summary>
    public static IServiceCollection AddDirecterChatCompletion(this IServiceCollection services, Action<DirecterConnectorOptions> configure, string? serviceId = null)
    {
        services.AddDirecterChatClient(configure, serviceId);
        return AddCompletion(services, serviceId);
    }

    /// <summary>
    /// Registers Directer as Semantic Kernel's <see cref="IChatCompletionService"/>, configured from a configuration
    /// section: <c>services.AddDirecterChatCompletion(configuration.GetSection("Directer"))</c>.
    /// </summary>
    public static IServiceCollection AddDirecterChatCompletion(this IServiceCollection services, IConfiguration configuration, string? serviceId = null)
    {
        services.AddDirecterChatClient(configuration, serviceId);
        return AddCompletion(services, serviceId);
    }

    /// <summary>Kernel builder form of <see cref="AddDirecterChatCompletion(IServiceCollection, string, Action{DirecterConnectorOptions}?, string?)"/>.</summary>
    public static IKernelBuilder AddDirecterChatCompletion(this IKernelBuilder builder, string modelPath, Action<DirecterConnectorOptions>? configure = null, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDirecterChatCompletion(modelPath, configure, serviceId);
        return builder;
    }

    /// <summary>Kernel builder form of <see cref="AddDirecterChatCompletion(IServiceCollection, Action{DirecterConnectorOptions}, string?)"/>.</summary>
    public static IKernelBuilder AddDirecterChatCompletion(this IKernelBuilder builder, Action<DirecterConnectorOptions> configure, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDirecterChatCompletion(configure, serviceId);
        return builder;
    }

    /// <summary>Kernel builder form of <see cref="AddDirecterChatCompletion(IServiceCollection, IConfiguration, string?)"/>.</summary>
    public static IKernelBuilder AddDirecterChatCompletion(this IKernelBuilder builder, IConfiguration configuration, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDirecterChatCompletion(configuration, serviceId);
        return builder;
    }

    /// <summary>Kernel builder form of <see cref="AddDirecterChatClient(IServiceCollection, string, Action{DirecterConnectorOptions}?, string?)"/>.</summary>
    public static IKernelBuilder AddDirecterChatClient(this IKernelBuilder builder, string modelPath, Action<DirecterConnectorOptions>? configure = null, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDirecterChatClient(modelPath, configure, serviceId);
        return builder;
    }

    /// <summary>Kernel builder form of <see cref="AddDirecterChatClient(IServiceCollection, Action{DirecterConnectorOptions}, string?)"/>.</summary>
    public static IKernelBuilder AddDirecterChatClient(this IKernelBuilder builder, Action<DirecterConnectorOptions> configure, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDirecterChatClient(configure, serviceId);
        return builder;
    }

    /// <summary>Kernel builder form of <see cref="AddDirecterChatClient(IServiceCollection, IConfiguration, string?)"/>.</summary>
    public static IKernelBuilder AddDirecterChatClient(this IKernelBuilder builder, IConfiguration configuration, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDirecterChatClient(configuration, serviceId);
        return builder;
    }

    /// <summary>The options name of a registration: its service id, or the default name.</summary>
    internal static string OptionsName(string? serviceId) => serviceId ?? Options.DefaultName;

    private static IServiceCollection Register(IServiceCollection services, string? serviceId)
    {
        services.TryAddSingleton<DirecterModelRegistry>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DirecterConnectorOptions>, DirecterConnectorOptionsValidator>());
        string name = OptionsName(serviceId);
        DirecterChatClient Client(IServiceProvider sp) => new(
            sp.GetRequiredService<DirecterModelRegistry>(),
            sp.GetRequiredService<IOptionsMonitor<DirecterConnectorOptions>>().Get(name),
            sp.GetService<ILogger<DirecterChatClient>>());
        if (serviceId is null)
        {
            services.AddSingleton(Client);
            services.AddSingleton<IChatClient>(sp => Pipeline(sp, name, sp.GetRequiredService<DirecterChatClient>()));
        }
        else
        {
            services.AddKeyedSingleton<DirecterChatClient>(serviceId, (sp, _) => Client(sp));
            services.AddKeyedSingleton<IChatClient>(serviceId, (sp, key) => Pipeline(sp, name, sp.GetRequiredKeyedService<DirecterChatClient>(key)));
        }

        return services;
    }

    /// <summary>The registered client as served: itself, or wrapped in OpenTelemetry when the options ask for it.</summary>
    private static IChatClient Pipeline(IServiceProvider sp, string name, DirecterChatClient client)
    {
        var options = sp.GetRequiredService<IOptionsMonitor<DirecterConnectorOptions>>().Get(name);
        if (!options.EnableTelemetry)
        {
            return client;
        }

        return client.AsBuilder()
            .UseOpenTelemetry(sp.GetService<ILoggerFactory>(), options.TelemetrySourceName ?? DirecterTelemetry.DefaultSourceName, c => c.EnableSensitiveData = options.EnableSensitiveTelemetryData)
            .Build(sp);
    }

    private static IServiceCollection AddCompletion(IServiceCollection services, string? serviceId)
    {
        string name = OptionsName(serviceId);
        if (serviceId is null)
        {
            services.AddSingleton<IChatCompletionService>(sp => new DirecterChatCompletionService(Pipeline(sp, name, sp.GetRequiredService<DirecterChatClient>()), sp, sp.GetService<ILoggerFactory>()));
        }
        else
        {
            services.AddKeyedSingleton<IChatCompletionService>(serviceId, (sp, key) => new DirecterChatCompletionService(Pipeline(sp, name, sp.GetRequiredKeyedService<DirecterChatClient>(key)), sp, sp.GetService<ILoggerFactory>()));
        }

        return services;
    }
}
