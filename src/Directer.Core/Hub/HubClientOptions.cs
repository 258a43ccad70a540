namespace Directer.Core.Hub;

/// <summary>
/// Where and how to download Hugging Face checkpoints. Unset values come from the same environment
/// variables huggingface_hub reads (<see cref="WithEnvironmentDefaults"/>), so a cache filled by
/// Python is reused and vice versa.
/// </summary>
public sealed record HubClientOptions
{
    /// <summary>The public hub.</summary>
    public static readonly Uri DefaultEndpoint = new("https://huggingface.co");

    /// <summary>The hub (or mirror) base URL; null = <c>HF_ENDPOINT</c>, else <see cref="DefaultEndpoint"/>.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>
    /// Access token sent as <c>Authorization: Bearer</c> to the hub (never to the CDN it redirects to);
    /// null = <c>HF_TOKEN</c>, else the token file <c>huggingface-cli login</c> writes; empty = send none.
    /// </summary>
    public string? Token { get; init; }

    /// <summary>
    /// The hub cache folder (holding <c>models--owner--name</c>); null = <c>HF_HUB_CACHE</c>, else
    /// <c>$HF_HOME/hub</c>, else <c>$XDG_CACHE_HOME/huggingface/hub</c>, else <c>~/.cache/huggingface/hub</c>.
    /// </summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Use the cache only, never the network; null = <c>HF_HUB_OFFLINE</c> (1/true/yes/on).</summary>
    public bool? Offline { get; init; }

    /// <summary>The default <see cref="MaxUnknownSizeBytes"/>: 64 GiB, above the largest single weight file of real
    /// checkpoints (shards are 2-10 GB; whole-model files of the largest open models stay below this).</summary>
    public const long DefaultMaxUnknownSizeBytes = 64L << 30;

    /// <summary>
    /// The most bytes written for a file whose size the hub did not state (no <c>X-Linked-Size</c> or
    /// <c>Content-Length</c>), before its hash can be checked; default <see cref="DefaultMaxUnknownSizeBytes"/>. A
    /// response that goes past it is stopped and its partial file deleted, so a misbehaving server or proxy cannot
    /// fill the disk. Files of stated size are never written past that size.
    /// </summary>
    public long MaxUnknownSizeBytes { get; init; } = DefaultMaxUnknownSizeBytes;

    /// <summary>How many times an interrupted request or file is retried (resuming files); default 3.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>How long to wait for a response's headers, and for each read of a body; default 60 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A copy with every unset value filled in from the environment (read with
    /// <paramref name="environment"/>, default the process environment) and the built-in defaults.
    /// </summary>
    /// <param name="environment">Reads one environment variable; null = <see cref="Environment.GetEnvironmentVariable(string)"/>.</param>
    /// <exception cref="ArgumentException"><c>HF_ENDPOINT</c> or the endpoint is not an absolute http(s) URL.</exception>
    public HubClientOptions WithEnvironmentDefaults(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        string? Env(string name) => environment(name) is { Length: > 0 } value ? value.Trim() : null;

        Uri endpoint = Endpoint ?? (Env("HF_ENDPOINT") is { } fromEnv ? ParseEndpoint(fromEnv, "HF_ENDPOINT") : DefaultEndpoint);
        CheckEndpoint(endpoint, Endpoint is null ? "HF_ENDPOINT" : nameof(Endpoint));

        string home = Env("HOME") ?? Env("USERPROFILE") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string hfHome = Env("HF_HOME") ?? Path.Combine(Env("XDG_CACHE_HOME") ?? Path.Combine(home, ".cache"), "huggingface");
        string cache = CacheDirectory ?? Env("HF_HUB_CACHE") ?? Env("HUGGINGFACE_HUB_CACHE") ?? Path.Combine(hfHome, "hub");

        string? token = Token ?? Env("HF_TOKEN") ?? Env("HUGGING_FACE_HUB_TOKEN") ?? ReadTokenFile(Env("HF_TOKEN_PATH") ?? Path.Combine(hfHome, "token"));
        bool offline = Offline ?? IsTrue(Env("HF_HUB_OFFLINE"));
        if (MaxUnknownSizeBytes < 1)
        {
            throw new ArgumentException($"HubClientOptions.MaxUnknownSizeBytes must be >= 1; got {MaxUnknownSizeBytes}.", nameof(MaxUnknownSizeBytes));
        }

        if (MaxRetries < 0)
        {
            throw new ArgumentException($"HubClientOptions.MaxRetries must be >= 0; got {MaxRetries}.", nameof(MaxRetries));
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"HubClientOptions.RequestTimeout must be positive; got {RequestTimeout}.", nameof(RequestTimeout));
        }

        return this with { Endpoint = endpoint, CacheDirectory = Path.GetFullPath(cache), Token = token ?? string.Empty, Offline = offline };
    }

    /// <summary>Parses an endpoint URL, naming <paramref name="source"/> when it is not an absolute http(s) URL.</summary>
    /// <param name="text">The URL text.</param>
    /// <param name="source">The setting it came from, for the error message.</param>
    public static Uri ParseEndpoint(string text, string source)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri))
        {
            throw new ArgumentException($"{source}: '{text}' is not an absolute URL; expected e.g. '{DefaultEndpoint}'.", nameof(text));
        }

        CheckEndpoint(uri, source);
        return uri;
    }

    private static void CheckEndpoint(Uri uri, string source)
    {
        if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"{source}: '{uri}' is not an http or https URL; expected e.g. '{DefaultEndpoint}'.", source);
        }
    }

    private static bool IsTrue(string? value) =>
        value is not null && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase)
            || value.Equals("yes", StringComparison.OrdinalIgnoreCase) || value.Equals("on", StringComparison.OrdinalIgnoreCase));

    private static string? ReadTokenFile(string path)
    {
        try
        {
            return File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } token ? token : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
