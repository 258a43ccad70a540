using System.Text;
using System.Text.RegularExpressions;

namespace Directer.Training.Tokenization;

/// <summary>
/// Qwen2's pre-tokenization: NFC normalisation, then the Split regex below (contractions, letter runs with one
/// leading non-letter, single digits, punctuation runs, newlines, spaces), each piece then mapped to byte-level
/// characters. Special tokens are split out before this step.
/// </summary>
internal static partial class PreTokenizer
{
    /// <summary>The Split pattern written to tokenizer.json (same as Qwen2/Qwen2.5's).</summary>
    public const string Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    [GeneratedRegex(Pattern)]
    private static partial Regex SplitRegex();

    /// <summary>The regex pieces of already-normalised text, with their start offsets in it.</summary>
    public static IEnumerable<(string Piece, int Start)> Split(string text)
    {
        foreach (Match m in SplitRegex().Matches(text))
        {
            yield return (m.Value, m.Index);
        }
    }

    /// <summary>NFC, as the tokenizer.json normalizer declares.</summary>
    public static string Normalize(string text) => text.IsNormalized(NormalizationForm.FormC) ? text : text.Normalize(NormalizationForm.FormC);
}
