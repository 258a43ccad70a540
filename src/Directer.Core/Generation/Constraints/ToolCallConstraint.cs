using System.Text;
using Directer.Core.Templates;
using Directer.Core.Tokenization;
using Directer.Core.Chat;

namespace Directer.Core.Generation.Constraints;

/// <summary>
/// Keeps a model's tool calls valid for the listed tools, in the format its chat template teaches: Hermes
/// <c>&lt;tool_call&gt;{"name": ..., "arguments": {...}}&lt;/tool_call&gt;</c> (Qwen2.5, Qwen3, Hermes), Llama 3
/// <c>{"name": ..., "parameters": {...}}</c>, Mistral <c>[TOOL_CALLS] [{"name": ..., "arguments": {...}}]</c>. Once the
/// model opens a call, only tokens that keep the bytes a prefix of a call of a listed tool can be chosen — a listed name,
/// that tool's argument names (each once, all required ones), values of the declared simple type — and then the
/// format's end of the call. The model still chooses which tool and what values; text outside calls is never restricted
/// (except for a token that would open a call and continue it invalidly in the same token). The tool is chosen token by
/// token as the model writes its name; optionally by the model's probability of each whole name instead
/// (<see cref="IChoiceConstraint"/>, <c>scoreWholeNames</c>).
/// </summary>
public sealed class ToolCallConstraint : IChoiceConstraint
{
    private readonly ToolCallGrammar grammar;
    private readonly TokenTrie vocabulary;
    private readonly TextTokenizer tokenizer;
    private readonly List<int> pendingTools = new();
    private readonly List<string> chosenTools = new();
    private readonly int[] containingOpener;
    private readonly int openerToken;
    private CallState state;
    private bool[]? allowed;

    private readonly CallState start;
    private readonly bool scoreWholeNames;

    private ToolCallConstraint(ToolCallGrammar grammar, TokenTrie vocabulary, TextTokenizer tokenizer, CallState start, bool scoreWholeNames)
    {
        this.grammar = grammar;
        this.vocabulary = vocabulary;
        this.tokenizer = tokenizer;
        this.start = start;
        this.scoreWholeNames = scoreWholeNames;
        containingOpener = vocabulary.Containing(grammar.Syntax.Opener);

        // Mistral's [TOOL_CALLS] is one special token (no text bytes); the model opens its calls with that token.
        openerToken = tokenizer.TokenToId(grammar.Syntax.OpenerText) is int id && tokenizer.IsSpecial(id) ? id : -1;
        state = start;
    }

    /// <summary>The format whose calls are constrained.</summary>
    public ToolCallFormat Format => grammar.Syntax.Format;

    /// <summary>The tool each call of the last generation was steered to by <see cref="Choose"/>, in order.</summary>
    public IReadOnlyList<string> ChosenTools => chosenTools;

    /// <summary>Whether the next tokens are held to the call grammar (inside a call, or before a required one).</summary>
    public bool InsideCall => state.Phase != CallPhase.Free;

    /// <summary>Creates the constraint for calls of <paramref name="tools"/> written with <paramref name="template"/>, in
    /// the tool-call format the template teaches (<see cref="ToolCallFormat"/>).</summary>
    /// <param name="template">The chat template the model writes its calls in.</param>
    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="tools">The tools listed in the prompt.</param>
    /// <param name="requireCall">The reply must begin with a tool call (no text before it).</param>
    /// <param name="requiredTool">With <paramref name="requireCall"/>: that first call must name this tool; null = any listed tool.</param>
    /// <param name="scoreWholeNames">Choose the tool by the model's summed log-probability of each whole listed name
    /// (one extra pass per call) instead of token by token. Off by default: on the demo model it picked the expected tool
    /// less often (Constraints/README.md).</param>
    /// <exception cref="NotSupportedException">The template shows no tool-call format the constraint knows (Hermes, Llama 3 JSON, Mistral, Granite).</exception>
    /// <exception cref="ArgumentException">No tools, a repeated tool name, a parameters schema that is not a JSON object, or a
    /// required tool that is not listed.</exception>
    public static ToolCallConstraint Create(IChatTemplate template, TextTokenizer tokenizer, IReadOnlyList<ToolDefinition> tools, bool requireCall = false, string? requiredTool = null, bool scoreWholeNames = false)
    {
        ArgumentNullException.ThrowIfNull(template);
        var format = template is JinjaChatTemplate jinja ? jinja.ToolCallFormat : ToolCallFormat.None;
        if (CallSyntax.For(format) is null)
        {
            throw new NotSupportedException(format == ToolCallFormat.None
                ? $"Constraining tool calls needs a template with a known tool-call format (Hermes <tool_call> as qwen2.5, Llama 3 JSON as llama3, Mistral [TOOL_CALLS] as mistral, Granite <|tool_call|>); the '{template.Name}' template shows none."
                : $"The '{template.Name}' template's tool calls are {format}, which the tool-call constraint does not cover (it covers Hermes, Llama 3 JSON, Mistral and Granite calls); leave ConstrainToolCalls off for it.");
        }

        return For(format, tokenizer, tools, requireCall, requiredTool, scoreWholeNames);
    }

    /// <summary>Creates the constraint for Hermes calls of <paramref name="tools"/> tokenized by <paramref name="tokenizer"/>.</summary>
    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="tools">The tools listed in the prompt.</param>
    /// <param name="requireCall">The reply must begin with a tool call (no text before it).</param>
    /// <param name="requiredTool">With <paramref name="requireCall"/>: that first call must name this tool; null = any listed tool.</param>
    /// <param name="scoreWholeNames">Choose the tool by the model's summed log-probability of each whole listed name
    /// instead of token by token (see <see cref="Create"/>).</param>
    /// <exception cref="ArgumentException">No tools, a repeated tool name, a parameters schema that is not a JSON object, or a
    /// required tool that is not listed.</exception>
    public static ToolCallConstraint ForHermes(TextTokenizer tokenizer, IReadOnlyList<ToolDefinition> tools, bool requireCall = false, string? requiredTool = null, bool scoreWholeNames = false) =>
        For(ToolCallFormat.Hermes, tokenizer, tools, requireCall, requiredTool, scoreWholeNames);

    /// <summary>Creates the constraint for calls of <paramref name="tools"/> in <paramref name="format"/>, tokenized by <paramref name="tokenizer"/>.</summary>
    /// <param name="format">The tool-call format (not <see cref="ToolCallFormat.None"/>).</param>
    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="tools">The tools listed in the prompt.</param>
    /// <param name="requireCall">The reply must begin with a tool call (no text before it).</param>
    /// <param name="requiredTool">With <paramref name="requireCall"/>: that first call must name this tool; null = any listed tool.</param>
    /// <param name="scoreWholeNames">Choose the tool by the model's summed log-probability of each whole listed name
    /// instead of token by token (see <see cref="Create"/>).</param>
    /// <exception cref="ArgumentException">No format, no tools, a repeated tool name, a parameters schema that is not a JSON
    /// object, or a required tool that is not listed.</exception>
    public static ToolCallConstraint For(ToolCallFormat format, TextTokenizer tokenizer, IReadOnlyList<ToolDefinition> tools, bool requireCall = false, string? requiredTool = null, bool scoreWholeNames = false)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(tools);
        var syntax = CallSyntax.For(format) ?? throw new ArgumentException($"Tool-call format {format} has no call grammar.", nameof(format));
        var grammar = new ToolCallGrammar(tools.Select(ToolGrammar.From).ToList(), syntax);
        var start = CallState.Outside;
        if (requireCall)
        {
            start.Phase = CallPhase.MustOpen;
            if (requiredTool is not null)
            {
                int index = tools.ToList().FindIndex(t => t.Name == requiredTool);
                if (index < 0)
                {
                    throw new ArgumentException($"The required tool '{requiredTool}' is not among the listed tools ({string.Join(", ", tools.Select(t => t.Name))}).", nameof(requiredTool));
                }

                ToolCallGrammar.ChooseName(ref start, index);
            }
        }
        else if (requiredTool is not null)
        {
            throw new ArgumentException("A required tool needs requireCall.", nameof(requiredTool));
        }

        return new ToolCallConstraint(grammar, TokenTrie.For(tokenizer), tokenizer, start, scoreWholeNames);
    }

    /// <inheritdoc />
    public void Begin()
    {
        state = start;
        pendingTools.Clear();
        chosenTools.Clear();
    }

    /// <inheritdoc />
    public IReadOnlyList<IReadOnlyList<int>> PendingChoices()
    {
        pendingTools.Clear();
        if (!scoreWholeNames)
        {
            return [];
        }

        var alternatives = grammar.NameAlternatives(state);
        var choices = new List<IReadOnlyList<int>>(alternatives.Count);
        foreach (var (tool, rest) in alternatives)
        {
            pendingTools.Add(tool);
            choices.Add(tokenizer.Encode(Encoding.UTF8.GetString(rest)));
        }

        return choices;
    }

    /// <inheritdoc />
    public void Choose(int index)
    {
        if (index < 0 || index >= pendingTools.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"There are {pendingTools.Count} pending choices.");
        }

        ToolCallGrammar.ChooseName(ref state, pendingTools[index]);
        chosenTools.Add(grammar.Tools[pendingTools[index]].Name);
        pendingTools.Clear();
    }

    /// <inheritdoc />
    public bool[]? AllowedNext(int vocabSize)
    {
        if (allowed is null || allowed.Length != vocabSize)
        {
            allowed = new bool[vocabSize];
        }

        if (state.Phase == CallPhase.MustOpen && openerToken >= 0)
        {
            // The opener is one special token: a required call starts with exactly that token.
            Array.Clear(allowed);
            if (openerToken >= vocabSize)
            {
                throw new InvalidOperationException($"The tool-call opener '{grammar.Syntax.OpenerText}' (token {openerToken}) is outside the model's vocabulary of {vocabSize}.");
            }

            allowed[openerToken] = true;
            return allowed;
        }

        bool restricted = state.Phase == CallPhase.Free ? MarkOutside(allowed) : MarkInside(allowed);
        return restricted ? allowed : null;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tokenId"/> is below 0.</exception>
    public void Accept(int tokenId)
    {
        TokenIdArgument.RequireNotNegative(tokenId); // an opener that is no special token reads as -1

        if (tokenId == openerToken && state.Phase is CallPhase.Free or CallPhase.MustOpen)
        {
            state = grammar.Opened(state);
            return;
        }

        byte[] bytes = tokenId >= 0 && tokenId < vocabulary.TokenBytes.Length ? vocabulary.TokenBytes[tokenId] : [];
        if (bytes.Length == 0)
        {
            if (state.Phase != CallPhase.Free)
            {
                throw new InvalidOperationException($"Token {tokenId} (a special token or no text) cannot continue the open tool call.");
            }

            return;
        }

        var next = state;
        if (!grammar.FeedAll(ref next, bytes))
        {
            throw new InvalidOperationException($"Token {tokenId} breaks the tool-call grammar; it was not among the allowed tokens.");
        }

        state = next;
    }

    /// <summary>Inside a call: exactly the tokens whose every byte the grammar accepts.</summary>
    private bool MarkInside(bool[] flags)
    {
        Array.Clear(flags);
        int count = ToolCallGrammar.InPlainString(state) ? MarkInsideString(flags) : Collect(vocabulary, state, flags);
        if (count == 0)
        {
            throw new InvalidOperationException("No token of the vocabulary can continue the open tool call (the vocabulary lacks a byte the grammar needs).");
        }

        return true;
    }

    /// <summary>Inside an open string (most of a call's tokens): plain tokens are allowed as they are, the rest are fed.</summary>
    private int MarkInsideString(bool[] flags)
    {
        // The model's vocabulary may be larger or (rarely) smaller than the tokenizer's; ids past either end stay refused.
        Array.Copy(vocabulary.PlainTokens, flags, Math.Min(flags.Length, vocabulary.PlainTokens.Length));
        int count = flags.Length >= vocabulary.PlainTokens.Length ? vocabulary.PlainCount : flags.Count(f => f);

        foreach (int id in vocabulary.NonPlainTokens)
        {
            var next = state;
            if (id < flags.Length && grammar.FeedAll(ref next, vocabulary.TokenBytes[id]))
            {
                flags[id] = true;
                count++;
            }
        }

        return count;
    }

    private int Collect(TokenTrie node, CallState at, bool[] flags)
    {
        int count = 0;
        for (int i = 0; i < node.Edges.Length; i++)
        {
            var next = at;
            if (!grammar.Feed(ref next, node.Edges[i]))
            {
                continue;
            }

            var child = node.Children[i];
            foreach (int id in child.Tokens)
            {
                if (id < flags.Length)
                {
                    flags[id] = true;
                    count++;
                }
            }

            count += Collect(child, next, flags);
        }

        return count;
    }

    /// <summary>
    /// Outside a call every byte is fine; only a token that completes the opener and goes on past it
    /// can break the grammar. Those are the tokens holding the whole opener, and, while a partial opener is
    /// pending, the tokens that start with the rest of it. Returns false when nothing is refused.
    /// </summary>
    private bool MarkOutside(bool[] flags)
    {
        // Runs on every step outside a call, so no closures or delegates: "any" says whether flags was filled yet.
        bool any = false;
        foreach (int id in containingOpener)
        {
            var next = state;
            if (!grammar.FeedAll(ref next, vocabulary.TokenBytes[id]))
            {
                Refuse(flags, ref any, id);
            }
        }

        if (state.OpenerMatched > 0)
        {
            var rest = grammar.Opener[state.OpenerMatched..];
            var node = vocabulary.Walk(rest);
            var opened = state;
            if (node is not null && grammar.FeedAll(ref opened, rest))
            {
                RefuseBelow(node, opened, flags, ref any);
            }
        }

        return any;
    }

    private static void Refuse(bool[] flags, ref bool any, int id)
    {
        if (!any)
        {
            Array.Fill(flags, true);
            any = true;
        }

        if (id < flags.Length)
        {
            flags[id] = false;
        }
    }

    private void RefuseBelow(TokenTrie node, CallState at, bool[] flags, ref bool any)
    {
        for (int i = 0; i < node.Edges.Length; i++)
        {
            var next = at;
            if (grammar.Feed(ref next, node.Edges[i]))
            {
                RefuseBelow(node.Children[i], next, flags, ref any);
            }
            else
            {
                RefuseSubtree(node.Children[i], flags, ref any);
            }
        }
    }

    private static void RefuseSubtree(TokenTrie node, bool[] flags, ref bool any)
    {
        foreach (int id in node.Tokens)
        {
            Refuse(flags, ref any, id);
        }

        foreach (var child in node.Children)
        {
            RefuseSubtree(child, flags, ref any);
        }
    }
}
