using System.Text;

namespace Directer.Core.Tokenization.SentencePiece;

/// <summary>
/// The <c>decoder</c> of a SentencePiece-converted <c>tokenizer.json</c>, step for step as Hugging Face
/// <c>tokenizers</c> runs it on the token strings: <c>Replace</c> (string pattern), <c>ByteFallback</c> (a run of
/// <c>&lt;0xNN&gt;</c> tokens becomes its UTF-8 text, or one U+FFFD per byte token when the run is not valid UTF-8),
/// <c>Fuse</c>, <c>Strip</c> and <c>Metaspace</c>.
/// </summary>
internal sealed class TokenDecoder
{
    private readonly IReadOnlyList<Step> steps;

    public TokenDecoder(IReadOnlyList<Step> steps) => this.steps = steps;

    /// <summary>A step of the chain.</summary>
    internal abstract record Step;

    /// <summary>Every occurrence of <paramref name="Pattern"/> in each token becomes <paramref name="Content"/>.</summary>
    internal sealed record ReplaceStep(string Pattern, string Content) : Step;

    /// <summary>Runs of byte tokens become text.</summary>
    internal sealed record ByteFallbackStep : Step;

    /// <summary>All tokens become one string.</summary>
    internal sealed record FuseStep : Step;

    /// <summary>Up to <paramref name="Start"/> leading and <paramref name="Stop"/> trailing <paramref name="Content"/> characters of each token are removed.</summary>
    internal sealed record StripStep(char Content, int Start, int Stop) : Step;

    /// <summary><c>▁</c> becomes a space, except in the first token where it is dropped (unless the scheme is never).</summary>
    internal sealed record MetaspaceStep(char Replacement, bool DropInFirst) : Step;

    /// <summary>Whether the decoded text of a sequence drops a leading space (the dummy prefix the encoder added).</summary>
    public bool DropsLeadingSpace => steps.Any(s => s is StripStep { Content: ' ', Start: > 0 } or MetaspaceStep { DropInFirst: true });

    /// <summary>Whether <c>▁</c> decodes to a space.</summary>
    public bool MetaIsSpace => steps.Any(s => s is ReplaceStep { Pattern: "\u2581", Content: " " } or MetaspaceStep { Replacement: SpaceMarking.Meta });

    /// <summary>The text of <paramref name="tokens"/> (token strings, added tokens as their content).</summary>
    public string Decode(List<string> tokens)
    {
        foreach (var step in steps)
        {
            tokens = step switch
            {
                ReplaceStep r => tokens.ConvertAll(t => t.Replace(r.Pattern, r.Content, StringComparison.Ordinal)),
                ByteFallbackStep => ByteFallback(tokens),
                FuseStep => [string.Concat(tokens)],
                StripStep s => tokens.ConvertAll(t => Strip(t, s)),
                MetaspaceStep m => tokens.Select((t, i) => Metaspace(t, i == 0 && m.DropInFirst, m.Replacement)).ToList(),
                _ => throw new InvalidOperationException($"Unknown decoder step {step}."),
            };
        }

        return string.Concat(tokens);
    }

    /// <summary>The byte of a <c>&lt;0xNN&gt;</c> token, as Hugging Face reads it.</summary>
    public static bool TryParseByte(string token, out byte value)
    {
        value = 0;
        return token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token[5] == '>'
            && byte.TryParse(token.AsSpan(3, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out value);
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static List<string> ByteFallback(List<string> tokens)
    {
        var output = new List<string>(tokens.Count);
        var run = new List<byte>();
        void Close()
        {
            if (run.Count == 0)
            {
                return;
            }

            try
            {
                output.Add(StrictUtf8.GetString(run.ToArray()));
            }
            catch (DecoderFallbackException)
            {
                // Hugging Face: an invalid run becomes one replacement character per byte token.
                for (int i = 0; i < run.Count; i++)
                {
                    output.Add("\uFFFD");
                }
            }

            run.Clear();
        }

        foreach (string token in tokens)
        {
            if (TryParseByte(token, out byte b))
            {
                run.Add(b);
            }
            else
            {
                Close();
                output.Add(token);
            }
        }

        Close();
        return output;
    }

    private static string Strip(string token, StripStep step)
    {
        int start = 0;
        while (start < step.Start && start < token.Length && token[start] == step.Content)
        {
            start++;
        }

        int end = token.Length;
        int stripped = 0;
        while (stripped < step.Stop && end > start && token[end - 1] == step.Content)
        {
            end--;
            stripped++;
        }

        return token[start..end];
    }

    private static string Metaspace(string token, bool drop, char replacement)
    {
        var builder = new StringBuilder(token.Length);
        foreach (char c in token)
        {
            if (c != replacement)
            {
                builder.Append(c);
            }
            else if (!drop)
            {
                builder.Append(' ');
            }
        }

        return builder.ToString();
    }
}
