using System.Text.Json;
using Directer.Core.Chat;
using Directer.Core.Requests;
using Directer.Core.Steering;
using Microsoft.Extensions.AI;
using AIChatRole = Microsoft.Extensions.AI.ChatRole;
using TurnRole = Directer.Core.Chat.ChatRole;

namespace Directer.Extensions.AI;

/// <summary>
/// Maps Microsoft.Extensions.AI messages and <see cref="ChatOptions"/> to an engine <see cref="ChatRequest"/>:
/// roles and tool calls/results, tools and tool mode, instructions, the request's settings (read once, see
/// <see cref="ChatOptionsReader"/>), and a response format, which local generation cannot enforce, so JSON is asked
/// for in an emphasised system instruction.
/// </summary>
internal static class DirecterRequestMapper
{
    /// <summary>The instruction added for <see cref="ChatResponseFormat.Json"/>.</summary>
    public const string JsonInstruction = "Respond with one valid JSON value and nothing else: no code fences, no text before or after it.";

    /// <summary>The instruction added when a tool call is required.</summary>
    public const string ToolRequiredInstruction = "You must answer by calling one of the available tools.";

    /// <summary>The engine request for <paramref name="messages"/> and <paramref name="options"/>.</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">Tools, tool mode, instructions and settings; settings already parsed by Directer's SK
    /// service arrive through <see cref="ChatOptions.RawRepresentationFactory"/> and are not read again.</param>
    /// <param name="defaults">What applies when a setting is absent.</param>
    /// <param name="client">The client the options' raw representation is asked for.</param>
    /// <exception cref="ArgumentException">A setting is invalid (the message names it) or a role is not supported.</exception>
    public static DirecterRequestPlan Map(IEnumerable<ChatMessage> messages, ChatOptions? options, RequestOptions defaults, IChatClient? client = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(defaults);
        var ignored = new List<string>();
        var settings = client is null ? ChatOptionsReader.Read(options, defaults, ignored) : ChatOptionsReader.Resolve(options, client, defaults, ignored);
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

        bool json = settings.ResponseFormat is { IsJson: true };
        if (json)
        {
            hints.Add(JsonHint(settings.ResponseFormat!));
        }

        turns = WithSystemText(turns, instructions, hints);
        bool hasSystem = turns.Any(t => t.Role == TurnRole.System);

        // The connector's own instructions are emphasised even when the system message as a whole is not.
        bool emphasiseHints = hints.Count > 0 && !(settings.EmphasizeSystemMessage != false && hasSystem) && settings.Steering.Method != SteeringMethod.None;
        var request = settings.ToChatRequest(turns, tools, settings.ToEmphasis(hasSystem, emphasiseHints ? hints : null)) with
        {
            // Only the constraint can force a call; without it the emphasised instruction above asks for one.
            RequireToolCall = toolRequired,
            RequiredToolName = toolRequired && options!.ToolMode is RequiredChatToolMode { RequiredFunctionName: { } required } ? required : null,
        };
        return new DirecterRequestPlan(request, messageList.Count, json, toolRequired, options?.AllowMultipleToolCalls, ignored);
    }

    /// <summary>The JSON instruction, with the schema when one is given (inline-emphasis markers kept out of it).</summary>
    public static string JsonHint(RequestResponseFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
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

        int at = turns.FindIndex(t => t.Role == TurnRole.System);
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
            result.Insert(0, new ChatTurn(TurnRole.System, text));
        }

        return result;
    }

    private static IEnumerable<ChatTurn> ToTurns(ChatMessage message, Dictionary<string, string> toolNames)
    {
        string text = string.Concat(message.Contents.OfType<TextContent>().Select(t => t.Text));
        if (message.Role == AIChatRole.System)
        {
            yield return new ChatTurn(TurnRole.System, text);
        }
        else if (message.Role == AIChatRole.User)
        {
            yield return new ChatTurn(TurnRole.User, text);
        }
        else if (message.Role == AIChatRole.Assistant)
        {
            var calls = message.Contents.OfType<FunctionCallContent>()
                .Select(c => new ToolCall(c.Name, JsonSerializer.Serialize(c.Arguments ?? new Dictionary<string, object?>()), c.CallId)).ToList();
            foreach (var call in calls.Where(c => c.Id is not null))
            {
                toolNames[call.Id!] = call.Name;
            }

            // Reasoning returned earlier (TextReasoningContent) goes back to the template, which decides what to keep.
            var reasoning = message.Contents.OfType<TextReasoningContent>().Select(r => r.Text).ToList();
            yield return new ChatTurn(TurnRole.Assistant, text) { ToolCalls = calls, Reasoning = reasoning.Count > 0 ? string.Concat(reasoning) : null };
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
                yield return new ChatTurn(TurnRole.Tool, content) { ToolCallId = result.CallId, ToolName = toolNames.GetValueOrDefault(result.CallId) };
            }
        }
        else
        {
            throw new ArgumentException($"Chat role '{message.Role}' is not supported: use system, user, assistant or tool.", nameof(message));
        }
    }
}
