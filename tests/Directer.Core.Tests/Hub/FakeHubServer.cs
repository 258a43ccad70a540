using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Directer.Core.Tests.Hub;

/// <summary>
/// A real HTTP/1.1 server on 127.0.0.1 (a <see cref="TcpListener"/>, one request per connection) that answers like the
/// Hugging Face hub: <c>GET /api/models/{repo}/revision/{rev}</c> (sha, siblings), <c>HEAD|GET /{repo}/resolve/{rev}/{file}</c>
/// (LFS files: 302 to a CDN URL on another host name with <c>X-Linked-Etag</c>/<c>X-Linked-Size</c>; git files: 200 with a
/// git-SHA-1 <c>ETag</c>), and the CDN's <c>GET /cdn/{sha256}</c> with HTTP Range. Faults can be injected per file.
/// </summary>
internal sealed class FakeHubServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly ConcurrentDictionary<string, FakeHubRepo> repos = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FakeHubRequest> requests = new();
    private readonly ConcurrentDictionary<string, int> cuts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> corrupt = new(StringComparer.Ordinal);
    private readonly Task loop;

    public FakeHubServer()
    {
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        loop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    /// <summary>The hub's base URL (127.0.0.1). The CDN is the same server under the name <c>localhost</c>, a different host for the client.</summary>
    public Uri Endpoint => new($"http://127.0.0.1:{Port}");

    /// <summary>When set, hub requests (not CDN ones) need <c>Authorization: Bearer {RequiredToken}</c>.</summary>
    public string? RequiredToken { get; set; }

    public IReadOnlyList<FakeHubRequest> Requests => requests.ToArray();

    /// <summary>When set, the CDN answers 503 Service Unavailable.</summary>
    public bool CdnUnavailable { get; set; }

    /// <summary>Names of (git) files served without any size: HEAD has no Content-Length and GET streams bytes until the client hangs up.</summary>
    public ConcurrentDictionary<string, bool> Endless { get; } = new(StringComparer.Ordinal);

    public FakeHubRepo Add(FakeHubRepo repo)
    {
        repos[repo.RepoId] = repo;
        return repo;
    }

    /// <summary>The next GET of <paramref name="fileName"/>'s content sends its full Content-Length but only <paramref name="afterBytes"/> bytes, then closes.</summary>
    public void CutOnce(string fileName, int afterBytes) => cuts[fileName] = afterBytes;

    /// <summary>GETs of <paramref name="fileName"/> serve different bytes of the same size (the etag stays the original's).</summary>
    public void Corrupt(string fileName, bool on = true)
    {
        if (on)
        {
            corrupt[fileName] = true;
        }
        else
        {
            corrupt.TryRemove(fileName, out _);
        }
    }

    public async Task StopAsync()
    {
        if (!stop.IsCancellationRequested)
        {
            await stop.CancelAsync();
            listener.Stop();
            try
            {
                await loop;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        await HandleAsync(client.GetStream());
                    }
                    catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
                    {
                    }
                }
            });
        }
    }

    private async Task HandleAsync(NetworkStream stream)
    {
        var head = await ReadHeadAsync(stream);
        if (head is null)
        {
            return;
        }

        string[] lines = head.Split("\r\n");
        string[] first = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in lines.Skip(1).Where(l => l.Contains(':')))
        {
            int colon = line.IndexOf(':');
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        var request = new FakeHubRequest(first[0], first[1], headers);
        requests.Enqueue(request);
        await RouteAsync(stream, request);
    }

    private async Task RouteAsync(NetworkStream stream, FakeHubRequest request)
    {
        string path = request.Path.Split('?')[0];
        bool head = request.Method == "HEAD";
        if (path.StartsWith("/cdn/", StringComparison.Ordinal))
        {
            if (CdnUnavailable)
            {
                await RespondAsync(stream, 503, "Service Unavailable", new(), []);
                return;
            }

            var (repo, name) = repos.Values.SelectMany(r => r.FileNames.Select(n => (r, n))).FirstOrDefault(x => x.r.TryGet(x.n, out var b) && FakeHubRepo.Sha256(b) == path[5..]);
            if (repo is null || !repo.TryGet(name, out byte[] cdnBytes))
            {
                await RespondAsync(stream, 404, "Not Found", new(), []);
                return;
            }

            await ServeContentAsync(stream, request, name, cdnBytes, new() { ["ETag"] = $"\"{path[5..]}\"" }, head);
            return;
        }

        if (RequiredToken is not null && request.Header("Authorization") != $"Bearer {RequiredToken}")
        {
            await RespondAsync(stream, 401, "Unauthorized", new() { ["X-Error-Code"] = "RepoNotFound", ["X-Error-Message"] = "Invalid username or password." }, head ? [] : "{\"error\":\"Invalid username or password.\"}"u8.ToArray());
            return;
        }

        const string api = "/api/models/";
        if (path.StartsWith(api, StringComparison.Ordinal))
        {
            string rest = path[api.Length..];
            int at = rest.IndexOf("/revision/", StringComparison.Ordinal);
            if (at < 0 || !repos.TryGetValue(rest[..at], out var repo))
            {
                await RespondAsync(stream, 401, "Unauthorized", new() { ["X-Error-Code"] = "RepoNotFound", ["X-Error-Message"] = "Repository not found" }, []);
                return;
            }

            string revision = Uri.UnescapeDataString(rest[(at + "/revision/".Length)..]);
            if (!repo.Resolves(revision))
            {
                await RespondAsync(stream, 404, "Not Found", new() { ["X-Error-Code"] = "RevisionNotFound", ["X-Error-Message"] = $"Invalid rev id: {revision}" }, []);
                return;
            }

            var json = JsonSerializer.SerializeToUtf8Bytes(new { id = repo.RepoId, sha = repo.Commit, siblings = repo.FileNames.Select(n => new { rfilename = n }).ToArray() });
            await RespondAsync(stream, 200, "OK", new() { ["Content-Type"] = "application/json" }, head ? [] : json, json.Length);
            return;
        }

        int resolve = path.IndexOf("/resolve/", StringComparison.Ordinal);
        if (resolve > 0 && repos.TryGetValue(path[1..resolve], out var owner))
        {
            string[] parts = path[(resolve + "/resolve/".Length)..].Split('/', 2);
            string revision = Uri.UnescapeDataString(parts[0]);
            string name = string.Join('/', parts[1].Split('/').Select(Uri.UnescapeDataString));
            if (!owner.Resolves(revision))
            {
                await RespondAsync(stream, 404, "Not Found", new() { ["X-Error-Code"] = "RevisionNotFound" }, []);
                return;
            }

            if (!owner.TryGet(name, out byte[] bytes))
            {
                await RespondAsync(stream, 404, "Not Found", new() { ["X-Error-Code"] = "EntryNotFound" }, []);
                return;
            }

            var common = new Dictionary<string, string> { ["X-Repo-Commit"] = owner.Commit };
            if (FakeHubRepo.IsLfs(name))
            {
                string sha = FakeHubRepo.Sha256(bytes);
                common["X-Linked-Etag"] = $"\"{sha}\"";
                common["X-Linked-Size"] = bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
                common["ETag"] = $"\"{sha}\"";
                common["Location"] = $"http://localhost:{Port}/cdn/{sha}?name={Uri.EscapeDataString(name)}";
                await RespondAsync(stream, 302, "Found", common, []);
                return;
            }

            common["ETag"] = $"W/\"{FakeHubRepo.GitBlobSha1(bytes)}\"";
            if (Endless.ContainsKey(name))
            {
                await ServeEndlessAsync(stream, common, head);
                return;
            }

            await ServeContentAsync(stream, request, name, bytes, common, head);
            return;
        }

        await RespondAsync(stream, 404, "Not Found", new() { ["X-Error-Code"] = "RepoNotFound" }, []);
    }

    private async Task ServeContentAsync(NetworkStream stream, FakeHubRequest request, string name, byte[] bytes, Dictionary<string, string> headers, bool head)
    {
        if (!head && corrupt.ContainsKey(name))
        {
            bytes = bytes.Select(b => (byte)(b ^ 0x5A)).ToArray();
        }

        long from = 0;
        int status = 200;
        string reason = "OK";
        if (request.Header("Range") is { } range && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
        {
            from = long.Parse(range[6..^1], System.Globalization.CultureInfo.InvariantCulture);
            if (from >= bytes.Length)
            {
                await RespondAsync(stream, 416, "Range Not Satisfiable", new() { ["Content-Range"] = $"bytes */{bytes.Length}" }, []);
                return;
            }

            status = 206;
            reason = "Partial Content";
            headers["Content-Range"] = $"bytes {from}-{bytes.Length - 1}/{bytes.Length}";
        }

        byte[] body = bytes[(int)from..];
        if (!head && cuts.TryRemove(name, out int cut))
        {
            await RespondAsync(stream, status, reason, headers, body[..Math.Min(cut, body.Length)], body.Length);
            return; // the connection closes short of Content-Length
        }

        await RespondAsync(stream, status, reason, headers, head ? [] : body, body.Length);
    }

    private static async Task ServeEndlessAsync(NetworkStream stream, Dictionary<string, string> headers, bool head)
    {
        var text = new StringBuilder("HTTP/1.1 200 OK\r\n");
        foreach (var (key, value) in headers)
        {
            text.Append(key).Append(": ").Append(value).Append("\r\n");
        }

        text.Append("Connection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text.ToString()));
        if (head)
        {
            return;
        }

        var chunk = new byte[1 << 16];
        try
        {
            for (long sent = 0; sent < 1L << 34; sent += chunk.Length)
            {
                await stream.WriteAsync(chunk);
            }
        }
        catch (IOException)
        {
            // The client stopped reading: the point of the test.
        }
    }

    private static async Task RespondAsync(NetworkStream stream, int status, string reason, Dictionary<string, string> headers, byte[] body, long? contentLength = null)
    {
        var text = new StringBuilder();
        text.Append(CultureInfoInvariant($"HTTP/1.1 {status} {reason}\r\n"));
        foreach (var (key, value) in headers)
        {
            text.Append(key).Append(": ").Append(value).Append("\r\n");
        }

        text.Append(CultureInfoInvariant($"Content-Length: {contentLength ?? body.Length}\r\nConnection: close\r\n\r\n"));
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text.ToString()));
        await stream.WriteAsync(body);
        await stream.FlushAsync();
    }

    private static string CultureInfoInvariant(FormattableString text) => FormattableString.Invariant(text);

    private static async Task<string?> ReadHeadAsync(NetworkStream stream)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            int n = await stream.ReadAsync(one);
            if (n == 0)
            {
                return null;
            }

            buffer.Add(one[0]);
            int c = buffer.Count;
            if (c >= 4 && buffer[c - 4] == '\r' && buffer[c - 3] == '\n' && buffer[c - 2] == '\r' && buffer[c - 1] == '\n')
            {
                return Encoding.ASCII.GetString(buffer.ToArray(), 0, c - 4);
            }
        }
    }
}
