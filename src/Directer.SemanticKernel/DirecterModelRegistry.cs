using System.Collections.Concurrent;
using Directer.Core.Chat;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Directer.SemanticKernel;

/// <summary>
/// Loads each model source once and shares it among every service registered for it (a model
/// takes hundreds of MB to GBs). Thread-safe; disposes the models with the container.
/// </summary>
public sealed class DirecterModelRegistry : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<ChatModel>> models = new(StringComparer.Ordinal);
    private readonly ILogger logger;

    /// <summary>Creates the registry.</summary>
    public DirecterModelRegistry(ILogger<DirecterModelRegistry>? logger = null) => this.logger = (ILogger?)logger ?? NullLogger.Instance;

    /// <summary>The model for <paramref name="options"/>' source, loading it on first use.</summary>
    public ChatModel Get(DirecterConnectorOptions options)
    {
        options.Validate();
        string key = $"{Path.GetFullPath(options.ModelPath)}|{options.DType}|{options.Device}|{options.ChatTemplate}|{options.MaxSequenceLength}";
        var lazy = models.GetOrAdd(key, _ => new Lazy<ChatModel>(() =>
        {
            logger.LogInformation("Loading Directer model from {Path} ({DType}, {Device})", options.ModelPath, options.DType, options.Device);
            var started = System.Diagnostics.Stopwatch.StartNew();
            var model = ChatModel.Load(options.ModelPath, options.ToChatModelOptions());
            logger.LogInformation("Loaded {ModelId}: {Layers} layers, template {Template}, in {Seconds:F1} s", model.ModelId, model.Model.LayerCount, model.Template.Name, started.Elapsed.TotalSeconds);
            return model;
        }, LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            models.TryRemove(key, out _); // a failed load is retried on the next request
            throw;
        }
    }

    /// <summary>Number of models loaded.</summary>
    public int LoadedCount => models.Values.Count(l => l.IsValueCreated);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var lazy in models.Values.Where(l => l.IsValueCreated))
        {
            lazy.Value.Dispose();
        }

        models.Clear();
    }
}
