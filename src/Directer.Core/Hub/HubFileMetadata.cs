namespace Directer.Core.Hub;

/// <summary>What a HEAD of <c>/{repo}/resolve/{commit}/{file}</c> says about one file.</summary>
/// <param name="FileName">The file inside the repository.</param>
/// <param name="Etag">Its etag (SHA-256 for LFS files, git blob SHA-1 otherwise).</param>
/// <param name="Size">Its size; null when the hub did not say.</param>
/// <param name="DownloadUri">Where to GET it (the CDN location for LFS files).</param>
internal sealed record HubFileMetadata(string FileName, HubEtag Etag, long? Size, Uri DownloadUri);
