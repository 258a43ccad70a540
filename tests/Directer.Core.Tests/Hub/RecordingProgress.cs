using System.Collections.Concurrent;
using Directer.Core.Hub;

namespace Directer.Core.Tests.Hub;

/// <summary>An <see cref="IProgress{T}"/> that records reports synchronously, optionally running an action on each.</summary>
internal sealed class RecordingProgress(Action<HubDownloadProgress>? onReport = null) : IProgress<HubDownloadProgress>
{
    private readonly ConcurrentQueue<HubDownloadProgress> reports = new();

    public IReadOnlyList<HubDownloadProgress> Reports => reports.ToArray();

    public void Report(HubDownloadProgress value)
    {
        reports.Enqueue(value);
        onReport?.Invoke(value);
    }
}
