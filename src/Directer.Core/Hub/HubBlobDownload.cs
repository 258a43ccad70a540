using System.Net;
using Microsoft.Extensions.Logging;

namespace Directer.Core.Hub;

/// <summary>
/// Downloads one blob into <c>blobs/&lt;etag&gt;.incomplete</c>, resuming with an HTTP Range request after a dropped
/// connection (within this call, and in a later call from what is on disk), then checks its size and hash before it
/// becomes <c>blobs/&lt;etag&gt;</c>. A file that fails the check is deleted, never kept as complete. The open
/// <c>.incomplete</c> file is the lock between processes downloading the same blob.
/// </summary>
internal sealed class HubBlobDownload(HubHttp http, HubCacheLayout layout, int maxRetries, long maxUnknownSize, ILogger logger)
{
    private const int BufferSize = 1 << 16;

    /// <summary>Downloads <paramref name="file"/>; returns the bytes fetched over the network.</summary>
    public async Task<long> RunAsync(HubFileMetadata file, string revision, Action<long> onProgress, CancellationToken cancellationToken)
    {
        string blob = layout.BlobPath(file.Etag.Value);
        string incomplete = layout.IncompletePath(file.Etag.Value);
        Directory.CreateDirectory(layout.BlobsFolder);
        FileStream? stream = await LockAsync(incomplete, blob, file.FileName, cancellationToken).ConfigureAwait(false);
        if (stream is null)
        {
            return 0; // another process finished it while we waited
        }

        long fetched = 0;
        bool verified = false;
        try
        {
            if (stream.Length > 0)
            {
                logger.LogInformation("Resuming {File} of {Repo} at byte {Offset}", file.FileName, layout.RepoId, stream.Length);
            }

            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    fetched += await FetchAsync(file, revision, stream, onProgress, cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (HubTransientException e) when (attempt < maxRetries)
                {
                    logger.LogWarning("Download of {File} of {Repo} interrupted at byte {Offset} ({Reason}); retrying ({Attempt}/{Max})", file.FileName, layout.RepoId, stream.Length, e.Message, attempt + 1, maxRetries);
                    await Task.Delay(TimeSpan.FromMilliseconds(250 * (1 << attempt)), cancellationToken).ConfigureAwait(false);
                }
                catch (HubTransientException e)
                {
                    throw new HubException(
                        $"Downloading '{file.FileName}' of '{layout.RepoId}' failed after {maxRetries + 1} attempts: {e.Message}. The {stream.Length} bytes received are kept in '{incomplete}', and the next attempt resumes from there.",
                        layout.RepoId, file.FileName, innerException: e);
                }
            }

            await VerifyAsync(file, stream, incomplete, cancellationToken).ConfigureAwait(false);
            verified = true;
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            if (!verified && File.Exists(incomplete) && new FileInfo(incomplete).Length == 0)
            {
                File.Delete(incomplete);
            }
        }

        File.Move(incomplete, blob, overwrite: true);
        return fetched;
    }

    private async Task<long> FetchAsync(HubFileMetadata file, string revision, FileStream stream, Action<long> onProgress, CancellationToken cancellationToken)
    {
        long offset = stream.Length;
        if (file.Size is long size && offset >= size)
        {
            if (offset == size)
            {
                return 0;
            }

            stream.SetLength(0);
            offset = 0;
        }

        HttpResponseMessage sent;
        try
        {
            sent = await http.SendAsync(HttpMethod.Get, file.DownloadUri, offset > 0 ? offset : null, null, cancellationToken).ConfigureAwait(false);
        }
        catch (HubUnreachableException e)
        {
            throw new HubTransientException(e.Message, e);
        }

        using var response = sent;
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            stream.SetLength(0);
            throw new HubTransientException("the server refused to resume (416); starting over");
        }

        if (HubHttp.IsTransient(response.StatusCode))
        {
            throw new HubTransientException($"the server answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw http.Error(response, layout.RepoId, revision, file.FileName);
        }

        if (offset > 0 && (response.StatusCode != HttpStatusCode.PartialContent || response.Content.Headers.ContentRange?.From != offset))
        {
            logger.LogInformation("The server did not resume {File} at byte {Offset}; downloading it from the start", file.FileName, offset);
            stream.SetLength(0);
            offset = 0;
        }

        stream.Position = offset;
        onProgress(offset);
        long fetched = 0;
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            var buffer = new byte[BufferSize];
            using var read = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            while (true)
            {
                read.CancelAfter(http.Timeout);
                int n;
                try
                {
                    n = await body.ReadAsync(buffer, read.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new HubTransientException($"no data for {http.Timeout.TotalSeconds:0.#} s", e);
                }
                catch (IOException e)
                {
                    throw new HubTransientException($"the connection dropped ({e.Message})", e);
                }
                catch (HttpRequestException e)
                {
                    throw new HubTransientException($"the connection dropped ({e.Message})", e);
                }

                if (n == 0)
                {
                    break;
                }

                // Never write past the stated size, nor past the cap when no size was stated: the hash check comes
                // only at the end, so an endless or oversized body must be stopped here.
                long limit = file.Size ?? maxUnknownSize;
                if (stream.Position + n > limit)
                {
                    stream.SetLength(0);
                    throw new HubException(
                        file.Size is long stated
                            ? $"Downloading '{file.FileName}' of '{layout.RepoId}': the server sent more than the {stated} bytes the hub stated; the partial file was deleted."
                            : $"Downloading '{file.FileName}' of '{layout.RepoId}': the hub did not state its size and the server sent more than {maxUnknownSize} bytes (HubClientOptions.MaxUnknownSizeBytes); stopped and deleted the partial file. Raise the limit if the file is really that large.",
                        layout.RepoId,
                        file.FileName);
                }

                await stream.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                fetched += n;
                onProgress(stream.Position);
            }
        }

        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (file.Size is long expected && stream.Length < expected)
        {
            throw new HubTransientException($"the response ended at byte {stream.Length} of {expected}");
        }

        return fetched;
    }

    private async Task VerifyAsync(HubFileMetadata file, FileStream stream, string incomplete, CancellationToken cancellationToken)
    {
        string? problem = null;
        if (file.Size is long size && stream.Length != size)
        {
            problem = $"it has {stream.Length} bytes, the hub says {size}";
        }
        else if (file.Etag.CreateHasher(file.Size) is { } hasher)
        {
            using (hasher)
            {
                stream.Position = 0;
                var buffer = new byte[1 << 20];
                int n;
                while ((n = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hasher.AppendData(buffer, 0, n);
                }

                string actual = Convert.ToHexStringLower(hasher.GetHashAndReset());
                if (actual != file.Etag.Value)
                {
                    problem = $"its {file.Etag.Description} is {actual}, the hub says {file.Etag.Value}";
                }
            }
        }

        if (problem is not null)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            File.Delete(incomplete);
            throw new HubException(
                $"Downloaded '{file.FileName}' of '{layout.RepoId}' is damaged: {problem}. The download was deleted, not kept; run again to fetch it afresh (if it keeps failing, a proxy or mirror is altering the file).",
                layout.RepoId, file.FileName);
        }
    }

    private async Task<FileStream?> LockAsync(string incomplete, string blob, string fileName, CancellationToken cancellationToken)
    {
        bool logged = false;
        while (true)
        {
            try
            {
                return new FileStream(incomplete, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, BufferSize, FileOptions.Asynchronous);
            }
            catch (IOException e) when ((e.HResult & 0xFFFF) is 32 or 33 or 11 or 35) // sharing violation (Windows), EWOULDBLOCK from flock (Linux 11, macOS 35)
            {
                if (File.Exists(blob))
                {
                    return null;
                }

                if (!logged)
                {
                    logger.LogInformation("Waiting for another download of {File} of {Repo} ('{Path}' is in use)", fileName, layout.RepoId, incomplete);
                    logged = true;
                }

                await Task.Delay(500, cancellationToken).ConfigureAwait(false);
                if (File.Exists(blob))
                {
                    return null;
                }
            }
        }
    }
}
