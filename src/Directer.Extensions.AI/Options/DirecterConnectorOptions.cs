using Directer.Core.Chat;
using Directer.Core.Generation;
using Directer.Core.Hub;
using Directer.Core.Modeling;
using Directer.Core.Requests;
using Directer.Core.Templates;

namespace Directer.Extensions.AI;

/// <summary>
/// Options of a Directer chat service registration: where the model comes from (a local checkpoint folder,
/// <see cref="ModelPath"/>, or a Hugging Face hub id, <see cref="ModelId"/>), how it runs, request defaults
/// and telemetry. Binds from configuration (the property names are the keys, e.g. <c>Directer:ModelId</c>).
/// </summary>
public sealed class DirecterConnectorOptions
{
    /// <summary>A local Hugging Face checkpoint folder (config.json, *.safetensors, tokenizer files). Set this or <see cref="ModelId"/>.</summary>
    public string? ModelPath { get; set; }

    /// <summary>
    /// A Hugging Face hub model id such as <c>Qwen/Qwen2.5-0.5B-Instruct</c>, downloaded into the hub cache on
    /// first use (only the files a checkpoint needs). Set this or <see cref="ModelPath"/>.
    /// </summary>
    public string? ModelId { get; set; }

    /// <summary>Branch, tag or commit of <see cref="ModelId"/>; null = <c>main</c>.</summary>
    public string? Revision { get; set; }

    /// <summary>The hub cache folder; null = <c>HF_HUB_CACHE</c>, <c>$HF_HOME/hub</c> or <c>~/.cache/huggingface/hub</c>.</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>Use the hub cache only, never the network; null = <c>HF_HUB_OFFLINE</c>.</summary>
    public bool? Offline { get; set; }

    /// <summary>The hub or mirror URL; null = <c>HF_ENDPOINT</c>, else https://huggingface.co.</summary>
    public string? Endpoint { get; set; }

    /// <summary>Hub access token for gated or private models; null = <c>HF_TOKEN</c> (or the huggingface-cli login token file).</summary>
    public string? HubToken { get; set; }

    /// <summary>Receives download progress (bytes done/total per file) besides the log; not bound from configuration.</summary>
    public IProgress<HubDownloadProgress>? DownloadProgress { get; set; }

    /// <summary>Chat template to force; null = detected from the checkpoint.</summary>
    public string? ChatTemplate { get; set; }

    /// <summary>Compute dtype.</summary>
    public ComputeDType DType { get; set; } = ComputeDType.Float32;

    /// <summary>Torch device ("cpu", or "cuda" with the CUDA build).</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>CPU threads for torch; null = torch's choice.</summary>
    public int? Threads { get; set; }

    /// <summary>Context size of the KV cache; null = the model's default.</summary>
    public int? MaxSequenceLength { get; set; }

    /// <summary>
    /// KV caches kept for prompt-prefix reuse, one per recent conversation or running request (default 4). An agent's follow-up requests
    /// (after a tool result, the next turn) start after the longest cached prefix of their prompt and prefill only the
    /// rest; the usage reports it as cached input tokens. Raise it for several interleaved conversations: each slot holds
    /// up to the context's keys and values (see docs/CONNECTOR.md for the bytes per position).
    /// </summary>
    public int CacheSlots { get; set; } = ServingOptions.DefaultCacheSlots;

    /// <summary>
    /// Requests decoded together (continuous batching; default 4, at most <see cref="CacheSlots"/>): concurrent callers
    /// join the running round instead of waiting for it. Their raw passes share one pass over the weights per token
    /// (steered requests' steered passes follow per request). 1 serves requests one at a time.
    /// </summary>
    public int MaxConcurrentRows { get; set; } = ServingOptions.DefaultMaxConcurrentRows;

    /// <summary>Start requests from a cached prompt prefix (default true); false prefills every prompt whole.</summary>
    public bool ReusePrefixes { get; set; } = true;

    /// <summary>
    /// Requests that may wait for the model while <see cref="MaxConcurrentRows"/> run (default 64); one more fails at once with
    /// <see cref="RequestQueueFullException"/>. A waiting request leaves the queue when its cancellation token fires
    /// (use it for timeouts).
    /// </summary>
    public int MaxQueuedRequests { get; set; } = ServingOptions.DefaultMaxQueuedRequests;

    /// <summary>
    /// Defaults for requests that do not say (steering, system emphasis, token budget, sampling, tool-call constraint):
    /// configuration keys are the property paths, e.g. <c>Defaults:MaxTokens</c>, <c>Defaults:Steering:Alpha</c>.
    /// </summary>
    public RequestOptions Defaults { get; set; } = new();

    /// <summary>
    /// Wrap the registered <c>IChatClient</c> in Microsoft.Extensions.AI's OpenTelemetry client: one activity per
    /// request with the gen_ai.* semantic-convention tags (operation, model, token usage) and the gen_ai metrics.
    /// </summary>
    public bool EnableTelemetry { get; set; }

    /// <summary>The ActivitySource and Meter name of that telemetry; null = <see cref="DirecterTelemetry.DefaultSourceName"/>.</summary>
    public string? TelemetrySourceName { get; set; }

    /// <summary>Also record message contents in telemetry (off by default: prompts may be sensitive).</summary>
    public bool EnableSensitiveTelemetryData { get; set; }

    /// <summary>The model id reported in responses and metadata: <see cref="ModelId"/>, else the checkpoint folder's name.</summary>
    public string DisplayModelId =>
        !string.IsNullOrWhiteSpace(ModelId) ? ModelId.Trim()
        : !string.IsNullOrWhiteSpace(ModelPath) ? Path.GetFileName(Path.TrimEndingDirectorySeparator(ModelPath.Trim()))
        : string.Empty;

    /// <summary>Every problem with these options, each naming the setting and what was expected; empty when valid.</summary>
    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        bool path = !string.IsNullOrWhiteSpace(ModelPath);
        bool id = !string.IsNullOrWhiteSpace(ModelId);
        if (path && id)
        {
            errors.Add($"ModelPath ('{ModelPath}') and ModelId ('{ModelId}') are both set: set exactly one, ModelPath for a local checkpoint folder or ModelId for a Hugging Face model id.");
        }
        else if (!path && !id)
        {
            errors.Add("Neither ModelPath nor ModelId is set: set ModelPath to a local checkpoint folder, or ModelId to a Hugging Face model id such as 'Qwen/Qwen2.5-0.5B-Instruct'.");
        }

        if (id && !HubRepoId.IsValid(ModelId!.Trim(), out string? idError))
        {
            errors.Add($"ModelId: {idError}.");
        }

        if (Revision is not null && !HubRepoId.IsValidRevision(Revision, out string? revisionError))
        {
            errors.Add($"Revision: {revisionError}.");
        }

        if (path && (Revision is not null || CacheDirectory is not null || Endpoint is not null))
        {
            errors.Add("Revision, CacheDirectory and Endpoint apply to ModelId (a hub download), not to ModelPath: remove them or use ModelId.");
        }

        if (Endpoint is not null)
        {
            try
            {
                HubClientOptions.ParseEndpoint(Endpoint, "Endpoint");
            }
            catch (ArgumentException e)
            {
                errors.Add(e.Message);
            }
        }

        if (CacheDirectory is not null && string.IsNullOrWhiteSpace(CacheDirectory))
        {
            errors.Add("CacheDirectory is empty: leave it unset for the default hub cache, or give a folder.");
        }

        if (ChatTemplate is not null)
        {
            try
            {
                _ = ChatTemplates.ByName(ChatTemplate);
            }
            catch (ChatTemplateException)
            {
                errors.Add($"ChatTemplate: '{ChatTemplate}' is not a known template; use one of {string.Join(", ", ChatTemplates.Names)}, or leave it unset to detect it from the checkpoint.");
            }
        }

        if (!Enum.IsDefined(DType))
        {
            errors.Add($"DType: '{DType}' is not one of {string.Join(", ", Enum.GetNames<ComputeDType>())}.");
        }

        if (string.IsNullOrWhiteSpace(Device) || !(Device.Trim() == "cpu" || Device.Trim().StartsWith("cuda", StringComparison.Ordinal)))
        {
            errors.Add($"Device: '{Device}' is not 'cpu', 'cuda' or 'cuda:N'.");
        }

        if (Threads is < 1)
        {
            errors.Add($"Threads must be >= 1 (or unset for torch's choice); got {Threads}.");
        }

        if (MaxSequenceLength is < 1)
        {
            errors.Add($"MaxSequenceLength must be >= 1 (or unset for the model's default); got {MaxSequenceLength}.");
        }

        errors.AddRange(ToServingOptions().GetValidationErrors());

        if (Defaults is null)
        {
            errors.Add("Defaults must not be null.");
        }
        else
        {
            errors.AddRange(Defaults.GetValidationErrors("Defaults:"));
        }

        if (TelemetrySourceName is not null && string.IsNullOrWhiteSpace(TelemetrySourceName))
        {
            errors.Add("TelemetrySourceName is empty: leave it unset for 'Directer' or give a name.");
        }

        return errors;
    }

    internal ChatModelOptions ToChatModelOptions() => new()
    {
        ChatTemplate = ChatTemplate,
        Model = new ModelOptions { DType = DType, Device = Device, Threads = Threads, MaxSequenceLength = MaxSequenceLength },
        Serving = ToServingOptions(),
    };

    internal ServingOptions ToServingOptions() => new() { CacheSlots = CacheSlots, MaxConcurrentRows = MaxConcurrentRows, ReusePrefixes = ReusePrefixes, MaxQueuedRequests = MaxQueuedRequests };

    internal HubClientOptions ToHubOptions() => new()
    {
        Endpoint = Endpoint is null ? null : HubClientOptions.ParseEndpoint(Endpoint, "Endpoint"),
        CacheDirectory = CacheDirectory,
        Offline = Offline,
        Token = HubToken,
    };

    /// <summary>Throws when the options are invalid, listing every problem.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    internal void Validate(string? name = null)
    {
        var errors = GetValidationErrors();
        if (errors.Count > 0)
        {
            string which = string.IsNullOrEmpty(name) ? "Directer connector options" : $"Directer connector options '{name}'";
            throw new ArgumentException($"{which} are invalid: {string.Join(" ", errors)}");
        }
    }
}
