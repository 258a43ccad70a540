using System.Text;

namespace Directer.Evaluation.IfEval;

/// <summary>The writing systems <see cref="LanguageDetector"/> tells apart.</summary>
internal enum Script
{
    None, Latin, Greek, Cyrillic, Hebrew, Arabic, Devanagari, Bengali, Gurmukhi, Gujarati, Tamil, Telugu, Kannada,
    Malayalam, Thai, Hangul, Kana, Han, Cjk, Other,
}

/// <summary>Unicode block lookup for letters and combining marks.</summary>
internal static class Scripts
{
    /// <summary>The script of a letter or combining mark; <see cref="Script.None"/> for anything else.</summary>
    public static Script Of(Rune rune)
    {
        var cat = Rune.GetUnicodeCategory(rune);
        bool letterLike = Rune.IsLetter(rune) || cat is System.Globalization.UnicodeCategory.NonSpacingMark
            or System.Globalization.UnicodeCategory.SpacingCombiningMark;
        if (!letterLike) return Script.None;
        int v = rune.Value;
        return v switch
        {
            < 0x0250 => Script.Latin,
            >= 0x1E00 and <= 0x1EFF => Script.Latin,
            >= 0xFF21 and <= 0xFF5A => Script.Latin,
            >= 0x0250 and <= 0x02FF => Script.None, // IPA and spacing modifiers
            >= 0x0300 and <= 0x036F => Script.None, // combining diacritics belong to the letter before
            >= 0x0370 and <= 0x03FF or >= 0x1F00 and <= 0x1FFF => Script.Greek,
            >= 0x0400 and <= 0x052F => Script.Cyrillic,
            >= 0x0590 and <= 0x05FF => Script.Hebrew,
            >= 0x0600 and <= 0x06FF or >= 0x0750 and <= 0x077F or >= 0xFB50 and <= 0xFDFF or >= 0xFE70 and <= 0xFEFF => Script.Arabic,
            >= 0x0900 and <= 0x097F => Script.Devanagari,
            >= 0x0980 and <= 0x09FF => Script.Bengali,
            >= 0x0A00 and <= 0x0A7F => Script.Gurmukhi,
            >= 0x0A80 and <= 0x0AFF => Script.Gujarati,
            >= 0x0B80 and <= 0x0BFF => Script.Tamil,
            >= 0x0C00 and <= 0x0C7F => Script.Telugu,
            >= 0x0C80 and <= 0x0CFF => Script.Kannada,
            >= 0x0D00 and <= 0x0D7F => Script.Malayalam,
            >= 0x0E00 and <= 0x0E7F => Script.Thai,
            >= 0x1100 and <= 0x11FF or >= 0x3130 and <= 0x318F or >= 0xAC00 and <= 0xD7AF => Script.Hangul,
            >= 0x3040 and <= 0x30FF or >= 0x31F0 and <= 0x31FF or >= 0xFF66 and <= 0xFF9F => Script.Kana,
            >= 0x3400 and <= 0x4DBF or >= 0x4E00 and <= 0x9FFF or >= 0xF900 and <= 0xFAFF or >= 0x20000 and <= 0x3FFFF => Script.Han,
            _ => Script.Other,
        };
    }
}
