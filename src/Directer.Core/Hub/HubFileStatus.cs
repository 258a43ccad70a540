namespace Directer.Core.Hub;

/// <summary>The state of one file in a <see cref="HubDownloadProgress"/> report.</summary>
public enum HubFileStatus
{
    /// <summary>The file is being downloaded (the first report of a file, then as bytes arrive).</summary>
    Downloading,

    /// <summary>The file was downloaded and verified (size and hash).</summary>
    Completed,

    /// <summary>The file was already in the cache; nothing was downloaded.</summary>
    Cached,
}
