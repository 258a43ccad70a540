using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Directer.SemanticKernel;

/// <summary>DI registration of Directer's chat client and chat completion service.</summary>
public static class DirecterServiceCollectionExtensions
{
    /// <summary>
    /// Registers an <see cref="IChatClient"/> over the checkpoint at <paramref name="modelPath"/>
    /// (keyed by <paramref name="serviceId"/> when given). Models are loaded once, on first use.
    /// </summary>
    public static IServiceCollection AddDirecterChatClient(this IServiceCollection services, string modelPath, Action<DirecterConnectorOptions>? configure = null, string? serviceId = null)
    {
        var options = Options(modelPath, configure);
        services.TryAddSingleton<DirecterModelRegistry>();
        Func<IServiceProvider, DirecterChatClient> factory = sp => new DirecterChatClient(
            sp.GetRequiredService<DirecterModelRegistry>().Get(options), options.Defaults, sp.GetService<ILogger<DirecterChatClient>>());
        if (serviceId is null)
        {
            services.AddSingleton(factory);
            services.AddSingleton<IChatClient>(sp => sp.GetRequiredService<DirecterChatClient>());
        }
        else
        {
            services.AddKeyedSingleton<DirecterChatClient>(serviceId, (sp, _) => factory(sp));
            services.AddKeyedSingleton<IChatClient>(serviceId, (sp, key) => sp.GetRequiredKeyedService<DirecterChatClient>(key));
        }

        return services;
    }

    /// <summary>
    /// Registers Directer as Semantic Kernel's <see cref="IChatCompletionService"/> (and the
    /// <see cref="IChatClient"/> under it), keyed by <paramref name="serviceId"/> when given.
    /// </summary>
    public static IServiceCollection AddDirecterChatCompletion(this IServiceCollection services, string modelPath, Action<DirecterConnectorOptions>? configure = null, string? serviceId = null)
    {
        services.AddDirecterChatClient(modelPath, configure, serviceId);
        if (serviceId is null)
        {
            services.AddSingleton<IChatCompletionService>(sp => new DirecterChatCompletionService(sp.GetRequiredService<DirecterChatClient>(), sp, sp.GetService<ILoggerFactory>()));
        }
        else
        {
            services.AddKeyedSingleton<IChatCompletionService>(serviceId, (sp, key) => new DirecterChatCompletionService(sp.GetRequiredKeyedService<DirecterChatClient>(key), sp, sp.GetService<ILoggerFactory>()));
        }

        return services;
    }

    /// <summary>Kernel builder form of <see cref="AddDirecterChatCompletion(IServiceCollection, string, Action{DirecterConnectorOptions}?, string?)"/>.</summary>
    public static IKernelBuilder AddDirecterChatCompletion(this IKernelBuilder builder, string modelPath, Action<DirecterConnectorOptions>? configure = null, string? serviceId = null)
    {
        builder.Services.AddDirecterChatCompletion(modelPath, configure, serviceId);
        return builder;
    }

    /// <summary>Kernel builder form of <see cref="AddDirecterChatClient(IServiceCollection, string, Action{DirecterConnectorOptions}?, string?)"/>.</summary>
    public static IKernelBuilder AddDirecterChatClient(this IKernelBuilder builder, string modelPath, Action<DirecterConnectorOptions>? configure = null, string? serviceId = null)
    {
        builder.Services.AddDirecterChatClient(modelPath, configure, serviceId);
        return builder;
    }

    private static DirecterConnectorOptions Options(string modelPath, Action<DirecterConnectorOptions>? configure)
    {
        var options = new DirecterConnectorOptions { ModelPath = modelPath };
        configure?.Invoke(options);
        options.Validate();
        return options;
    }
}
