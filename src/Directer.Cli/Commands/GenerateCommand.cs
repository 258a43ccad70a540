using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Directer.Core.Chat;
using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Steering;
using Directer.Core.Emphasis;
using Directer.Core.Templates;
using Directer.Evaluation.Demo;

namespace Directer.Cli.Commands;

/// <summary><c>directer generate</c>: one generation from token ids or from a chat prompt.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = $"Checkpoint folder (config.json + *.safetensors). Default: the built-in demo model ({DemoModel.RelativeFolder}), shipped beside the program." };
        var inputIds = new Option<string?>("--input-ids") { Description = "Prompt token ids, comma-separated (skips tokenizer and chat template)." };
        var prompt = new Option<string?>("--prompt") { Description = "User message, rendered with the checkpoint's chat template." };
        var system = new Option<string?>("--system") { Description = "System message." };
        var emphasis = new Option<string[]>("--emphasis") { Description = "Text to emphasise (every occurrence in the messages; repeatable). Inline [[...]] markers work in --system." };
        var untrustedInline = new Option<bool>("--untrusted-inline-emphasis") { Description = "Also emphasise inline [[...]] markers in --prompt (a user message; by default they stay text and steer nothing)." };
        var emphasizeSystem = new Option<bool>("--emphasize-system") { Description = "Emphasise the whole system message." };
        var maxNew = new Option<int>("--max-new-tokens") { Description = "Most tokens to generate.", DefaultValueFactory = _ => 32 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (stable contract: fields are only ever added)." };
        var temperature = new Option<float>("--temperature") { Description = "0 = greedy (default); above 0 samples.", DefaultValueFactory = _ => 0f };
        var topP = new Option<float?>("--top-p") { Description = "Nucleus sampling mass in (0, 1]." };
        var topK = new Option<int?>("--top-k") { Description = "Sample among the k most probable tokens." };
        var seed = new Option<long?>("--seed") { Description = "Sampler seed (reproducible sampling)." };
        var steering = new Option<string>("--steering") { Description = "none (default), directer, static, pasta, spotlight or instaboost.", DefaultValueFactory = _ => "none" };
        var emphasisTokens = new Option<string[]>("--emphasis-tokens") { Description = "Emphasised prompt positions START:END (half-open; repeatable; with --input-ids)." };
        var gate = new Option<bool>("--gate") { Description = "Wrap a baseline in DIRECTER's plausibility gate." };
        var modelOptions = new ModelCliOptions();
        var steeringOptions = new SteeringCliOptions();

        var command = new Command("generate", "Generate from a checkpoint, from token ids or a chat prompt.")
        {
            model, inputIds, prompt, system, emphasis, untrustedInline, emphasizeSystem, maxNew, json, temperature, topP, topK, seed,
            steering, emphasisTokens, gate,
        };
        foreach (var option in modelOptions.All.Concat(steeringOptions.All))
        {
            command.Options.Add(option);
        }

        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                var steeringSettings = steeringOptions.Settings(result, SteeringSettings.ParseMethod(result.GetValue(steering)!), result.GetValue(gate));
                var runtime = modelOptions.Build(result);
                string? idsText = result.GetValue(inputIds);
                string? promptText = result.GetValue(prompt);
                if ((idsText is null) == (promptText is null))
                {
                    throw new FormatException("Give exactly one of --input-ids (token ids) or --prompt (a chat message).");
                }

                string modelPath = result.GetValue(model) ?? DemoModel.Require();
                var loadClock = Stopwatch.StartNew();
                GenerateJson payload;
                if (idsText is not null)
                {
                    var ids = ParseIds(idsText);
                    using var llm = LlamaModel.Load(modelPath, runtime);
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
                    using var chat = ChatModel.Load(modelPath, new ChatModelOptions { Model = runtime, ChatTemplate = result.GetValue(modelOptions.ChatTemplate) });
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
                        Emphasis = new EmphasisRequest
                        {
                            Texts = result.GetValue(emphasis) ?? [],
                            SystemMessage = result.GetValue(emphasizeSystem),
                            UntrustedInlineMarkers = result.GetValue(untrustedInline),
                        },
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
            catch (Exception e) when (CliErrors.IsUsageError(e))
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return CliErrors.UsageExitCode;
            }
            catch (NonFiniteLogitsException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return CliErrors.ModelFailureExitCode;
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
}
