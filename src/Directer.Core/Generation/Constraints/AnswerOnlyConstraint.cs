using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using Directer.Core.Chat;
using Directer.Core.Tokenization;

namespace Directer.Core.Generation.Constraints;

/// <summary>
/// Holds a reasoning model's reply to <see cref="Inner"/> only after its <c>&lt;think&gt;…&lt;/think&gt;</c> block: a call
/// the model merely considers while reasoning is not made (the parser reads the answer only), so the call grammar must
/// not rewrite the reasoning either. The block counts as <see cref="ReasoningSplitter"/> counts it: opened by the prompt,
/// or by the reply's first non-whitespace text. Before that is known the inner constraint applies, and the opening tag
/// stays allowed when the vocabulary has it as one token (so a required call does not forbid reasoning first); once the
/// block closes, the inner constraint starts afresh, so a required call must come first in the answer — after the
/// whitespace the templates write after <c>&lt;/think&gt;</c>, which stays allowed and is not fed to it.
/// </summary>
internal sealed class AnswerOnlyConstraint : IChoiceConstraint
{
    private static readonly byte[] Open = Encoding.ASCII.GetBytes(ReasoningSplitter.Open);
    private static readonly byte[] Close = Encoding.ASCII.GetBytes(ReasoningSplitter.Close);

    // The whitespace the templates write around the reasoning block.
    private static readonly SearchValues<byte> Space = SearchValues.Create(" \n\r\t"u8);

    private readonly TextTokenizer tokenizer;
    private readonly bool openedByPrompt;
    private readonly int openToken;
    private readonly List<byte> lead = new();
    private readonly List<byte> reasoningTail = new();
    private bool[]? whitespaceTokens;
    private Phase phase;

    /// <param name="inner">The constraint on the answer.</param>
    /// <param name="tokenizer">The model's tokenizer (the tags are matched on the tokens' bytes).</param>
    /// <param name="openedByPrompt">Whether the prompt ends inside an open reasoning block.</param>
    public AnswerOnlyConstraint(IChoiceConstraint inner, TextTokenizer tokenizer, bool openedByPrompt)
    {
        Inner = inner;
        this.tokenizer = tokenizer;
        this.openedByPrompt = openedByPrompt;
        openToken = tokenizer.TokenToId(ReasoningSplitter.Open) ?? -1;
    }

    private enum Phase
    {
        Lead,
        Reasoning,
        AnswerLead,
        Answer,
    }

    /// <summary>The constraint on the answer.</summary>
    public IChoiceConstraint Inner { get; }

    /// <inheritdoc />
    public void Begin()
    {
        lead.Clear();
        reasoningTail.Clear();
        phase = openedByPrompt ? Phase.Reasoning : Phase.Lead;
        Inner.Begin();
    }

    /// <inheritdoc />
    public IReadOnlyList<IReadOnlyList<int>> PendingChoices() => phase == Phase.Reasoning ? [] : Inner.PendingChoices();

    /// <inheritdoc />
    public void Choose(int index)
    {
        if (phase == Phase.Reasoning)
        {
            throw new InvalidOperationException("No choice is pending while the model reasons.");
        }

        Inner.Choose(index);
    }

    /// <inheritdoc />
    public bool[]? AllowedNext(int vocabSize)
    {
        if (phase == Phase.Reasoning)
        {
            return null;
        }

        bool[]? allowed = Inner.AllowedNext(vocabSize);
        if (allowed is not null && phase == Phase.AnswerLead)
        {
            var withSpace = (bool[])allowed.Clone();
            bool[] space = WhitespaceTokens(vocabSize);
            for (int i = 0; i < withSpace.Length; i++)
            {
                withSpace[i] |= space[i];
            }

            return withSpace;
        }

        if (allowed is null || phase != Phase.Lead || lead.Count > 0 || openToken < 0 || openToken >= vocabSize || allowed[openToken])
        {
            return allowed;
        }

        // A copy: the inner constraint may reuse its array and need not rewrite this entry.
        var withOpen = (bool[])allowed.Clone();
        withOpen[openToken] = true;
        return withOpen;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tokenId"/> is below 0.</exception>
    public void Accept(int tokenId)
    {
        TokenIdArgument.RequireNotNegative(tokenId); // without a tag token openToken is -1

        switch (phase)
        {
            case Phase.Answer:
                Inner.Accept(tokenId);
                return;
            case Phase.AnswerLead:
                if (IsWhitespace(tokenizer.TokenBytes(tokenId).Span))
                {
                    return;
                }

                phase = Phase.Answer;
                Inner.Accept(tokenId);
                return;
            case Phase.Lead:
            {
                if (tokenId == openToken && lead.Count == 0)
                {
                    phase = Phase.Reasoning; // the inner constraint starts afresh after the block
                    return;
                }

                Inner.Accept(tokenId);
                lead.AddRange(tokenizer.TokenBytes(tokenId).Span);
                var text = CollectionsMarshal.AsSpan(lead);
                int first = text.IndexOfAnyExcept(Space);
                if (first < 0)
                {
                    return; // only whitespace so far
                }

                var rest = text[first..];
                int compared = Math.Min(rest.Length, Open.Length);
                if (!rest[..compared].SequenceEqual(Open.AsSpan(0, compared)))
                {
                    phase = Phase.Answer; // no reasoning block: the whole reply is the answer
                }
                else if (rest.Length >= Open.Length)
                {
                    phase = Phase.Reasoning;
                    reasoningTail.AddRange(rest[Open.Length..]);
                    EndReasoningIfClosed();
                }

                return;
            }

            case Phase.Reasoning:
                reasoningTail.AddRange(tokenizer.TokenBytes(tokenId).Span);
                EndReasoningIfClosed();
                return;
        }
    }

    private void EndReasoningIfClosed()
    {
        int close = CollectionsMarshal.AsSpan(reasoningTail).IndexOf(Close);
        if (close >= 0)
        {
            // The answer starts after the tag; its grammar starts afresh (bytes of the closing token after the tag are
            // whitespace in the templates' own output and are not fed to it).
            phase = Phase.AnswerLead;
            Inner.Begin();
            return;
        }

        // Keep only what could still be the start of the tag.
        int keep = Math.Min(reasoningTail.Count, Close.Length - 1);
        reasoningTail.RemoveRange(0, reasoningTail.Count - keep);
    }

    private bool[] WhitespaceTokens(int vocabSize)
    {
        if (whitespaceTokens is null || whitespaceTokens.Length != vocabSize)
        {
            whitespaceTokens = new bool[vocabSize];
            for (int id = 0; id < vocabSize; id++)
            {
                whitespaceTokens[id] = tokenizer.IdToToken(id) is not null && !tokenizer.IsSpecial(id) && IsWhitespace(tokenizer.TokenBytes(id).Span);
            }
        }

        return whitespaceTokens;
    }

    private static bool IsWhitespace(ReadOnlySpan<byte> bytes) => !bytes.IsEmpty && bytes.IndexOfAnyExcept(Space) < 0;
}
