using System.Globalization;
using System.Text;

namespace Directer.Core.Tokenization;

/// <summary>
/// A piece of the input after normalization, with the map from each normalized character back to the range of the
/// original input it came from (absolute UTF-16 indices).
/// </summary>
internal sealed class NormalizedText
{
    private readonly int[]? _originStart;
    private readonly int[]? _originEnd;
    private readonly int _baseOffset;
    private readonly int _originalEnd;

    private NormalizedText(string text, int baseOffset, int originalEnd, int[]? originStart, int[]? originEnd)
    {
        Text = text;
        _baseOffset = baseOffset;
        _originalEnd = originalEnd;
        _originStart = originStart;
        _originEnd = originEnd;
    }

    /// <summary>The normalized text.</summary>
    public string Text { get; }

    /// <summary>Unchanged text: normalized index i is original index <paramref name="baseOffset"/> + i.</summary>
    public static NormalizedText Identity(string text, int baseOffset) => new(text, baseOffset, baseOffset + text.Length, null, null);

    /// <summary>
    /// NFC-normalizes <c>source[start..end)</c>. Text that is already NFC (the usual case) keeps a 1:1 map; otherwise
    /// each grapheme cluster is normalized on its own so every output character maps to the cluster it came from.
    /// </summary>
    public static NormalizedText Nfc(string source, int start, int end)
    {
        string segment = source.Substring(start, end - start);
        if (segment.IsNormalized(NormalizationForm.FormC))
        {
            return Identity(segment, start);
        }

        string whole = segment.Normalize(NormalizationForm.FormC);
        var builder = new StringBuilder(whole.Length);
        var originStart = new List<int>(whole.Length);
        var originEnd = new List<int>(whole.Length);
        int index = 0;
        while (index < segment.Length)
        {
            int length = StringInfo.GetNextTextElementLength(segment, index);
            string cluster = segment.Substring(index, length).Normalize(NormalizationForm.FormC);
            builder.Append(cluster);
            for (int k = 0; k < cluster.Length; k++)
            {
                originStart.Add(start + index);
                originEnd.Add(start + index + length);
            }

            index += length;
        }

        if (builder.ToString() != whole)
        {
            // Composition crossed a cluster boundary: keep the exact normalization, coarsen the offsets.
            var s = new int[whole.Length];
            var e = new int[whole.Length];
            Array.Fill(s, start);
            Array.Fill(e, end);
            return new NormalizedText(whole, start, end, s, e);
        }

        return new NormalizedText(whole, start, end, originStart.ToArray(), originEnd.ToArray());
    }

    /// <summary>Maps the normalized range [<paramref name="start"/>, <paramref name="end"/>) to an original range.</summary>
    public (int Start, int End) MapRange(int start, int end)
    {
        if (_originStart is null)
        {
            return (_baseOffset + start, _baseOffset + end);
        }

        if (start >= end)
        {
            int at = start < Text.Length ? _originStart[start] : (Text.Length > 0 ? _originEnd![^1] : _baseOffset);
            return (at, at);
        }

        return (_originStart[start], _originEnd![end - 1]);
    }

    /// <summary>End (exclusive) of the original range this text came from.</summary>
    public int OriginalEnd => _originalEnd;
}
