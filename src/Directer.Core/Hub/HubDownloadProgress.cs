namespace Directer.Core.Hub;

/// <summary>Progress of one file of a hub download, reported through <see cref="IProgress{T}"/>.</summary>
/// <param name="RepoId">The repository.</param>
/// <param name="FileName">The file inside the repository.</param>
/// <param name="FileNumber">1-based number of the file among the <paramref name="FileCount"/> files fetched.</param>
/// <param name="FileCount">How many files the checkpoint needs.</param>
/// <param name="BytesDone">Bytes of the file on disk so far (a resumed download starts above 0).</param>
/// <param name="BytesTotal">The file's size; null when the hub did not say.</param>
/// <param name="Status">What is happening to the file.</param>
public readonly record struct HubDownloadProgress(
    string RepoId,
    string FileName,
    int FileNumber,
    int FileCount,
    long BytesDone,
    long? BytesTotal,
    HubFileStatus Status)
{
    /// <summary>Fraction done in [0, 1]; null when the size is unknown.</summary>
    public double? Fraction => BytesTotal is > 0 ? Math.Clamp(BytesDone / (double)BytesTotal.Value, 0, 1) : BytesTotal == 0 ? 1 : null;
}
