using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Directer.Core.Generation;
using Directer.Core.Generation.Constraints;
using Directer.Core.Modeling;
using Directer.Core.Steering;
using Directer.Core.Emphasis;
using Directer.Core.Templates;
using Directer.Core.Tokenization;

namespace Directer.Core.Chat;

/// <summary>
/// A checkpoint ready for chat: model, tokenizer, chat template and generator. Messages and tools
/// are rendered with the model family's template, emphasised text becomes token spans, the reply is
/// generated (steered when asked) and decoded into text and tool calls. Requests are queued.
/// </summary>
public sealed class ChatModel : IDisposable
{
    private readonly TokenGenerator generator;

    private readonly IChatTemplate? toolUseTemplate;

    private ChatModel(string directory, LlamaModel model, TextTokenizer tokenizer, IChatTemplate template, IChatTemplate? toolUseTemplate, ServingOptions serving)
    {
        Directory = directory;
        Model = model;
        Tokenizer = tokenizer;
        Template = template;
        this.toolUseTemplate = toolUseTemplate;
        generator = new TokenGenerator(model, serving);
    }

    /// <summary>The checkpoint folder.</summary>
    public string Directory { get; }

    /// <summary>The model id (the checkpoint folder's name).</summary>
    public string ModelId => Path.GetFileName(Path.TrimEndingDirectorySeparator(Directory));

    /// <summary>The decoder.</summary>
    public LlamaModel Model { get; }

    /// <summary>The tokenizer.</summary>
    public TextTokenizer Tokenizer { get; }

    /// <summary>The generator: its kept KV caches (<see cref="TokenGenerator.CacheSlotsInUse"/>, <see cref="TokenGenerator.CacheBytes"/>) and queue.</summary>
    public TokenGenerator Generator => generator;

    /// <summary>The chat template in use.</summary>
    public IChatTemplate Template { get; }

    /// <summary>Loads a Hugging Face checkpoint folder with its tokenizer and chat template.</summary>
    public static ChatModel Load(string directory, ChatModelOptions? options = null)
    {
        options ??= new ChatModelOptions();
        ArgumentNullException.ThrowIfNull(options.Serving, "options.Serving");
        options.Serving.Validate();
        Checkpoints.CheckpointFolder.Require(directory);
        var tokenizer = TextTokenizer.Load(directory);
        var model = LlamaModel.Load(directory, options.Model);
        try
        {
            var templateOptions = options.TemplateOptions ?? new ChatTemplateOptions();
            templateOptions = templateOptions with
            {
                BosToken = templateOptions.BosToken ?? (tokenizer.BosTokenId is int bos ? tokenizer.IdToToken(bos) : null),
                EosToken = templateOptions.EosToken ?? (tokenizer.EosTokenIds.Count > 0 ? tokenizer.IdToToken(tokenizer.EosTokenIds[0]) : null),
            };
            IChatTemplate? toolUse = null;
            IChatTemplate template;
            if (options.ChatTemplate is { } name)
            {
                template = ChatTemplates.ByName(name, templateOptions);
            }
            else
            {
                // As transformers: a chat_template.jinja file wins over tokenizer_config.json; of named templates,
                // "tool_use" renders requests with tools and "default" the others.
                string jinjaFile = Path.Combine(directory, "chat_template.jinja");
                string? text = File.Exists(jinjaFile) ? File.ReadAllText(jinjaFile) : tokenizer.ChatTemplate;
                template = ChatTemplates.Detect(text, model.Config.ModelType, templateOptions);
                if (!File.Exists(jinjaFile) && tokenizer.NamedChatTemplates.TryGetValue("tool_use", out string? toolUseText))
                {
                    toolUse = ChatTemplates.Detect(toolUseText, model.Config.ModelType, templateOptions);
                }
            }

            return new ChatModel(directory, model, tokenizer, template, toolUse, options.Serving);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The prompt's token ids and emphasised spans for <paramref name="request"/>.</summary>
    public (IReadOnlyList<int> Ids, IReadOnlyList<TokenSpan> Spans, string Text) BuildPrompt(ChatRequest request)
    {
        var rendered = TemplateFor(request).Render(request.Turns, request.Tools, addGenerationPrompt: true, request.Emphasis);
        // Control tokens come only from the template's markup: message contents and other data are read as text.
        var tokens = Tokenizer.EncodeWithOffsets(rendered.Text, rendered.LiteralRanges);
        var ids = new List<int>(tokens.Count + 1);
        var offsets = new List<(int Start, int End)>(tokens.Count + 1);
        if (Tokenizer.AddBosToken && Tokenizer.BosTokenId is int bos && (tokens.Count == 0 || tokens[0].Id != bos))
        {
            ids.Add(bos);
            offsets.Add((0, 0));
        }

        foreach (var token in tokens)
        {
            ids.Add(token.Id);
            offsets.Add((token.Start, token.End));
        }

        var spans = EmphasisSpans.ToTokenSpans(rendered.EmphasisRanges, offsets);
        return (ids, spans, rendered.Text);
    }

    /// <summary>The template a request renders with: the checkpoint's "tool_use" template when the request has tools
    /// and the checkpoint names one, <see cref="Template"/> otherwise.</summary>
    public IChatTemplate TemplateFor(ChatRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Tools.Count > 0 && toolUseTemplate is not null ? toolUseTemplate : Template;
    }

    /// <summary>Generates the reply.</summary>
    public Task<ChatResult> CompleteAsync(ChatRequest request, CancellationToken cancellationToken = default) =>
        RunAsync(request, onText: null, cancellationToken);

    /// <summary>Streams the reply's text as it is decoded; the last item carries the full result.</summary>
    public async IAsyncEnumerable<ChatUpdate> StreamAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var run = RunAsync(request, text => channel.Writer.TryWrite(text), linked.Token);
        _ = run.ContinueWith(t => channel.Writer.TryComplete(t.Exception?.InnerException), TaskScheduler.Default);
        try
        {
            await foreach (string text in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return new ChatUpdate(text, null);
            }
        }
        finally
        {
            if (!run.IsCompleted)
            {
                await linked.CancelAsync().ConfigureAwait(false);
            }

            try
            {
                await run.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (linked.IsCancellationRequested)
            {
            }
        }

        yield return new ChatUpdate(string.Empty, await run.ConfigureAwait(false));
    }

    private async Task<ChatResult> RunAsync(ChatRequest request, Action<string>? onText, CancellationToken cancellationToken)
    {
        var (ids, spans, _) = BuildPrompt(request);
        ISteeringSelector? selector = null;
        if (request.Steering is { Method: not SteeringMethod.None } steering)
        {
            if (spans.Count == 0)
            {
                if (request.Emphasis is null)
                {
                    throw new ArgumentException($"Steering '{steering.Method}' needs emphasised text: set ChatRequest.Emphasis (texts, the system message or inline markers).", nameof(request));
                }
            }
            else
            {
                selector = steering.CreateSelector(spans, Model.LayerCount);
            }
        }

        var options = new GenerationOptions
        {
            MaxNewTokens = request.MaxNewTokens,
            Temperature = request.Temperature,
            TopP = request.TopP,
            TopK = request.TopK,
            Seed = request.Seed,
            RepetitionPenalty = request.RepetitionPenalty,
            FrequencyPenalty = request.FrequencyPenalty,
            PresencePenalty = request.PresencePenalty,
            StopStrings = request.StopStrings,
            Tokenizer = Tokenizer,
            EosTokenIds = Tokenizer.EosTokenIds.Union(Model.Config.EosTokenIds).ToList(),
            Constraint = request.ToolCallsConstrained
                ? ToolCallConstraint.Create(TemplateFor(request), Tokenizer, request.Tools, request.RequireToolCall, request.RequireToolCall ? request.RequiredToolName : null)
                : null,
        };
        var generation = await generator.GenerateAsync(ids, options, selector, onToken: null, onText, cancellationToken).ConfigureAwait(false);
        string text = generation.Text!;
        var parsed = TemplateFor(request).ParseToolCallsDetailed(text);

        // Malformed tool-call output is returned as text (and reported), never half-executed.
        bool malformed = parsed.HasMalformed;
        return new ChatResult
        {
            Text = malformed ? text.Trim() : parsed.RemainingText,
            RawText = text,
            ToolCalls = malformed ? [] : parsed.ToolCalls,
            MalformedToolCalls = parsed.Malformed,
            StopReason = generation.StopReason,
            PromptTokens = ids.Count,
            CachedPromptTokens = generation.CachedPromptTokens,
            PeakConcurrentRequests = generation.PeakConcurrentRequests,
            CompletionTokens = generation.DecodedTokens,
            EmphasisSpans = spans,
            Steering = selector?.Summary,
            SteeringTrace = selector?.Trace ?? [],
            Generation = generation,
        };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        generator.Dispose();
        Model.Dispose();
    }
}
