using Directer.Core.Tokenization;
using TorchSharp;

namespace Directer.Core.Generation.Rules;

/// <summary>
/// Stop token sequences and stop strings, one mechanism, and the generation's output: accepted ids are held back
/// while they could still begin a stop sequence, so a stream never shows ids that turn out to belong to one; released
/// ids go to the output (and, with a tokenizer, through the <see cref="StreamingDetokenizer"/> that matches stop
/// strings on the text, also across tokens). Generation ends when a stop sequence completes (it is cut from the ids)
/// or a stop string appears in the text (the text is cut before it; the ids that wrote it stay).
/// </summary>
internal sealed class StopRule : ITokenRule
{
    private readonly IReadOnlyList<IReadOnlyList<int>> sequences;
    private readonly int longest;
    private readonly StreamingDetokenizer? text;
    private readonly Action<int>? onToken;
    private readonly Action<string>? onText;
    private readonly List<int> output = new();
    private int pendingFrom;

    public StopRule(GenerationOptions options, Action<int>? onToken, Action<string>? onText)
    {
        sequences = options.StopSequences;
        longest = sequences.Count == 0 ? 0 : sequences.Max(s => s.Count);
        text = options.Tokenizer is { } tokenizer ? new StreamingDetokenizer(tokenizer, options.StopStrings) : null;
        this.onToken = onToken;
        this.onText = onText;
    }

    /// <summary>The released ids (the generation's output).</summary>
    public IReadOnlyList<int> Ids => output;

    /// <summary>The released text, cut before a stop string; null without a tokenizer.</summary>
    public string? Text => text?.Text;

    public void Begin(IReadOnlyList<int> promptIds)
    {
        output.Clear();
        pendingFrom = 0;
    }

    public bool Prepare(DecodeStep step) => false;

    public torch.Tensor Apply(torch.Tensor logits, bool raw) => logits;

    public StopReason? Accept(int token)
    {
        output.Add(token);
        if (longest > 0)
        {
            foreach (var sequence in sequences)
            {
                if (EndsWith(sequence))
                {
                    output.RemoveRange(output.Count - sequence.Count, sequence.Count);
                    Release(output.Count);
                    return StopReason.StopSequence;
                }
            }
        }

        // Release all but the longest held tail that is a proper prefix of some stop sequence.
        Release(output.Count - HeldTail());
        return text is { Stopped: true } ? StopReason.StopString : null;
    }

    /// <summary>Releases whatever is held back (at the end of generation).</summary>
    public void Finish()
    {
        Release(output.Count);
        if (text is not null && text.Flush() is { Length: > 0 } tail)
        {
            onText?.Invoke(tail);
        }
    }

    private void Release(int upTo)
    {
        for (; pendingFrom < upTo; pendingFrom++)
        {
            int id = output[pendingFrom];
            onToken?.Invoke(id);
            if (text is not null && text.Push(id) is { Length: > 0 } released)
            {
                onText?.Invoke(released);
            }
        }
    }

    private int HeldTail()
    {
        for (int length = Math.Min(output.Count - pendingFrom, longest - 1); length > 0; length--)
        {
            foreach (var sequence in sequences)
            {
                if (sequence.Count > length && StartsWithTail(sequence, length))
                {
                    return length;
                }
            }
        }

        return 0;
    }

    private bool EndsWith(IReadOnlyList<int> sequence)
    {
        if (output.Count - pendingFrom < sequence.Count)
        {
            return false;
        }

        for (int i = 0; i < sequence.Count; i++)
        {
            if (output[output.Count - sequence.Count + i] != sequence[i])
            {
                return false;
            }
        }

        return true;
    }

    private bool StartsWithTail(IReadOnlyList<int> sequence, int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (sequence[i] != output[output.Count - length + i])
            {
                return false;
            }
        }

        return true;
    }
}
