namespace Directer.Core.Hub;

/// <summary>A checkpoint folder in the hub cache, complete and ready to load.</summary>
/// <param name="RepoId">The repository.</param>
/// <param name="Revision">The revision asked for.</param>
/// <param name="Commit">The commit it resolved to.</param>
/// <param name="Directory">The snapshot folder (<c>…/models--owner--name/snapshots/&lt;commit&gt;</c>).</param>
/// <param name="Files">The checkpoint's files in the folder.</param>
/// <param name="BytesDownloaded">Bytes fetched by this call (0 when everything was cached).</param>
/// <param name="FromCacheOnly">True when the hub was not asked (offline, or unreachable with a complete cache).</param>
public sealed record HubSnapshot(
    string RepoId,
    string Revision,
    string Commit,
    string Directory,
    IReadOnlyList<string> Files,
    long BytesDownloaded,
    bool FromCacheOnly);
