using System.Collections.Concurrent;
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

    // Builds the (tool-use) template with other options; a request's enable_thinking compiles a variant once.
    private readonly Func<ChatTemplateOptions, IChatTemplate> templateFactory;
    private readonly Func<ChatTemplateOptions, IChatTemplate>? toolUseFactory;
    private readonly ChatTemplateOptions templateOptions;
    private readonly ConcurrentDictionary<(bool ToolUse, bool Thinking), IChatTemplate> thinkingVariants = new();

    private ChatModel(string directory, LlamaModel model, TextTokenizer tokenizer, ChatTemplateOptions templateOptions, Func<ChatTemplateOptions, IChatTemplate> templateFactory, Func<ChatTemplateOptions, IChatTemplate>? toolUseFactory, ServingOptions serving)
    {
        Directory = directory;
        Model = model;
        Tokenizer = tokenizer;
        this.templateOptions = templateOptions;
        this.templateFactory = templateFactory;
        this.toolUseFactory = toolUseFactory;
        Template = templateFactory(templateOptions);
        toolUseTemplate = toolUseFactory?.Invoke(templateOptions);
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
            Func<ChatTemplateOptions, IChatTemplate>? toolUse = null;
            Func<ChatTemplateOptions, IChatTemplate> template;
            if (options.ChatTemplate is { } name)
            {
                template = o => ChatTemplates.ByName(name, o);
            }
            else
            {
                // As transformers: a chat_template.jinja file wins over tokenizer_config.json; of named templates,
                // "tool_use" renders requests with tools and "default" the others.
                string jinjaFile = Path.Combine(directory, "chat_template.jinja");
                string? text = File.Exists(jinjaFile) ? File.ReadAllText(jinjaFile) : tokenizer.ChatTemplate;
                string modelType = model.Config.ModelType;
                template = o => ChatTemplates.Detect(text, modelType, o);
                if (!File.Exists(jinjaFile) && tokenizer.NamedChatTemplates.TryGetValue("tool_use", out string? toolUseText))
                {
                    toolUse = o => ChatTemplates.Detect(toolUseText, modelType, o);
                }
            }

            return new ChatModel(directory, model, tokenizer, templateOptions, template, toolUse, options.Serving);
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
        var (ids, spans, text, _) = Prompt(request);
        return (ids, spans, text);
    }

    /// <summary><see cref="BuildPrompt"/>, and whether the template left out the system message whose emphasis was
    /// asked for only where rendered (<see cref="RenderedPrompt.SystemMessageNotRendered"/>).</summary>
    private (IReadOnlyList<int> Ids, IReadOnlyList<TokenSpan> Spans, string Text, bool SystemMessageNotRendered) Prompt(ChatRequest request)
    {
        var template = TemplateFor(request);
        var rendered = template.Render(WithReasoning(request.Turns, template), request.Tools, addGenerationPrompt: true, request.Emphasis);
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
        return (ids, spans, rendered.Text, rendered.SystemMessageNotRendered);
    }

    /// <summary>The template a request renders with: the checkpoint's "tool_use" template when the request has tools
    /// and the checkpoint names one, <see cref="Template"/> otherwise; with the request's <c>enable_thinking</c> when it sets one.</summary>
    public IChatTemplate TemplateFor(ChatRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        bool toolUse = request.Tools.Count > 0 && toolUseFactory is not null;
        if (request.EnableThinking is not bool thinking || thinking == templateOptions.EnableThinking)
        {
            return toolUse ? toolUseTemplate! : Template;
        }

        return thinkingVariants.GetOrAdd((toolUse, thinking), key =>
            (key.ToolUse ? toolUseFactory! : templateFactory)(templateOptions with { EnableThinking = key.Thinking }));
    }

    /// <summary>The request's tool-call constraint; a reasoning model's reasoning block is left free, since calls are read
    /// from the answer only.</summary>
    private IChoiceConstraint ToolCallConstraintFor(ChatRequest request, bool reasoningModel, bool openedByPrompt)
    {
        var calls = ToolCallConstraint.Create(TemplateFor(request), Tokenizer, request.Tools, request.RequireToolCall, request.RequireToolCall ? request.RequiredToolName : null);
        return reasoningModel ? new AnswerOnlyConstraint(calls, Tokenizer, openedByPrompt) : calls;
    }

    /// <summary>Whether a template reads reasoning blocks (it splits assistant content at <c>&lt;/think&gt;</c>, as Qwen3's,
    /// QwQ's, DeepSeek-R1's and SmolLM3's do): then replies are split into reasoning and text, and turns' reasoning is shown to it.</summary>
    internal static bool UsesReasoning(IChatTemplate template) =>
        template is JinjaChatTemplate jinja && jinja.Source.Contains(ReasoningSplitter.Close, StringComparison.Ordinal);

    /// <summary>Assistant turns with <see cref="ChatTurn.Reasoning"/> as the model wrote them (reasoning block before the
    /// content), for a template that reads reasoning blocks; the turns unchanged otherwise.</summary>
    private static IReadOnlyList<ChatTurn> WithReasoning(IReadOnlyList<ChatTurn> turns, IChatTemplate template)
    {
        if (!turns.Any(t => t.Reasoning is not null && t.Role == ChatRole.Assistant) || !UsesReasoning(template))
        {
            return turns;
        }

        return turns.Select(t => t.Reasoning is { } reasoning && t.Role == ChatRole.Assistant
            ? t with { Content = $"{ReasoningSplitter.Open}\n{reasoning}\n{ReasoningSplitter.Close}\n\n{t.Content}", Reasoning = null }
            : t).ToList();
    }

    /// <summary>Generates the reply.</summary>
    public Task<ChatResult> CompleteAsync(ChatRequest request, CancellationToken cancellationToken = default) =>
        RunAsync(request, onUpdate: null, cancellationToken);

    /// <summary>Streams the reply's text as it is decoded (reasoning pieces marked <see cref="ChatUpdate.IsReasoning"/>);
    /// the last item carries the full result.</summary>
    public async IAsyncEnumerable<ChatUpdate> StreamAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<ChatUpdate>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var run = RunAsync(request, update => channel.Writer.TryWrite(update), linked.Token);
        _ = run.ContinueWith(t => channel.Writer.TryComplete(t.Exception?.InnerException), TaskScheduler.Default);
        try
        {
            await foreach (var update in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return update;
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

    private async Task<ChatResult> RunAsync(ChatRequest request, Action<ChatUpdate>? onUpdate, CancellationToken cancellationToken)
    {
        var (ids, spans, promptText, systemNotRendered) = Prompt(request);
        bool reasoningModel = UsesReasoning(TemplateFor(request));
        bool openedByPrompt = reasoningModel && ReasoningSplitter.PromptOpensReasoning(promptText);
        var splitter = reasoningModel ? new ReasoningSplitter(openedByPrompt) : null;
        void Emit(List<(string Text, bool IsReasoning)> pieces)
        {
            foreach (var (piece, isReasoning) in pieces)
            {
                onUpdate!(new ChatUpdate(piece, null) { IsReasoning = isReasoning });
            }
        }

        Action<string>? onText = onUpdate is null ? null
            : splitter is null ? text => onUpdate(new ChatUpdate(text, null))
            : text => Emit(splitter.Push(text));
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
            Constraint = request.ToolCallsConstrained ? ToolCallConstraintFor(request, reasoningModel, openedByPrompt) : null,
        };
        var generation = await generator.GenerateAsync(ids, options, selector, onToken: null, onText, cancellationToken).ConfigureAwait(false);
        if (splitter is not null && onUpdate is not null)
        {
            Emit(splitter.Finish());
        }

        // Tool calls are read from the answer only: a call the model merely considers while reasoning is not made.
        // The parser reads the reply re-decoded with the format's special call marker kept (Mistral's [TOOL_CALLS]).
        var template = TemplateFor(request);
        string rawText = generation.Text!;
        string parseText = template is JinjaChatTemplate jinja
            ? ToolCallMarkers.ForParsing(rawText, generation.Ids, Tokenizer, jinja.ToolCallFormat, request.StopStrings)
            : rawText;
        var (reasoning, answer) = reasoningModel ? ReasoningSplitter.Split(rawText, openedByPrompt) : (null, rawText);
        string text = !reasoningModel ? parseText
            : ReferenceEquals(parseText, rawText) ? answer // no special marker re-decoded: the split is the same
            : ReasoningSplitter.Split(parseText, openedByPrompt).Answer;
        var parsed = template.ParseToolCallsDetailed(text);

        // Malformed tool-call output is returned as text (and reported), never half-executed.
        bool malformed = parsed.HasMalformed;
        return new ChatResult
        {
            Text = malformed ? text.Trim() : parsed.RemainingText,
            Reasoning = reasoning,
            RawText = parseText,
            AnswerText = answer,
            ToolCalls = malformed ? [] : parsed.ToolCalls,
            MalformedToolCalls = parsed.Malformed,
            StopReason = generation.StopReason,
            PromptTokens = ids.Count,
            CachedPromptTokens = generation.CachedPromptTokens,
            PeakConcurrentRequests = generation.PeakConcurrentRequests,
            PeakSteeredBatchRequests = generation.PeakSteeredBatchRequests,
            CompletionTokens = generation.DecodedTokens,
            EmphasisSpans = spans,
            SystemMessageNotRendered = systemNotRendered,
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
