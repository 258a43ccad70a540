using System.Text;

namespace Directer.Core.Tokenization;

/// <summary>
/// Turns generated token ids into text as they arrive: never splits a UTF-8 character, never
/// shows U+FFFD for a character still being completed, drops special tokens (end-of-turn markers
/// and the like), and ends at the first stop string — matched on the text, also across tokens —
/// without ever emitting it or anything after it.
/// </summary>
public sealed class StreamingDetokenizer
{
    private readonly TextTokenizer tokenizer;
    private readonly IReadOnlyList<string> stopStrings;
    private readonly List<byte> pendingBytes = new();
    private readonly StringBuilder held = new();
    private readonly StringBuilder emitted = new();
    private bool started;

    /// <summary>Creates a detokenizer; empty stop strings are rejected.</summary>
    public StreamingDetokenizer(TextTokenizer tokenizer, IReadOnlyList<string>? stopStrings = null)
    {
        this.tokenizer = tokenizer;
        this.stopStrings = stopStrings ?? [];
        if (this.stopStrings.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("Stop strings must be non-empty.", nameof(stopStrings));
        }
    }

    /// <summary>A stop string appeared; later ids are ignored.</summary>
    public bool Stopped { get; private set; }

    /// <summary>All text emitted so far.</summary>
    public string Text => emitted.ToString();

    /// <summary>Adds one generated id; returns the text that became final.</summary>
    public string Push(int tokenId)
    {
        if (Stopped || tokenizer.IsSpecial(tokenId))
        {
            return string.Empty;
        }

        pendingBytes.AddRange(tokenizer.TokenBytes(tokenId).ToArray());
        int complete = CompletePrefixLength(pendingBytes);
        if (complete > 0)
        {
            string text = Encoding.UTF8.GetString(pendingBytes.GetRange(0, complete).ToArray());
            if (!started && tokenizer.DropsLeadingSpace && text.StartsWith(' '))
            {
                text = text[1..]; // SentencePiece's dummy-prefix space, dropped as Hugging Face decodes
            }

            started = true; // the dummy-prefix space can only lead the first decoded piece
            held.Append(text);
            pendingBytes.RemoveRange(0, complete);
        }

        return Release(final: false);
    }

    /// <summary>Ends the stream: returns held-back text (an incomplete trailing character becomes U+FFFD).</summary>
    public string Flush()
    {
        if (!Stopped && pendingBytes.Count > 0)
        {
            held.Append(Encoding.UTF8.GetString(pendingBytes.ToArray()));
        }

        pendingBytes.Clear();
        return Release(final: true);
    }

    private string Release(bool final)
    {
        if (Stopped)
        {
            return string.Empty;
        }

        string text = held.ToString();
        int cut = -1;
        foreach (string stop in stopStrings)
        {
            // Possible stop-string starts are always held back, so searching the held text suffices.
            int at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0)
            {
                cut = cut < 0 ? at : Math.Min(cut, at);
            }
        }

        if (cut >= 0)
        {
            Stopped = true;
            string before = cut > 0 ? text[..cut] : string.Empty;
            held.Clear();
            emitted.Append(before);
            return before;
        }

        // Hold back a tail that could still grow into a stop string.
        int keep = 0;
        if (!final)
        {
            foreach (string stop in stopStrings)
            {
                for (int length = Math.Min(stop.Length - 1, text.Length); length > keep; length--)
                {
                    if (string.CompareOrdinal(text, text.Length - length, stop, 0, length) == 0)
                    {
                        keep = length;
                        break;
                    }
                }
            }
        }

        // Never split a surrogate pair.
        if (keep < text.Length && keep > 0 && char.IsLowSurrogate(text[text.Length - keep]))
        {
            keep++;
        }

        string ready = text[..(text.Length - keep)];
        held.Remove(0, ready.Length);
        emitted.Append(ready);
        return ready;
    }

    /// <summary>Bytes that form complete UTF-8 sequences at the start of <paramref name="bytes"/> (invalid bytes count as complete).</summary>
    private static int CompletePrefixLength(List<byte> bytes)
    {
        int i = 0;
        while (i < bytes.Count)
        {
            byte b = bytes[i];
            int length = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 1;
            if (i + length > bytes.Count)
            {
                // Incomplete: wait, unless the bytes so far already cannot be a valid sequence.
                for (int k = i + 1; k < bytes.Count; k++)
                {
                    if ((bytes[k] & 0xC0) != 0x80)
                    {
                        return k; // the lead byte is orphaned; let the decoder turn it into U+FFFD
                    }
                }

                return i;
            }

            i += length;
        }

        return i;
    }
}
