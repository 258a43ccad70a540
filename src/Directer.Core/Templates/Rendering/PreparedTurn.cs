using Directer.Core.Emphasis;
using Directer.Core.Chat;

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
