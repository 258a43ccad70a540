using System.Text;

namespace Directer.Core.Chat;

/// <summary>
/// Separates a reasoning model's <c>&lt;think&gt;…&lt;/think&gt;</c> block from its reply, piece by piece as text
/// streams in. The block counts when the reply opens with it (after whitespace) or when the prompt already opened it
/// (templates that end the generation prompt with <c>&lt;think&gt;</c>). Newlines around the reasoning and at the start of
/// the answer are dropped, as Qwen3's template drops them when it reads a reply back
/// (<c>split('&lt;/think&gt;')</c>, <c>rstrip('\n')</c>, <c>lstrip('\n')</c>). A tag split across pieces, and trailing
/// newlines, are held back until the next piece shows what they are, so the streamed pieces join to exactly
/// <see cref="Split"/>'s result.
/// </summary>
internal sealed class ReasoningSplitter
{
    /// <summary>The opening tag.</summary>
    public const string Open = "<think>";

    /// <summary>The closing tag.</summary>
    public const string Close = "</think>";

    private readonly StringBuilder pending = new();
    private State state;

    /// <param name="openedByPrompt">Whether the prompt ends inside an open reasoning block.</param>
    public ReasoningSplitter(bool openedByPrompt) => state = openedByPrompt ? State.ReasoningStart : State.Lead;

    private enum State
    {
        Lead,
        ReasoningStart,
        Reasoning,
        AnswerStart,
        Answer,
    }

    /// <summary>Whether a reasoning block was opened (by the prompt or the reply).</summary>
    public bool SawReasoning { get; private set; }

    /// <summary>Whether the prompt text ends inside an open reasoning block (after trailing whitespace).</summary>
    public static bool PromptOpensReasoning(string prompt) => prompt.AsSpan().TrimEnd().EndsWith(Open, StringComparison.Ordinal);

    /// <summary>Splits a whole reply: the reasoning (null when there was no block) and the answer.</summary>
    public static (string? Reasoning, string Answer) Split(string text, bool openedByPrompt)
    {
        var splitter = new ReasoningSplitter(openedByPrompt);
        var reasoning = new StringBuilder();
        var answer = new StringBuilder();
        foreach (var (piece, isReasoning) in splitter.Push(text).Concat(splitter.Finish()))
        {
            (isReasoning ? reasoning : answer).Append(piece);
        }

        return (splitter.SawReasoning ? reasoning.ToString() : null, answer.ToString());
    }

    /// <summary>Takes the next piece of the reply; returns what can be emitted now.</summary>
    public List<(string Text, bool IsReasoning)> Push(string text)
    {
        pending.Append(text);
        var output = new List<(string, bool)>();
        Drain(output, final: false);
        return output;
    }

    /// <summary>The reply is complete: returns whatever was held back.</summary>
    public List<(string Text, bool IsReasoning)> Finish()
    {
        var output = new List<(string, bool)>();
        Drain(output, final: true);
        return output;
    }

    private void Drain(List<(string, bool)> output, bool final)
    {
        while (true)
        {
            switch (state)
            {
                case State.Lead:
                {
                    string s = pending.ToString();
                    int first = 0;
                    while (first < s.Length && char.IsWhiteSpace(s[first]))
                    {
                        first++;
                    }

                    if (first == s.Length && !final)
                    {
                        return; // only whitespace so far: it may still precede <think>
                    }

                    var rest = s.AsSpan(first);
                    if (rest.StartsWith(Open, StringComparison.Ordinal))
                    {
                        pending.Remove(0, first + Open.Length);
                        state = State.ReasoningStart;
                        continue;
                    }

                    if (!final && Open.AsSpan().StartsWith(rest, StringComparison.Ordinal))
                    {
                        return; // a partial "<think>"
                    }

                    state = State.Answer;
                    continue;
                }

                case State.ReasoningStart:
                    SawReasoning = true;
                    TrimLeadingNewlines();
                    if (pending.Length == 0)
                    {
                        return;
                    }

                    state = State.Reasoning;
                    continue;
                case State.Reasoning:
                {
                    string s = pending.ToString();
                    int close = s.IndexOf(Close, StringComparison.Ordinal);
                    if (close >= 0)
                    {
                        Emit(output, s[..close].TrimEnd('\n'), reasoning: true);
                        pending.Remove(0, close + Close.Length);
                        state = State.AnswerStart;
                        continue;
                    }

                    if (final)
                    {
                        Emit(output, s.TrimEnd('\n'), reasoning: true); // cut off before </think>: all reasoning
                        pending.Clear();
                        return;
                    }

                    int ready = s.Length - HeldBack(s);
                    Emit(output, s[..ready], reasoning: true);
                    pending.Remove(0, ready);
                    return;
                }

                case State.AnswerStart:
                    TrimLeadingNewlines();
                    if (pending.Length == 0)
                    {
                        return;
                    }

                    state = State.Answer;
                    continue;
                default:
                    Emit(output, pending.ToString(), reasoning: false);
                    pending.Clear();
                    return;
            }
        }
    }

    /// <summary>How many trailing characters might still be part of "&lt;/think&gt;" or the newlines before it.</summary>
    private static int HeldBack(string s)
    {
        int partial = 0;
        for (int k = Math.Min(Close.Length - 1, s.Length); k > 0; k--)
        {
            if (s.AsSpan(s.Length - k).SequenceEqual(Close.AsSpan(0, k)))
            {
                partial = k;
                break;
            }
        }

        int held = partial;
        while (held < s.Length && s[s.Length - held - 1] == '\n')
        {
            held++;
        }

        return held;
    }

    private void TrimLeadingNewlines()
    {
        int n = 0;
        while (n < pending.Length && pending[n] == '\n')
        {
            n++;
        }

        pending.Remove(0, n);
    }

    private static void Emit(List<(string, bool)> output, string text, bool reasoning)
    {
        if (text.Length > 0)
        {
            output.Add((text, reasoning));
        }
    }
}
