using Directer.Extensions.AI;
using Directer.SemanticKernel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Microsoft.SemanticKernel;

/// <summary>
/// Registers Directer as Semantic Kernel's <see cref="IChatCompletionService"/>, over the <c>IChatClient</c> that
/// <see cref="DirecterChatClientServiceCollectionExtensions"/> registers (same options, same shared model). A null
/// service id registers the default (unkeyed) service, any other the keyed one.
/// </summary>
public static class DirecterServiceCollectionExtensions
{
    /// <summary>Registers the service over the checkpoint folder <paramref name="modelPath"/>.</summary>
    public static IServiceCollection AddDirecterChatCompletion(this IServiceCollection services, string modelPath, Action<DirecterConnectorOptions>? configure = null, string? serviceId = null) =>
        services.AddDirecterChatClient(modelPath, configure, serviceId).AddCompletion(serviceId);

    /// <summary>Registers the service configured by <paramref name="configure"/> (ModelPath or ModelId, …).</summary>
    public static IServiceCollection AddDirecterChatCompletion(this IServiceCollection services, Action<DirecterConnectorOptions> configure, string? serviceId = null) =>
        services.AddDirecterChatClient(configure, serviceId).AddCompletion(serviceId);

    /// <summary>
    /// Registers the service configured from a configuration section:
    /// <c>services.AddDirecterChatCompletion(configuration.GetSection("Directer"))</c>.
    /// </summary>
    public static IServiceCollection AddDirecterChatCompletion(this IServiceCollection services, IConfiguration configuration, string? serviceId = null) =>
        services.AddDirecterChatClient(configuration, serviceId).AddCompletion(serviceId);

    private static IServiceCollection AddCompletion(this IServiceCollection services, string? serviceId) =>
        services.AddKeyedSingleton<IChatCompletionService>(serviceId, (sp, _) =>
            new DirecterChatCompletionService(sp.GetRequiredDirecterChatClient(serviceId), sp, sp.GetService<ILoggerFactory>()));
}
