using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Directer.Core.Chat;
using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Requests;
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
        var messages = new Option<string?>("--messages") { Description = "A whole conversation: a JSON file of messages in Hugging Face's shape (role, content, tool_calls, tool_call_id, name)." };
        var tools = new Option<string?>("--tools") { Description = "Tools the model may call: a JSON file in Hugging Face's shape ([{\"type\": \"function\", \"function\": {name, description, parameters}}])." };
        var promptOnly = new Option<bool>("--prompt-only") { Description = "Print the rendered prompt and its token ids; generate nothing." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (stable contract: fields are only ever added)." };
        var emphasisTokens = new Option<string[]>("--emphasis-tokens") { Description = "Emphasised prompt positions START:END (half-open; repeatable; with --input-ids)." };
        var modelOptions = new ModelCliOptions();
        var requestOptions = new RequestCliOptions(
            new RequestOptions { MaxTokens = 32, EmphasizeSystemMessage = false, Steering = new SteeringSettings { Method = SteeringMethod.None } },
            RequestSettings.MaxTokens, RequestSettings.Temperature, RequestSettings.TopP, RequestSettings.TopK, RequestSettings.Seed,
            RequestSettings.StopSequences, RequestSettings.RepetitionPenalty, RequestSettings.FrequencyPenalty, RequestSettings.PresencePenalty,
            RequestSettings.Emphasis, RequestSettings.EmphasizeSystemMessage, RequestSettings.UntrustedInlineEmphasis,
            RequestSettings.Steering, RequestSettings.Gate, RequestSettings.Alpha, RequestSettings.Beta, RequestSettings.MaxTrials, RequestSettings.Strategy,
            RequestSettings.EnableThinking);

        var command = new Command("generate", "Generate from a checkpoint, from token ids or a chat prompt.")
        {
            model, inputIds, prompt, system, messages, tools, promptOnly, json, emphasisTokens,
        };
        foreach (var option in requestOptions.All.Concat(modelOptions.All))
        {
            command.Options.Add(option);
        }

        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                // Every request flag is read and checked here, before the model loads.
                var settings = requestOptions.Read(result);
                var runtime = modelOptions.Build(result);
                string? idsText = result.GetValue(inputIds);
                string? promptText = result.GetValue(prompt);
                string? messagesFile = result.GetValue(messages);
                if ((idsText is null ? 0 : 1) + (promptText is null ? 0 : 1) + (messagesFile is null ? 0 : 1) != 1)
                {
                    throw new FormatException("Give exactly one of --input-ids (token ids), --prompt (a chat message) or --messages (a conversation file).");
                }

                if (idsText is not null && (result.GetValue(tools) is not null || result.GetValue(promptOnly)))
                {
                    throw new FormatException("--tools and --prompt-only need a chat prompt (--prompt or --messages), not --input-ids.");
                }

                if (idsText is not null && settings.StopSequences.Count > 0)
                {
                    throw new FormatException("--stop needs a chat prompt (--prompt or --messages): stop strings are matched on the decoded text, and --input-ids loads no tokenizer.");
                }

                if (messagesFile is not null && result.GetValue(system) is not null)
                {
                    throw new FormatException("--system goes with --prompt; with --messages put the system message in the file.");
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
                    var selector = settings.Steering.CreateSelector(spans, llm.LayerCount);
                    var generation = new GenerationOptions
                    {
                        MaxNewTokens = settings.MaxTokens,
                        Temperature = settings.Temperature,
                        TopP = settings.TopP,
                        TopK = settings.TopK,
                        Seed = settings.Seed,
                        RepetitionPenalty = settings.RepetitionPenalty,
                        FrequencyPenalty = settings.FrequencyPenalty,
                        PresencePenalty = settings.PresencePenalty,
                    };
                    var outcome = await generator.GenerateAsync(ids, generation, selector, cancellationToken: cancellationToken);
                    payload = Payload(outcome, ids, spans, null, selector?.Summary, selector?.Trace, loadClock.Elapsed);
                }
                else
                {
                    using var chat = ChatModel.Load(modelPath, new ChatModelOptions { Model = runtime, ChatTemplate = result.GetValue(modelOptions.ChatTemplate) });
                    loadClock.Stop();
                    var turns = new List<ChatTurn>();
                    if (messagesFile is not null)
                    {
                        turns.AddRange(HfConversationFile.ReadMessages(messagesFile));
                    }
                    else
                    {
                        if (result.GetValue(system) is { } systemText)
                        {
                            turns.Add(new ChatTurn(ChatRole.System, systemText));
                        }

                        turns.Add(new ChatTurn(ChatRole.User, promptText!));
                    }

                    var request = settings.ToChatRequest(turns) with
                    {
                        Tools = result.GetValue(tools) is { } toolsFile ? HfConversationFile.ReadTools(toolsFile) : [],
                    };
                    var (promptIds, promptSpans, renderedPrompt) = chat.BuildPrompt(request);
                    if (result.GetValue(promptOnly))
                    {
                        var rendered = new PromptJson
                        {
                            Prompt = renderedPrompt,
                            PromptIds = promptIds,
                            PromptTokens = promptIds.Count,
                            EmphasisSpans = promptSpans.Select(s => new[] { s.Start, s.End }).ToList(),
                            ChatTemplate = chat.TemplateFor(request).Name,
                        };
                        Console.WriteLine(result.GetValue(json) ? JsonSerializer.Serialize(rendered, CliJson.Options) : renderedPrompt);
                        if (!result.GetValue(json))
                        {
                            Console.Error.WriteLine($"{promptIds.Count} prompt tokens: {string.Join(",", promptIds)}");
                        }

                        return 0;
                    }

                    var reply = await chat.CompleteAsync(request, cancellationToken);
                    payload = Payload(reply.Generation, promptIds, reply.EmphasisSpans, reply.RawText, reply.Steering, reply.Steering is null ? null : reply.SteeringTrace, loadClock.Elapsed)
                        with { Reasoning = reply.Reasoning };
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
