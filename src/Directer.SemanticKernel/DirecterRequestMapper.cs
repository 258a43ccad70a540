using System.Text.Json;
using Directer.Core.Chat;
using Directer.Core.Steering;
using Directer.Core.Templates;
using Microsoft.Extensions.AI;
using AIChatRole = Microsoft.Extensions.AI.ChatRole;
using TemplateRole = Directer.Core.Chat.ChatRole;

namespace Directer.SemanticKernel;

/// <summary>
/// Maps Microsoft.Extensions.AI messages and <see cref="ChatOptions"/> to an engine <see cref="ChatRequest"/>:
/// roles and tool calls/results, tools and tool mode, instructions, sampling, stop sequences, and a response
/// format, which local generation cannot enforce, so JSON is asked for in an emphasised system instruction.
/// </summary>
internal static class DirecterRequestMapper
{
    /// <summary>The instruction added for <see cref="ChatResponseFormat.Json"/>.</summary>
    public const string JsonInstruction = "Respond with one valid JSON value and nothing else: no code fences, no text before or after it.";

    /// <summary>The instruction added when a tool call is required.</summary>
    public const string ToolRequiredInstruction = "You must answer by calling one of the available tools.";

    public static DirecterRequestPlan Map(IEnumerable<ChatMessage> messages, ChatOptions? options, DirecterRequestDefaults defaults)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var messageList = messages.ToList();
        var turns = new List<ChatTurn>();
        var toolNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var message in messageList)
        {
            turns.AddRange(ToTurns(message, toolNames));
        }

        var tools = options?.ToolMode is NoneChatToolMode ? [] : (options?.Tools ?? []).OfType<AIFunctionDeclaration>()
            .Select(f => new ToolDefinition(f.Name, f.Description, f.JsonSchema.GetRawText())).ToList();
        bool toolRequired = tools.Count > 0 && options?.ToolMode is RequiredChatToolMode;
        var instructions = new List<string>();
        var hints = new List<string>();
        if (!string.IsNullOrWhiteSpace(options?.Instructions))
        {
            instructions.Add(options.Instructions);
        }

        if (toolRequired)
        {
            hints.Add(options!.ToolMode is RequiredChatToolMode { RequiredFunctionName: { } name }
                ? $"You must answer by calling the tool '{name}'."
                : ToolRequiredInstruction);
        }

        // The format may also arrive as a "response_format" property (prompt settings): read it with the rest.
        var settings = DirecterChatOptions.Read(options, defaults, hasSystemMessage: true);
        bool json = settings.ResponseFormat is ChatResponseFormatJson;
        if (settings.ResponseFormat is ChatResponseFormatJson format)
        {
            hints.Add(JsonHint(format));
        }

        turns = WithSystemText(turns, instructions, hints);
        bool hasSystem = turns.Any(t => t.Role == TemplateRole.System);
        settings = DirecterChatOptions.Read(options, defaults, hasSystem);
        var emphasis = settings.Emphasis;
        if (hints.Count > 0 && !emphasis.SystemMessage && settings.Steering.Method != SteeringMethod.None)
        {
            emphasis = emphasis with { Texts = [.. emphasis.Texts, .. hints] };
        }

        var ignored = new List<string>();
        if (options?.FrequencyPenalty is not null)
        {
            ignored.Add("FrequencyPenalty");
        }

        if (options?.PresencePenalty is not null)
        {
            ignored.Add("PresencePenalty");
        }

        var request = new ChatRequest
        {
            Turns = turns,
            Tools = tools,
            Emphasis = emphasis,
            Steering = settings.Steering,
            MaxNewTokens = settings.MaxTokens,
            Temperature = settings.Temperature,
            TopP = settings.TopP,
            TopK = settings.TopK,
            Seed = settings.Seed,
            StopStrings = settings.StopSequences,
            ConstrainToolCalls = settings.ConstrainToolCalls,

            // Only the constraint can force a call; without it the emphasised instruction above asks for one.
            RequireToolCall = toolRequired,
            RequiredToolName = toolRequired && options!.ToolMode is RequiredChatToolMode { RequiredFunctionName: { } required } ? required : null,
        };
        return new DirecterRequestPlan(request, messageList.Count, json, toolRequired, options?.AllowMultipleToolCalls, ignored);
    }

    /// <summary>The JSON instruction, with the schema when one is given (inline-emphasis markers kept out of it).</summary>
    public static string JsonHint(ChatResponseFormatJson format)
    {
        if (format.Schema is not { } schema)
        {
            return JsonInstruction;
        }

        string name = format.SchemaName is { Length: > 0 } n ? $" '{n}'" : string.Empty;
        string description = format.SchemaDescription is { Length: > 0 } d ? $" ({d})" : string.Empty;
        string text = schema.GetRawText().Replace("[[", "[ [", StringComparison.Ordinal).Replace("]]", "] ]", StringComparison.Ordinal);
        return $"{JsonInstruction} It must conform to this JSON schema{name}{description}: {text}";
    }

    private static List<ChatTurn> WithSystemText(List<ChatTurn> turns, List<string> before, List<string> after)
    {
        if (before.Count == 0 && after.Count == 0)
        {
            return turns;
        }

        int at = turns.FindIndex(t => t.Role == TemplateRole.System);
        var parts = new List<string>(before);
        if (at >= 0 && turns[at].Content.Length > 0)
        {
            parts.Add(turns[at].Content);
        }

        parts.AddRange(after);
        string text = string.Join("\n\n", parts);
        var result = new List<ChatTurn>(turns);
        if (at >= 0)
        {
            result[at] = result[at] with { Content = text };
        }
        else
        {
            result.Insert(0, new ChatTurn(TemplateRole.System, text));
        }

        return result;
    }

    private static IEnumerable<ChatTurn> ToTurns(ChatMessage message, Dictionary<string, string> toolNames)
    {
        string text = string.Concat(message.Contents.OfType<TextContent>().Select(t => t.Text));
        if (message.Role == AIChatRole.System)
        {
            yield return new ChatTurn(TemplateRole.System, text);
        }
        else if (message.Role == AIChatRole.User)
        {
            yield return new ChatTurn(TemplateRole.User, text);
        }
        else if (message.Role == AIChatRole.Assistant)
        {
            var calls = message.Contents.OfType<FunctionCallContent>()
                .Select(c => new ToolCall(c.Name, JsonSerializer.Serialize(c.Arguments ?? new Dictionary<string, object?>()), c.CallId)).ToList();
            foreach (var call in calls.Where(c => c.Id is not null))
            {
                toolNames[call.Id!] = call.Name;
            }

            yield return new ChatTurn(TemplateRole.Assistant, text) { ToolCalls = calls };
        }
        else if (message.Role == AIChatRole.Tool)
        {
            foreach (var result in message.Contents.OfType<FunctionResultContent>())
            {
                string content = result.Result switch
                {
                    null => string.Empty,
                    string s => s,
                    JsonElement e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText(),
                    var other => JsonSerializer.Serialize(other),
                };
                yield return new ChatTurn(TemplateRole.Tool, content) { ToolCallId = result.CallId, ToolName = toolNames.GetValueOrDefault(result.CallId) };
            }
        }
        else
        {
            throw new ArgumentException($"Chat role '{message.Role}' is not supported: use system, user, assistant or tool.", nameof(message));
        }
    }
}
