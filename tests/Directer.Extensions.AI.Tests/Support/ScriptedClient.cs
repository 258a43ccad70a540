using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Directer.Extensions.AI.Tests;

/// <summary>A service provider with a Directer client (and whatever <c>register</c> adds) over a <see cref="ScriptedCheckpoint"/> and a capturing logger.</summary>
internal sealed class ScriptedClient : IDisposable
{
    private readonly ServiceProvider provider;
    private readonly string folder;

    /// <param name="pieces">The reply the checkpoint writes.</param>
    /// <param name="configure">Connector options on top of the qwen2.5 template.</param>
    /// <param name="register">The registration (default <c>AddDirecterChatClient</c>; Semantic Kernel's tests pass theirs).</param>
    public ScriptedClient(string[] pieces, Action<DirecterConnectorOptions>? configure = null, Action<IServiceCollection, string, Action<DirecterConnectorOptions>>? register = null)
    {
        folder = ScriptedCheckpoint.Write(pieces);
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        (register ?? ((s, path, c) => s.AddDirecterChatClient(path, c)))(services, folder, o =>
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
