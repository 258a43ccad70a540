using Directer.Core.Tokenization;

namespace Directer.Core.Templates;

/// <summary>Formats whose calls open with a special token (Mistral's <c>[TOOL_CALLS]</c>, Granite's <c>&lt;|tool_call|&gt;</c>): the streamed reply text leaves
/// special tokens out, so the parser gets the reply re-decoded with that marker kept.</summary>
internal static class ToolCallMarkers
{
    /// <summary>The marker text of <paramref name="format"/> that tokenizers usually hold as one special token, or null.</summary>
    public static string? SpecialMarker(ToolCallFormat format) => format switch
    {
        ToolCallFormat.Mistral => "[TOOL_CALLS]",
        ToolCallFormat.Granite => "<|tool_call|>",
        _ => null,
    };

    /// <summary><paramref name="text"/>, or, when <paramref name="ids"/> hold the format's special marker token, the ids
    /// decoded with that marker kept (other special tokens still left out), cut before the first of
    /// <paramref name="stopStrings"/> as the streamed text was.</summary>
    public static string ForParsing(string text, IReadOnlyList<int> ids, TextTokenizer tokenizer, ToolCallFormat format, IReadOnlyList<string>? stopStrings = null)
    {
        if (SpecialMarker(format) is not string marker || tokenizer.TokenToId(marker) is not int id || !tokenizer.IsSpecial(id) || !ids.Contains(id))
        {
            return text;
        }

        var pieces = new List<string>();
        int start = 0;
        for (int i = 0; i <= ids.Count; i++)
        {
            if (i == ids.Count || ids[i] == id)
            {
                pieces.Add(tokenizer.Decode(ids.Skip(start).Take(i - start), skipSpecialTokens: true));
                start = i + 1;
            }
        }

        string decoded = string.Join(marker, pieces);
        int cut = decoded.Length;
        foreach (string stop in stopStrings ?? [])
        {
            int at = stop.Length > 0 ? decoded.IndexOf(stop, StringComparison.Ordinal) : -1;
            if (at >= 0 && at < cut)
            {
                cut = at;
            }
        }

        return decoded[..cut];
    }
}
