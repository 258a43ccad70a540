using System.Collections.Frozen;
using System.Text;

namespace Directer.Evaluation.IfEval;

/// <summary>
/// A small, deterministic stand-in for the Python <c>langdetect</c> package that IFEval calls (no port of it is
/// available on NuGet; see the README for why Lingua was not used). It returns ISO 639-1 codes as langdetect does.
/// <list type="number">
/// <item><description>Letters are counted per Unicode script; the script with the most letters decides the candidates.</description></item>
/// <item><description>Scripts used by one IFEval language decide it outright (Thai, Hangul, Bengali, Gurmukhi,
/// Gujarati, Tamil, Telugu, Kannada, Malayalam, Hebrew, Greek); kana among CJK ideographs means Japanese.</description></item>
/// <item><description>Shared scripts are split by distinctive letters and function words: Arabic / Persian / Urdu,
/// Russian / Ukrainian / Bulgarian, Hindi / Marathi / Nepali (<see cref="ScriptLanguages"/>).</description></item>
/// <item><description>Latin script is scored by function words and diacritics over the ten Latin-script IFEval
/// languages plus nine more that langdetect knows (so that, say, Dutch is not reported as English or German)
/// (<see cref="LatinLanguages"/>).</description></item>
/// </list>
/// Limits: no statistical model, so very short texts without function words fall back to the script's default
/// (English for plain ASCII); languages outside those listed are reported as the closest listed one.
/// </summary>
internal static class LanguageDetector
{
    /// <summary>The 30 languages of IFEval's <c>LANGUAGE_CODES</c>: ISO 639-1 code to English name.</summary>
    public static readonly FrozenDictionary<string, string> IfEvalLanguages = new Dictionary<string, string>
    {
        ["en"] = "English", ["es"] = "Spanish", ["pt"] = "Portuguese", ["ar"] = "Arabic", ["hi"] = "Hindi",
        ["fr"] = "French", ["ru"] = "Russian", ["de"] = "German", ["ja"] = "Japanese", ["it"] = "Italian",
        ["bn"] = "Bengali", ["uk"] = "Ukrainian", ["th"] = "Thai", ["ur"] = "Urdu", ["ta"] = "Tamil",
        ["te"] = "Telugu", ["bg"] = "Bulgarian", ["ko"] = "Korean", ["pl"] = "Polish", ["he"] = "Hebrew",
        ["fa"] = "Persian", ["vi"] = "Vietnamese", ["ne"] = "Nepali", ["sw"] = "Swahili", ["kn"] = "Kannada",
        ["mr"] = "Marathi", ["gu"] = "Gujarati", ["pa"] = "Punjabi", ["ml"] = "Malayalam", ["fi"] = "Finnish",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// The ISO 639-1 code of the language of <paramref name="text"/>, or null when it has no letters (langdetect
    /// raises "No features in text" there, which IFEval counts as the instruction followed).
    /// </summary>
    public static string? Detect(string text)
    {
        var counts = new Dictionary<Script, int>();
        foreach (var rune in text.EnumerateRunes())
        {
            var script = Scripts.Of(rune);
            if (script != Script.None) counts[script] = counts.GetValueOrDefault(script) + 1;
        }
        if (counts.Count == 0) return null;

        // Kana and ideographs are one writing system: Japanese mixes them, Chinese uses ideographs only.
        int kana = counts.GetValueOrDefault(Script.Kana);
        int han = counts.GetValueOrDefault(Script.Han);
        if (kana + han > 0)
        {
            counts.Remove(Script.Kana);
            counts.Remove(Script.Han);
            counts[Script.Cjk] = kana + han;
        }

        var dominant = counts.MaxBy(kv => kv.Value).Key;
        return dominant switch
        {
            Script.Latin => LatinLanguages.Detect(text),
            Script.Cyrillic => ScriptLanguages.Cyrillic(text),
            Script.Arabic => ScriptLanguages.Arabic(text),
            Script.Devanagari => ScriptLanguages.Devanagari(text),
            // Japanese text has kana in nearly every sentence; Chinese has none.
            Script.Cjk => kana * 10 >= kana + han ? "ja" : "zh-cn",
            Script.Hangul => "ko",
            Script.Thai => "th",
            Script.Bengali => "bn",
            Script.Gurmukhi => "pa",
            Script.Gujarati => "gu",
            Script.Tamil => "ta",
            Script.Telugu => "te",
            Script.Kannada => "kn",
            Script.Malayalam => "ml",
            Script.Hebrew => "he",
            Script.Greek => "el",
            Script.Other => "other",
            _ => "other",
        };
    }

    /// <summary>
    /// Lower-case words of <paramref name="text"/>: runs of letters and combining marks, keeping apostrophes, hyphens
    /// and periods between letters, so that "e-mail", "u.s" and "don't" stay single words and do not leave
    /// one-letter fragments that look like Czech or Polish prepositions.
    /// </summary>
    internal static List<string> Words(string text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        var runes = text.ToLowerInvariant().EnumerateRunes().ToList();
        for (int i = 0; i < runes.Count; i++)
        {
            var rune = runes[i];
            if (IsLetter(rune))
            {
                current.Append(rune.ToString());
            }
            else if (current.Length > 0 && rune.Value is '\'' or '’' or '-' or '.' && i + 1 < runes.Count && IsLetter(runes[i + 1]))
            {
                current.Append(rune.ToString());
            }
            else if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }
        if (current.Length > 0) words.Add(current.ToString());
        return words;
    }

    private static bool IsLetter(Rune rune)
        => Rune.IsLetter(rune) || Rune.GetUnicodeCategory(rune) is System.Globalization.UnicodeCategory.NonSpacingMark
            or System.Globalization.UnicodeCategory.SpacingCombiningMark;
}
