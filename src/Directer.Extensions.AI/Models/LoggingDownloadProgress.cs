using Directer.Core.Hub;
using Microsoft.Extensions.Logging;

namespace Directer.Extensions.AI;

/// <summary>Logs hub download progress (each file's completion, and every quarter at Debug) and forwards it to the user's progress.</summary>
internal sealed class LoggingDownloadProgress(ILogger logger, IProgress<HubDownloadProgress>? next) : IProgress<HubDownloadProgress>
{
    private readonly Dictionary<string, int> quarters = new(StringComparer.Ordinal);

    public void Report(HubDownloadProgress value)
    {
        switch (value.Status)
        {
            case HubFileStatus.Completed:
                logger.LogInformation("Downloaded {File} of {Repo} ({Number}/{Count}, {Bytes} bytes, verified)", value.FileName, value.RepoId, value.FileNumber, value.FileCount, value.BytesDone);
                break;
            case HubFileStatus.Cached:
                logger.LogDebug("{File} of {Repo} is in the cache ({Number}/{Count})", value.FileName, value.RepoId, value.FileNumber, value.FileCount);
                break;
            case HubFileStatus.Downloading when value.Fraction is double fraction:
                int quarter = (int)(fraction * 4);
                lock (quarters)
                {
                    if (quarters.TryGetValue(value.FileName, out int last) && last >= quarter)
                    {
                        break;
                    }

                    quarters[value.FileName] = quarter;
                }

                logger.LogDebug("Downloading {File} of {Repo}: {Percent:0}% of {Total} bytes", value.FileName, value.RepoId, fraction * 100, value.BytesTotal);
                break;
        }

        next?.Report(value);
    }
}
