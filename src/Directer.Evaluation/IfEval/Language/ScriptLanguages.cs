using System.Collections.Frozen;

namespace Directer.Evaluation.IfEval;

/// <summary>
/// Languages that share a non-Latin script: distinctive letters first, then function words.
/// </summary>
internal static class ScriptLanguages
{
    // ---- Cyrillic: Russian, Ukrainian, Bulgarian (plus Macedonian, which langdetect also knows) ----

    private static readonly FrozenSet<string> Russian = Set(
        "и", "в", "не", "на", "что", "он", "с", "как", "это", "по", "но", "они", "мы", "к", "у", "же", "вы", "за",
        "бы", "от", "его", "для", "так", "все", "она", "было", "был", "если", "или", "когда", "уже", "только", "есть",
        "очень", "также", "который", "которые", "может", "нет", "ещё", "еще", "этот", "эта", "эти", "их", "её", "ее",
        "всё", "меня", "тебя", "сегодня", "сейчас", "хорошо", "спасибо", "привет", "здравствуйте", "почему");

    private static readonly FrozenSet<string> Ukrainian = Set(
        "і", "й", "та", "в", "у", "не", "на", "що", "з", "як", "це", "до", "але", "він", "вона", "ми", "ви", "вони",
        "для", "від", "так", "все", "було", "був", "якщо", "або", "коли", "вже", "тільки", "є", "дуже", "також",
        "який", "які", "може", "ні", "ще", "цей", "ця", "ці", "їх", "її", "про", "при", "без", "щоб", "його",
        "мене", "тебе", "сьогодні", "зараз", "дякую", "привіт", "чому");

    private static readonly FrozenSet<string> Bulgarian = Set(
        "и", "в", "не", "на", "че", "той", "с", "като", "това", "по", "но", "те", "ние", "към", "за", "от", "да",
        "се", "са", "е", "беше", "ако", "или", "когато", "вече", "само", "има", "много", "също", "който", "които",
        "може", "няма", "още", "този", "тази", "тези", "техните", "ще", "бъде", "със", "във", "при", "след", "му",
        "си", "съм", "сме", "сте", "всичко", "всички", "какво", "защо", "тук", "днес", "нещо", "здравей",
        "благодаря");

    /// <summary>ru, uk, bg or mk for text written mostly in Cyrillic.</summary>
    public static string Cyrillic(string text)
    {
        string lower = text.ToLowerInvariant();
        // Letters that only one of the candidates uses.
        int ukrainian = Count(lower, "іїєґ");
        int russian = Count(lower, "ыэё");
        int macedonian = Count(lower, "ѓќѕљњџј");
        var words = LanguageDetector.Words(text);
        double ru = Hits(words, Russian) + 2.0 * russian;
        double uk = Hits(words, Ukrainian) + 2.0 * ukrainian;
        double bg = Hits(words, Bulgarian) + (russian == 0 && ukrainian == 0 ? 0.5 * Count(lower, "ъщ") : 0);
        if (macedonian > 0 && macedonian * 3 > russian + ukrainian) return "mk";
        if (uk > ru && uk >= bg) return "uk";
        if (bg > ru && bg > uk) return "bg";
        return "ru";
    }

    // ---- Arabic script: Arabic, Persian, Urdu ----

    private static readonly FrozenSet<string> ArabicWords = Set(
        "في", "من", "على", "إلى", "الى", "أن", "ان", "عن", "مع", "هذا", "هذه", "التي", "الذي", "كان", "لا", "ما",
        "هو", "هي", "كل", "قد", "ذلك", "بين", "أو", "او", "لم", "إن", "عند", "بعد", "حتى", "ثم", "لكن", "يمكن");

    private static readonly FrozenSet<string> PersianWords = Set(
        "و", "در", "به", "از", "که", "این", "را", "با", "است", "برای", "آن", "یک", "هم", "می", "تا", "بر", "شود",
        "کرد", "شد", "هست", "بود", "ما", "شما", "او", "آنها", "نیز", "یا", "اما", "اگر", "هر", "باید", "خود", "چه");

    private static readonly FrozenSet<string> UrduWords = Set(
        "اور", "کے", "کی", "کا", "میں", "ہے", "ہیں", "سے", "کو", "نے", "پر", "یہ", "وہ", "تھا", "تھی", "تھے", "بھی",
        "کہ", "ایک", "لیے", "لئے", "کر", "ہو", "نہیں", "جو", "اس", "ان", "گا", "گی", "ہم", "آپ", "تو", "کیا");

    /// <summary>ar, fa or ur for text written mostly in Arabic script.</summary>
    public static string Arabic(string text)
    {
        // ٹ ڈ ڑ ں ے ہ ھ are Urdu letters; پ چ ژ گ ی ک are Persian and Urdu; ة ي ك ى are Arabic forms.
        int urduLetters = Count(text, "\u0679\u0688\u0691\u06BA\u06D2\u06C1\u06BE");
        int persianLetters = Count(text, "\u067E\u0686\u0698\u06AF\u06CC\u06A9");
        int arabicLetters = Count(text, "\u0629\u064A\u0643\u0649");
        var words = LanguageDetector.Words(text);
        double ar = Hits(words, ArabicWords) + 0.5 * arabicLetters;
        double fa = Hits(words, PersianWords) + 0.25 * persianLetters;
        double ur = Hits(words, UrduWords) + 0.5 * urduLetters + 0.25 * persianLetters;
        if (ur > fa && ur > ar) return "ur";
        if (fa > ar) return "fa";
        return "ar";
    }

    // ---- Devanagari: Hindi, Marathi, Nepali ----

    private static readonly FrozenSet<string> HindiWords = Set(
        "है", "हैं", "का", "की", "के", "में", "और", "से", "को", "यह", "वह", "नहीं", "था", "थी", "थे", "भी", "पर",
        "एक", "लिए", "तो", "जो", "कि", "हो", "कर", "गया", "रहा", "सकते", "होता", "होती", "हम", "आप", "इस", "उस");

    private static readonly FrozenSet<string> MarathiWords = Set(
        "आहे", "आहेत", "आणि", "हे", "ही", "तो", "ती", "ते", "या", "व", "मध्ये", "नाही", "होते", "होता", "होती",
        "आम्ही", "तुम्ही", "त्याचा", "त्याची", "त्यांच्या", "साठी", "केले", "करणे", "असे", "आपण", "पण", "एक", "काही",
        "म्हणून", "किंवा", "जे", "की", "झाले");

    private static readonly FrozenSet<string> NepaliWords = Set(
        "छ", "छन्", "हो", "र", "मा", "ले", "लाई", "को", "का", "की", "पनि", "यो", "त्यो", "थियो", "गर्न", "हुन्छ",
        "भएको", "गरेको", "गर्छ", "छैन", "हामी", "तपाईं", "उनी", "एक", "लागि", "भने", "तर", "वा", "यस", "त्यस",
        "हुने", "गरे", "भयो");

    /// <summary>hi, mr or ne for text written mostly in Devanagari.</summary>
    public static string Devanagari(string text)
    {
        var words = LanguageDetector.Words(text);
        double hi = Hits(words, HindiWords);
        // ळ is common in Marathi and nearly absent from Hindi and Nepali.
        double mr = Hits(words, MarathiWords) + 0.5 * Count(text, "\u0933");
        double ne = Hits(words, NepaliWords);
        if (mr > hi && mr >= ne) return "mr";
        if (ne > hi && ne > mr) return "ne";
        return "hi";
    }

    internal static FrozenSet<string> Set(params string[] words) => words.ToFrozenSet(StringComparer.Ordinal);

    internal static int Hits(List<string> words, FrozenSet<string> set) => words.Count(set.Contains);

    internal static int Count(string text, string letters)
    {
        int n = 0;
        foreach (char c in text)
        {
            if (letters.Contains(c)) n++;
        }
        return n;
    }
}
