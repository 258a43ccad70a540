using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Directer.Core.Chat;
using Directer.Core.Checkpoints;
using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Steering;
using Directer.Core.Text.Emphasis;
using Directer.Core.Text.Templates;
using Directer.Core.Text.Tokenization;

namespace Directer.Cli.Commands;

/// <summary><c>directer generate</c>: one generation from token ids or from a chat prompt.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Checkpoint folder (config.json + *.safetensors).", Required = true };
        var inputIds = new Option<string?>("--input-ids") { Description = "Prompt token ids, comma-separated (skips tokenizer and chat template)." };
        var prompt = new Option<string?>("--prompt") { Description = "User message, rendered with the checkpoint's chat template." };
        var system = new Option<string?>("--system") { Description = "System message." };
        var emphasis = new Option<string[]>("--emphasis") { Description = "Text to emphasise (every occurrence in the messages; repeatable). Inline [[...]] markers work too." };
        var emphasizeSystem = new Option<bool>("--emphasize-system") { Description = "Emphasise the whole system message." };
        var chatTemplate = new Option<string?>("--chat-template") { Description = $"Chat template to force: {string.Join(", ", ChatTemplates.Names)} (default: detected)." };
        var maxNew = new Option<int>("--max-new-tokens") { Description = "Most tokens to generate.", DefaultValueFactory = _ => 32 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (stable contract: fields are only ever added)." };
        var dtype = new Option<string>("--dtype") { Description = "Compute dtype: f32 or bf16.", DefaultValueFactory = _ => "f32" };
        var temperature = new Option<float>("--temperature") { Description = "0 = greedy (default); above 0 samples.", DefaultValueFactory = _ => 0f };
        var topP = new Option<float?>("--top-p") { Description = "Nucleus sampling mass in (0, 1]." };
        var topK = new Option<int?>("--top-k") { Description = "Sample among the k most probable tokens." };
        var seed = new Option<long?>("--seed") { Description = "Sampler seed (reproducible sampling)." };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for torch (default: torch's choice)." };
        var device = new Option<string>("--device") { Description = "cpu (default) or cuda[:N] (needs the CUDA build).", DefaultValueFactory = _ => "cpu" };
        var steering = new Option<string>("--steering") { Description = "none (default), directer, static, pasta, spotlight or instaboost.", DefaultValueFactory = _ => "none" };
        var emphasisTokens = new Option<string[]>("--emphasis-tokens") { Description = "Emphasised prompt positions START:END (half-open; repeatable; with --input-ids)." };
        var gate = new Option<bool>("--gate") { Description = "Wrap a baseline in DIRECTER's plausibility gate." };
        var alpha = new Option<double>("--alpha") { Description = "Key scale for directer/static (default 100).", DefaultValueFactory = _ => 100 };
        var beta = new Option<double>("--beta") { Description = "Plausibility threshold in (0, 1] (default 0.5).", DefaultValueFactory = _ => 0.5 };
        var maxTrials = new Option<int>("--max-trials") { Description = "DIRECTER's most steered passes per token (default 10).", DefaultValueFactory = _ => 10 };
        var strategy = new Option<string>("--strategy") { Description = "auto (default), sequential, batched or batched-after-gate.", DefaultValueFactory = _ => "auto" };

        var command = new Command("generate", "Generate from a checkpoint, from token ids or a chat prompt.")
        {
            model, inputIds, prompt, system, emphasis, emphasizeSystem, chatTemplate, maxNew, json, dtype, temperature, topP, topK, seed, threads, device,
            steering, emphasisTokens, gate, alpha, beta, maxTrials, strategy,
        };

        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                var steeringSettings = new SteeringSettings
                {
                    Method = SteeringSettings.ParseMethod(result.GetValue(steering)!),
                    Gate = result.GetValue(gate),
                    Alpha = result.GetValue(alpha),
                    Beta = result.GetValue(beta),
                    MaxTrials = result.GetValue(maxTrials),
                    Strategy = ParseStrategy(result.GetValue(strategy)!),
                };
                var modelOptions = new ModelOptions
                {
                    DType = ParseDType(result.GetValue(dtype)!),
                    Device = result.GetValue(device)!,
                    Threads = result.GetValue(threads),
                };
                string? idsText = result.GetValue(inputIds);
                string? promptText = result.GetValue(prompt);
                if ((idsText is null) == (promptText is null))
                {
                    throw new FormatException("Give exactly one of --input-ids (token ids) or --prompt (a chat message).");
                }

                var loadClock = Stopwatch.StartNew();
                GenerateJson payload;
                if (idsText is not null)
                {
                    var ids = ParseIds(idsText);
                    using var llm = LlamaModel.Load(result.GetValue(model)!, modelOptions);
                    loadClock.Stop();
                    using var generator = new TokenGenerator(llm);
                    var spans = (result.GetValue(emphasisTokens) ?? []).Select(ParseSpan).ToList();
                    var selector = steeringSettings.CreateSelector(spans, llm.LayerCount);
                    var generation = new GenerationOptions
                    {
                        MaxNewTokens = result.GetValue(maxNew),
                        Temperature = result.GetValue(temperature),
                        TopP = result.GetValue(topP),
                        TopK = result.GetValue(topK),
                        Seed = result.GetValue(seed),
                    };
                    var outcome = await generator.GenerateAsync(ids, generation, selector, cancellationToken: cancellationToken);
                    payload = Payload(outcome, ids, spans, null, selector?.Summary, selector?.Trace, loadClock.Elapsed);
                }
                else
                {
                    using var chat = ChatModel.Load(result.GetValue(model)!, new ChatModelOptions { Model = modelOptions, ChatTemplate = result.GetValue(chatTemplate) });
                    loadClock.Stop();
                    var turns = new List<ChatTurn>();
                    if (result.GetValue(system) is { } systemText)
                    {
                        turns.Add(new ChatTurn(ChatRole.System, systemText));
                    }

                    turns.Add(new ChatTurn(ChatRole.User, promptText!));
                    var request = new ChatRequest
                    {
                        Turns = turns,
                        Emphasis = new EmphasisRequest { Texts = result.GetValue(emphasis) ?? [], SystemMessage = result.GetValue(emphasizeSystem) },
                        Steering = steeringSettings,
                        MaxNewTokens = result.GetValue(maxNew),
                        Temperature = result.GetValue(temperature),
                        TopP = result.GetValue(topP),
                        TopK = result.GetValue(topK),
                        Seed = result.GetValue(seed),
                    };
                    var (promptIds, _, _) = chat.BuildPrompt(request);
                    var reply = await chat.CompleteAsync(request, cancellationToken);
                    payload = Payload(reply.Generation, promptIds, reply.EmphasisSpans, reply.RawText, reply.Steering, reply.Steering is null ? null : reply.SteeringTrace, loadClock.Elapsed);
                }

                if (result.GetValue(json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(payload, CliJson.Options));
                }
                else
                {
                    Console.WriteLine(payload.Text ?? string.Join(",", payload.Ids));
                    Console.Error.WriteLine($"{payload.Ids.Count} tokens, stop: {payload.StopReason}, decode {payload.Timings.DecodeTokensPerSecond:F1} tokens/s");
                    if (payload.Steering is { } summary)
                    {
                        Console.Error.WriteLine($"steering {summary.Method}: steered {summary.SteeredShare:P0}, gated {summary.GatedShare:P0}, rejected {summary.RejectedShare:P0}, fallback {summary.FallbackShare:P0}, mean trials {summary.MeanTrials:F2}");
                    }
                }

                return 0;
            }
            catch (Exception e) when (e is CheckpointException or ArgumentException or FormatException or ContextLengthExceededException or IOException
                or TokenizerLoadException or ChatTemplateException or EmphasisNotFoundException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    private static GenerateJson Payload(GenerationResult outcome, IReadOnlyList<int> promptIds, IReadOnlyList<TokenSpan> spans, string? text, SteeringSummary? summary, IReadOnlyList<SteeringStep>? trace, TimeSpan load) => new()
    {
        Ids = outcome.Ids,
        StopReason = outcome.StopReason.ToString(),
        PromptTokens = outcome.PromptTokens,
        Timings = new TimingsJson
        {
            LoadMs = load.TotalMilliseconds,
            PrefillMs = outcome.PrefillTime.TotalMilliseconds,
            DecodeMs = outcome.DecodeTime.TotalMilliseconds,
            DecodeTokensPerSecond = outcome.DecodeTokensPerSecond,
            PrefillTokensPerSecond = outcome.PrefillTokensPerSecond,
        },
        Steering = summary,
        Ranking = summary?.Ranking,
        Sensitivity = summary?.Sensitivity,
        Trace = trace,
        Text = text,
        PromptIds = promptIds,
        EmphasisSpans = spans.Select(s => new[] { s.Start, s.End }).ToList(),
    };

    internal static IReadOnlyList<int> ParseIds(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            throw new FormatException("--input-ids needs at least one token id, e.g. --input-ids 1,15,27.");
        }

        return parts.Select(p => int.TryParse(p, out int id) && id >= 0
            ? id
            : throw new FormatException($"--input-ids: '{p}' is not a non-negative integer token id.")).ToList();
    }

    internal static TokenSpan ParseSpan(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int start) || !int.TryParse(parts[1], out int end))
        {
            throw new FormatException($"--emphasis-tokens: '{text}' is not START:END (half-open prompt positions, e.g. 3:9).");
        }

        return new TokenSpan(start, end);
    }

    internal static SteeringStrategy ParseStrategy(string text) => text.ToLowerInvariant() switch
    {
        "auto" => SteeringStrategy.Auto,
        "sequential" => SteeringStrategy.Sequential,
        "batched" => SteeringStrategy.Batched,
        "batched-after-gate" => SteeringStrategy.BatchedAfterGate,
        _ => throw new FormatException($"--strategy: '{text}' is not supported; use auto, sequential, batched or batched-after-gate."),
    };

    internal static ComputeDType ParseDType(string text) => text.ToLowerInvariant() switch
    {
        "f32" or "float32" or "fp32" => ComputeDType.Float32,
        "bf16" or "bfloat16" => ComputeDType.BFloat16,
        _ => throw new FormatException($"--dtype: '{text}' is not supported; use f32 or bf16."),
    };
}
