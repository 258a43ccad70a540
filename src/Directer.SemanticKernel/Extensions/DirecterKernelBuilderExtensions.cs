using Directer.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.SemanticKernel;

/// <summary>Kernel builder forms of the Directer registrations (<see cref="DirecterServiceCollectionExtensions"/>).</summary>
public static class DirecterKernelBuilderExtensions
{
    /// <summary>Registers Directer's chat completion service over the checkpoint folder <paramref name="modelPath"/>.</summary>
    public static IKernelBuilder AddDirecterChatCompletion(this IKernelBuilder builder, string modelPath, Action<DirecterConnectorOptions>? configure = null, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDirecterChatCompletion(modelPath, configure, serviceId);
        return builder;
    }

    /// <summary>Registers Directer's chat completion service configured by <paramref name="configure"/>.</summary>
    public static IKernelBuilder AddDirecterChatCompletion(this IKernelBuilder builder, Action<DirecterConnectorOptions> configure, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDirecterChatCompletion(configure, serviceId);
        return builder;
    }

    /// <summary>Registers Directer's chat completion service configured from a configuration section.</summary>
    public static IKernelBuilder AddDirecterChatCompletion(this IKernelBuilder builder, IConfiguration configuration, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDirecterChatCompletion(configuration, serviceId);
        return builder;
    }

    /// <summary>Registers Directer's <c>IChatClient</c> over the checkpoint folder <paramref name="modelPath"/>.</summary>
    public static IKernelBuilder AddDirecterChatClient(this IKernelBuilder builder, string modelPath, Action<DirecterConnectorOptions>? configure = null, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDirecterChatClient(modelPath, configure, serviceId);
        return builder;
    }

    /// <summary>Registers Directer's <c>IChatClient</c> configured by <paramref name="configure"/>.</summary>
    public static IKernelBuilder AddDirecterChatClient(this IKernelBuilder builder, Action<DirecterConnectorOptions> configure, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDirecterChatClient(configure, serviceId);
        return builder;
    }

    /// <summary>Registers Directer's <c>IChatClient</c> configured from a configuration section.</summary>
    public static IKernelBuilder AddDirecterChatClient(this IKernelBuilder builder, IConfiguration configuration, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDirecterChatClient(configuration, serviceId);
        return builder;
    }
}
