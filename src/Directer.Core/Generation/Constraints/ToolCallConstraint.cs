using System.Text;
using Directer.Core.Templates;
using Directer.Core.Tokenization;
using Directer.Core.Chat;

namespace Directer.Core.Generation.Constraints;

/// <summary>
/// Keeps a model's Hermes tool calls (<c>&lt;tool_call&gt;{"name": ..., "arguments": {...}}&lt;/tool_call&gt;</c>,
/// the Qwen2.5 format) valid for the listed tools: once the model opens a call, only tokens that keep the
/// bytes a prefix of a call of a listed tool can be chosen — a listed name, that tool's argument names
/// (each once, all required ones), values of the declared simple type — and then the closing tag. The
/// model still chooses which tool and what values; text outside calls is never restricted (except for a
/// token that would open a call and continue it invalidly in the same token). The tool is chosen token by token as
/// the model writes its name; optionally by the model's probability of each whole name instead
/// (<see cref="IChoiceConstraint"/>, <c>scoreWholeNames</c>).
/// </summary>
public sealed class ToolCallConstraint : IChoiceConstraint
{
    private readonly HermesCallGrammar grammar;
    private readonly TokenTrie vocabulary;
    private readonly TextTokenizer tokenizer;
    private readonly List<int> pendingTools = new();
    private readonly List<string> chosenTools = new();
    private CallState state;
    private bool[]? allowed;

    private readonly CallState start;
    private readonly bool scoreWholeNames;

    private ToolCallConstraint(HermesCallGrammar grammar, TokenTrie vocabulary, TextTokenizer tokenizer, CallState start, bool scoreWholeNames)
    {
        this.grammar = grammar;
        this.vocabulary = vocabulary;
        this.tokenizer = tokenizer;
        this.start = start;
        this.scoreWholeNames = scoreWholeNames;
        state = start;
    }

    /// <summary>The tool each call of the last generation was steered to by <see cref="Choose"/>, in order.</summary>
    public IReadOnlyList<string> ChosenTools => chosenTools;

    /// <summary>Whether the next tokens are held to the call grammar (inside a call, or before a required one).</summary>
    public bool InsideCall => state.Phase != CallPhase.Free;

    /// <summary>Creates the constraint for calls of <paramref name="tools"/> written with <paramref name="template"/>.</summary>
    /// <param name="template">The chat template the model writes its calls in.</param>
    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="tools">The tools listed in the prompt.</param>
    /// <param name="requireCall">The reply must begin with a tool call (no text before it).</param>
    /// <param name="requiredTool">With <paramref name="requireCall"/>: that first call must name this tool; null = any listed tool.</param>
    /// <param name="scoreWholeNames">Choose the tool by the model's summed log-probability of each whole listed name
    /// (one extra pass per call) instead of token by token. Off by default: on the demo model it picked the expected tool
    /// less often (Constraints/README.md).</param>
    /// <exception cref="NotSupportedException">The template does not write Hermes <c>&lt;tool_call&gt;</c> blocks.</exception>
    /// <exception cref="ArgumentException">No tools, a repeated tool name, a parameters schema that is not a JSON object, or a
    /// required tool that is not listed.</exception>
    public static ToolCallConstraint Create(IChatTemplate template, TextTokenizer tokenizer, IReadOnlyList<ToolDefinition> tools, bool requireCall = false, string? requiredTool = null, bool scoreWholeNames = false)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (template is not IHermesToolCalls)
        {
            throw new NotSupportedException(
                $"Constraining tool calls needs a template that writes Hermes <tool_call> blocks (qwen2.5); the '{template.Name}' template writes its calls differently.");
        }

        return ForHermes(tokenizer, tools, requireCall, requiredTool, scoreWholeNames);
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
    public static ToolCallConstraint ForHermes(TextTokenizer tokenizer, IReadOnlyList<ToolDefinition> tools, bool requireCall = false, string? requiredTool = null, bool scoreWholeNames = false)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(tools);
        var grammar = new HermesCallGrammar(tools.Select(ToolGrammar.From).ToList());
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

                HermesCallGrammar.ChooseName(ref start, index);
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

        HermesCallGrammar.ChooseName(ref state, pendingTools[index]);
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

        bool restricted = state.Phase == CallPhase.Free ? MarkOutside(allowed) : MarkInside(allowed);
        return restricted ? allowed : null;
    }

    /// <inheritdoc />
    public void Accept(int tokenId)
    {
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
        int count = HermesCallGrammar.InPlainString(state) ? MarkInsideString(flags) : Collect(vocabulary, state, flags);
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
    /// Outside a call every byte is fine; only a token that completes the opening tag and goes on past it
    /// can break the grammar. Those are the tokens holding the whole tag, and, while a partial tag is
    /// pending, the tokens that start with the rest of it. Returns false when nothing is refused.
    /// </summary>
    private bool MarkOutside(bool[] flags)
    {
        // Runs on every step outside a call, so no closures or delegates: "any" says whether flags was filled yet.
        bool any = false;
        foreach (int id in vocabulary.ContainingOpener)
        {
            var next = state;
            if (!grammar.FeedAll(ref next, vocabulary.TokenBytes[id]))
            {
                Refuse(flags, ref any, id);
            }
        }

        if (state.OpenerMatched > 0)
        {
            var rest = HermesCallGrammar.Opener[state.OpenerMatched..];
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
