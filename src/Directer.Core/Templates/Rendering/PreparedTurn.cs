using Directer.Core.Emphasis;
using Directer.Core.Chat;
using Directer.Core.Tokenization;

namespace Directer.Core.Templates;

/// <summary>A validated turn ready to render: inline emphasis markers removed from its content, and the ranges they
/// marked (in the stripped content's coordinates).</summary>
internal sealed class PreparedTurn
{
    private PreparedTurn(int index, ChatTurn turn, string content, IReadOnlyList<CharRange> marked)
    {
        Index = index;
        Role = turn.Role;
        Content = content;
        ToolCalls = turn.ToolCalls;
        ToolCallId = turn.ToolCallId;
        ToolName = turn.ToolName;
        AllowControlTokens = turn.AllowControlTokens;
        Marked = marked;
    }

    /// <summary>The turn's position in the caller's list.</summary>
    public int Index { get; }

    /// <summary>Who speaks.</summary>
    public ChatRole Role { get; }

    /// <summary>The content as the template sees it (inline markers removed).</summary>
    public string Content { get; }

    /// <summary>The assistant's tool calls.</summary>
    public IReadOnlyList<ToolCall> ToolCalls { get; }

    /// <summary>The id of the call a tool turn answers.</summary>
    public string? ToolCallId { get; }

    /// <summary>The tool that produced a tool turn.</summary>
    public string? ToolName { get; }

    /// <summary>Whether control-token strings in this turn's content and tool-call arguments are read as control
    /// tokens (<see cref="ChatTurn.AllowControlTokens"/>).</summary>
    public bool AllowControlTokens { get; }

    /// <summary>Ranges of <see cref="Content"/> that inline markers emphasised.</summary>
    public IReadOnlyList<CharRange> Marked { get; }

    /// <summary>The role name Hugging Face messages use.</summary>
    public string RoleName => Role switch
    {
        ChatRole.System => "system",
        ChatRole.User => "user",
        ChatRole.Assistant => "assistant",
        _ => "tool",
    };

    /// <summary>A lone UTF-16 surrogate cannot be encoded as UTF-8: the tokenizer would silently turn it into U+FFFD.</summary>
    private static void RequireValidUnicode(string? text, string what)
    {
        if (text is not null && UnicodeText.FindLoneSurrogate(text) is int at)
        {
            throw new ArgumentException($"{what} has a lone surrogate U+{(int)text[at]:X4} at character {at}: message text must be valid Unicode (a broken UTF-16 string, often cut in the middle of an emoji).", "turns");
        }
    }

    /// <summary>Validates the caller's turns and strips inline emphasis markers from system contents (and user contents
    /// when <see cref="EmphasisRequest.UntrustedInlineMarkers"/> is set).</summary>
    public static IReadOnlyList<PreparedTurn> Prepare(IReadOnlyList<ChatTurn> turns, EmphasisRequest? emphasis)
    {
        ArgumentNullException.ThrowIfNull(turns);
        if (turns.Count == 0)
        {
            throw new ArgumentException("A conversation needs at least one turn.", nameof(turns));
        }

        var markers = InlineEmphasisMarkers.From(emphasis);
        var prepared = new List<PreparedTurn>(turns.Count);
        for (int i = 0; i < turns.Count; i++)
        {
            var turn = turns[i] ?? throw new ArgumentException($"Turn {i} is null.", nameof(turns));
            if (turn.Content is null)
            {
                throw new ArgumentException($"Turn {i} ({turn.Role}) has null Content; use an empty string.", nameof(turns));
            }

            if (!Enum.IsDefined(turn.Role))
            {
                throw new ArgumentException($"Turn {i} has an unknown role {(int)turn.Role}.", nameof(turns));
            }

            RequireValidUnicode(turn.Content, $"Turn {i} ({turn.Role}) content");
            var calls = turn.ToolCalls ?? throw new ArgumentException($"Turn {i} has null ToolCalls.", nameof(turns));
            if (calls.Count > 0 && turn.Role != ChatRole.Assistant)
            {
                throw new ArgumentException($"Turn {i} is a {turn.Role} turn with tool calls; only assistant turns make tool calls.", nameof(turns));
            }

            for (int c = 0; c < calls.Count; c++)
            {
                var call = calls[c];
                if (call is null || string.IsNullOrEmpty(call.Name) || call.ArgumentsJson is null)
                {
                    throw new ArgumentException($"Tool call {c} of turn {i} needs a name and ArgumentsJson.", nameof(turns));
                }

                RequireValidUnicode(call.Name, $"Tool call {c} of turn {i}: the name");
                RequireValidUnicode(call.ArgumentsJson, $"Tool call {c} of turn {i}: ArgumentsJson");
            }

            string content = turn.Content;
            IReadOnlyList<CharRange> marked = [];
            // Emphasis is a privilege of trusted text: user markers only when the request opts in; assistant and tool
            // output never (their markers stay verbatim).
            if (markers is not null && (turn.Role == ChatRole.System || (turn.Role == ChatRole.User && emphasis!.UntrustedInlineMarkers)))
            {
                (content, marked) = markers.Strip(turn.Content, i);
            }

            prepared.Add(new PreparedTurn(i, turn, content, marked));
        }

        return prepared;
    }
}
