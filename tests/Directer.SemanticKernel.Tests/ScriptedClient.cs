using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Directer.SemanticKernel.Tests;

/// <summary>A service provider with a Directer client over a <see cref="ScriptedCheckpoint"/> and a capturing logger.</summary>
internal sealed class ScriptedClient : IDisposable
{
    private readonly ServiceProvider provider;
    private readonly string folder;

    public ScriptedClient(string[] pieces, Action<DirecterConnectorOptions>? configure = null)
    {
        folder = ScriptedCheckpoint.Write(pieces);
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        services.AddDirecterChatCompletion(folder, o =>
        {
            o.ChatTemplate = "qwen2.5";
            configure?.Invoke(o);
        });
        provider = services.BuildServiceProvider();
    }

    public CapturingLoggerProvider Logs { get; } = new();

    public IServiceProvider Services => provider;

    public IChatClient Client => provider.GetRequiredService<IChatClient>();

    public IReadOnlyList<CapturingLoggerProvider.Entry> ClientLogs(LogLevel? level = null) =>
        Logs.Entries.Where(e => e.Category == typeof(DirecterChatClient).FullName && (level is null || e.Level == level)).ToList();

    public void Dispose()
    {
        provider.Dispose();
        Directory.Delete(folder, recursive: true);
    }
}
