using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Directer.Core.Hub;

/// <summary>
/// HTTP to the hub: bearer auth (to the hub's own host only), redirects followed by hand (so a HEAD can stop
/// at the CDN redirect that carries <c>X-Linked-Etag</c>), a timeout for response headers, and errors turned
/// into messages that say what to do.
/// </summary>
internal sealed class HubHttp : IDisposable
{
    private const int MaxRedirects = 10;
    private readonly HttpClient client;
    private readonly Uri endpoint;
    private readonly string token;
    private readonly TimeSpan timeout;

    /// <summary>Creates the client for resolved <paramref name="options"/>.</summary>
    public HubHttp(HubClientOptions options, HttpMessageHandler? handler)
    {
        endpoint = options.Endpoint!;
        token = options.Token ?? string.Empty;
        timeout = options.RequestTimeout;
        client = handler is null
            ? new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None, ConnectTimeout = timeout }, disposeHandler: true)
            : new HttpClient(handler, disposeHandler: false);
        client.Timeout = System.Threading.Timeout.InfiniteTimeSpan;
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("directer", typeof(HubHttp).Assembly.GetName().Version?.ToString(3) ?? "1.0"));
    }

    /// <summary>Whether a token is sent.</summary>
    public bool SendsToken => token.Length > 0;

    /// <summary>The hub's base URL.</summary>
    public Uri Endpoint => endpoint;

    /// <summary>The read timeout of response bodies.</summary>
    public TimeSpan Timeout => timeout;

    /// <summary>An endpoint-relative URL (the endpoint may itself have a path, as mirrors do).</summary>
    public Uri Url(string relative) => new(endpoint.ToString().TrimEnd('/') + "/" + relative);

    /// <summary>
    /// Sends a request and follows redirects unless <paramref name="stopAtRedirect"/> accepts the redirect
    /// response, which is then returned. The caller disposes the response.
    /// </summary>
    /// <exception cref="HubUnreachableException">No answer (connection failed or timed out).</exception>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, long? rangeFrom, Func<HttpResponseMessage, bool>? stopAtRedirect, CancellationToken cancellationToken)
    {
        for (int hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(method, uri);
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));
            if (token.Length > 0 && IsHubHost(uri))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            if (rangeFrom is > 0)
            {
                request.Headers.Range = new RangeHeaderValue(rangeFrom, null);
            }

            HttpResponseMessage response;
            using (var headers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                headers.CancelAfter(timeout);
                try
                {
                    response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headers.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new HubUnreachableException($"{method} {uri} got no answer within {timeout.TotalSeconds:0.#} s", e);
                }
                catch (HttpRequestException e) when (e.StatusCode is null && IsConnectionFailure(e))
                {
                    throw new HubUnreachableException($"{method} {uri} failed: {e.Message}", e);
                }
                catch (HttpRequestException e) when (e.StatusCode is null)
                {
                    throw new HubTransientException($"{method} {uri} failed: {e.Message}", e);
                }
            }

            if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
            {
                if (stopAtRedirect?.Invoke(response) == true)
                {
                    return response;
                }

                response.Dispose();
                if (hop >= MaxRedirects)
                {
                    throw new HubException($"{method} {uri}: more than {MaxRedirects} redirects.");
                }

                uri = location.IsAbsoluteUri ? location : new Uri(uri, location);
                continue;
            }

            return response;
        }
    }

    /// <summary>Whether <paramref name="uri"/> is on the hub's host (and so gets the token).</summary>
    public bool IsHubHost(Uri uri) =>
        string.Equals(uri.Host, endpoint.Host, StringComparison.OrdinalIgnoreCase) && uri.Port == endpoint.Port && uri.Scheme == endpoint.Scheme;

    /// <summary>Whether the status is a redirect.</summary>
    public static bool IsRedirect(HttpStatusCode status) => (int)status is 301 or 302 or 303 or 307 or 308;

    /// <summary>Whether the status is worth retrying.</summary>
    public static bool IsTransient(HttpStatusCode status) => status == HttpStatusCode.TooManyRequests || (int)status >= 500;

    /// <summary>
    /// The error for a failed answer: which repository, revision and file, what the hub said, and what to do
    /// (a token hint for 401, the gated-model step for 403).
    /// </summary>
    public HubException Error(HttpResponseMessage response, string repoId, string revision, string? fileName)
    {
        var status = response.StatusCode;
        string what = fileName is null ? $"'{repoId}' at revision '{revision}'" : $"'{fileName}' of '{repoId}' at revision '{revision}'";
        string code = Header(response, "X-Error-Code") ?? string.Empty;
        string hubMessage = Header(response, "X-Error-Message") is { } m ? $" The hub said: \"{m}\"." : string.Empty;
        string answered = $"The Hugging Face hub at {endpoint} answered {(int)status} {response.ReasonPhrase ?? status.ToString()} for {what}.{hubMessage}";
        string advice = status switch
        {
            HttpStatusCode.Unauthorized when SendsToken =>
                " The access token that was sent was not accepted: check that HF_TOKEN (or the Token option) holds a valid token with read access to this repository (https://huggingface.co/settings/tokens).",
            HttpStatusCode.Unauthorized =>
                " No access token was sent: the repository is private or gated, or does not exist. Set the HF_TOKEN environment variable (or the Token option) to a Hugging Face access token with read access (https://huggingface.co/settings/tokens), and check the model id.",
            HttpStatusCode.Forbidden =>
                " The token has no access to this repository. For a gated model, accept its conditions on the model's page with the account the token belongs to; for a private one, use a token of an account that can read it.",
            HttpStatusCode.NotFound when code == "RevisionNotFound" => $" Revision '{revision}' does not exist: use a branch, tag or commit of the repository (default 'main').",
            HttpStatusCode.NotFound when code == "EntryNotFound" => " The file is not in that revision of the repository.",
            HttpStatusCode.NotFound => " Check the model id and revision (they are case-sensitive).",
            _ => string.Empty,
        };
        return new HubException(answered + advice, repoId, fileName, status);
    }

    /// <summary>A response header, from the response or its content headers.</summary>
    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault()
        : response.Content.Headers.TryGetValues(name, out values) ? values.FirstOrDefault()
        : null;

    /// <inheritdoc />
    public void Dispose() => client.Dispose();

    private static bool IsConnectionFailure(HttpRequestException e) =>
        e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError
        || e.InnerException is SocketException;
}
