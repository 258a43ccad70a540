using System.Collections.Frozen;

namespace Directer.Evaluation.IfEval;

/// <summary>
/// Latin-script language identification by function words and diacritics. Each word that is a function word of a
/// language scores 1 for it (a one-letter word 0.25); distinctive letters (ñ, ã, ß, ł, ř, ş, ơ, ...) add a weight per occurrence. The best
/// total wins; ties and texts with no evidence at all go to English, listed first.
/// </summary>
internal static class LatinLanguages
{
    private static readonly (string Code, FrozenSet<string> Words)[] Languages =
    [
        ("en", ScriptLanguages.Set("the", "and", "of", "to", "is", "in", "that", "it", "was", "for", "on", "are",
            "with", "as", "his", "they", "be", "at", "this", "have", "from", "or", "by", "but", "not", "what", "all",
            "were", "we", "when", "your", "can", "there", "an", "which", "their", "if", "will", "would", "about",
            "been", "has", "how", "you", "i", "my", "me", "it's", "don't", "these", "some", "them", "more", "very",
            "so", "just", "also", "into", "than", "its", "our", "who", "do", "does", "should", "here", "today", "every",
            "no", "yes", "however", "hello", "please", "thanks", "thank")),
        ("es", ScriptLanguages.Set("el", "la", "los", "las", "de", "que", "y", "en", "un", "una", "es", "por", "con",
            "no", "para", "se", "del", "al", "lo", "como", "más", "pero", "sus", "su", "le", "ya", "este", "esta",
            "sí", "porque", "muy", "sin", "sobre", "también", "me", "hasta", "hay", "donde", "desde", "todo", "nos",
            "todos", "les", "ni", "ellos", "esto", "qué", "yo", "él", "cuando", "hoy", "son", "está", "estar", "ser",
            "tiene", "puede", "mucho", "bien")),
        ("pt", ScriptLanguages.Set("o", "os", "as", "de", "que", "e", "do", "da", "em", "um", "uma", "para", "com",
            "não", "dos", "das", "se", "na", "no", "por", "mais", "ao", "como", "mas", "foi", "ele", "ela", "é",
            "são", "está", "isso", "isto", "também", "muito", "já", "seu", "sua", "quando", "há", "nos", "pelo",
            "pela", "até", "você", "eu", "ou", "ser", "ter", "tem", "este", "esta", "essa", "esse", "meu", "minha",
            "hoje", "sobre", "bem")),
        ("fr", ScriptLanguages.Set("le", "la", "les", "de", "des", "du", "un", "une", "et", "est", "en", "que",
            "qui", "dans", "pour", "pas", "sur", "au", "aux", "avec", "ce", "cette", "ces", "il", "elle", "ils",
            "nous", "vous", "je", "ne", "se", "sont", "mais", "ou", "par", "plus", "son", "sa", "ses", "leur", "été",
            "être", "avoir", "c'est", "très", "aussi", "comme", "tout", "on", "lui", "même", "bien", "fait",
            "aujourd'hui", "l'", "d'", "qu'", "c'", "j'", "n'", "s'")),
        ("de", ScriptLanguages.Set("der", "die", "das", "und", "ist", "nicht", "ein", "eine", "zu", "den", "von",
            "mit", "sich", "des", "auf", "für", "im", "dem", "auch", "es", "werden", "aus", "er", "hat", "dass",
            "sie", "nach", "wird", "bei", "einer", "um", "am", "sind", "noch", "wie", "einem", "über", "einen", "zum",
            "war", "haben", "nur", "oder", "aber", "vor", "zur", "bis", "mehr", "durch", "man", "sein", "wurde",
            "sehr", "ich", "wir", "ihr", "kann", "können", "diese", "dieser", "heute")),
        ("it", ScriptLanguages.Set("il", "lo", "la", "i", "gli", "le", "di", "che", "e", "è", "un", "una", "per",
            "in", "non", "con", "del", "della", "dei", "delle", "al", "alla", "si", "da", "come", "ma", "sono",
            "anche", "più", "questo", "questa", "se", "nel", "nella", "loro", "suo", "sua", "ha", "hanno", "essere",
            "molto", "ci", "mi", "ti", "oggi", "perché", "quando", "cosa", "tutto", "tutti", "io", "noi", "voi",
            "lui", "lei", "l'", "dell'", "un'", "all'", "nell'", "c'")),
        ("pl", ScriptLanguages.Set("i", "w", "z", "na", "nie", "się", "do", "to", "że", "jest", "jak", "ale", "po",
            "co", "tak", "za", "od", "przez", "dla", "czy", "jego", "jej", "ich", "są", "był", "była", "było", "być",
            "może", "tylko", "już", "oraz", "tym", "ten", "ta", "te", "który", "która", "które", "jako", "bardzo",
            "także", "też", "ja", "my", "wy", "on", "ona", "oni", "dzisiaj", "jestem", "mnie")),
        ("vi", ScriptLanguages.Set("và", "của", "là", "có", "không", "được", "cho", "trong", "với", "các", "những",
            "một", "người", "này", "đã", "để", "khi", "như", "từ", "đến", "thì", "cũng", "rất", "tôi", "chúng",
            "bạn", "họ", "ra", "về", "sẽ", "nhưng", "hay", "vì", "nên", "đó", "làm", "hôm", "nay")),
        ("sw", ScriptLanguages.Set("na", "ya", "wa", "za", "kwa", "ni", "katika", "kama", "hii", "hiyo", "huo",
            "ili", "lakini", "pia", "sana", "au", "kuwa", "kwamba", "wao", "yeye", "mimi", "sisi", "wewe", "hapa",
            "kila", "moja", "yake", "wake", "zake", "bila", "baada", "kabla", "leo", "nini", "habari", "kuna",
            "hakuna", "ndiyo", "hapana", "watu", "mtu", "sasa", "yako", "wangu", "yangu")),
        ("fi", ScriptLanguages.Set("ja", "on", "ei", "se", "että", "oli", "hän", "ovat", "kun", "mutta", "tai",
            "myös", "ole", "tämä", "joka", "jotka", "niin", "sen", "kuin", "vain", "jo", "nyt", "voi", "kanssa",
            "mukaan", "ne", "me", "te", "he", "minä", "sinä", "olen", "olla", "hyvin", "paljon", "tänään", "mitä",
            "miten", "siitä", "siinä", "tästä", "kaikki", "sitten", "koska", "jos", "ovat", "olemme")),
        ("nl", ScriptLanguages.Set("de", "het", "een", "en", "van", "in", "is", "dat", "op", "te", "zijn", "voor",
            "met", "die", "niet", "aan", "er", "om", "ook", "als", "maar", "bij", "of", "door", "naar", "dan", "nog",
            "wel", "geen", "ze", "zij", "hij", "wij", "ik", "je", "jij", "deze", "dit", "was", "werd", "worden",
            "kan", "heeft", "hebben", "zo", "al", "veel", "uit", "vandaag", "zeer", "wordt")),
        ("sv", ScriptLanguages.Set("och", "i", "att", "det", "som", "en", "på", "är", "av", "för", "med", "till",
            "den", "har", "de", "inte", "om", "ett", "men", "var", "jag", "vi", "ni", "han", "hon", "sig", "så",
            "från", "kan", "vid", "eller", "efter", "också", "alla", "när", "nu", "bara", "här", "där", "mycket",
            "hade", "skulle", "då", "detta", "dessa", "idag")),
        ("da", ScriptLanguages.Set("og", "i", "at", "det", "som", "en", "på", "er", "af", "for", "med", "til",
            "den", "har", "de", "ikke", "om", "et", "men", "var", "jeg", "vi", "han", "hun", "sig", "så", "fra",
            "kan", "ved", "eller", "efter", "også", "alle", "når", "nu", "kun", "her", "der", "meget", "havde",
            "skulle", "da", "dette", "disse", "hvad", "hvor", "blev", "bliver", "være")),
        ("no", ScriptLanguages.Set("og", "i", "å", "det", "som", "en", "på", "er", "av", "for", "med", "til", "den",
            "har", "de", "ikke", "om", "et", "men", "var", "jeg", "vi", "han", "hun", "seg", "så", "fra", "kan",
            "ved", "eller", "etter", "også", "alle", "når", "nå", "bare", "her", "der", "mye", "hadde", "skulle",
            "da", "dette", "disse", "hva", "hvor", "ble", "blir", "være")),
        ("ro", ScriptLanguages.Set("și", "şi", "în", "de", "la", "cu", "pe", "un", "o", "care", "este", "nu", "din",
            "să", "se", "mai", "ca", "sau", "pentru", "ce", "al", "ale", "lui", "ei", "lor", "dar", "fost", "sunt",
            "fi", "va", "acest", "această", "aceste", "foarte", "după", "când", "astăzi", "azi", "am", "au", "eu",
            "noi", "voi", "el", "ea")),
        ("tr", ScriptLanguages.Set("ve", "bir", "bu", "da", "de", "için", "ile", "ne", "çok", "olarak", "daha",
            "gibi", "ama", "ya", "mi", "o", "şu", "her", "var", "yok", "olan", "kadar", "sonra", "önce", "ben", "sen",
            "biz", "siz", "onlar", "bugün", "değil", "ise", "veya", "çünkü", "nasıl", "neden")),
        ("id", ScriptLanguages.Set("dan", "yang", "di", "ke", "dari", "ini", "itu", "untuk", "dengan", "tidak",
            "ada", "akan", "pada", "juga", "saya", "kami", "kita", "mereka", "dia", "anda", "atau", "tetapi",
            "karena", "sudah", "bisa", "dapat", "sangat", "hari", "oleh", "dalam", "sebagai", "lebih", "seperti",
            "telah", "hanya", "bahwa")),
        ("ca", ScriptLanguages.Set("el", "la", "els", "les", "de", "que", "i", "en", "un", "una", "és", "per",
            "amb", "no", "del", "al", "es", "com", "més", "però", "seu", "seva", "són", "també", "molt", "aquest",
            "aquesta", "quan", "on", "hi", "ho", "li", "jo", "nosaltres", "avui", "perquè", "tot", "està", "ser",
            "fer", "pel", "dels")),
        ("cs", ScriptLanguages.Set("je", "se", "na", "v", "že", "s", "z", "do", "to", "ale", "jako", "pro", "by",
            "o", "po", "tak", "jsou", "jsem", "byl", "byla", "bylo", "být", "který", "která", "které", "jeho",
            "její", "jejich", "také", "ještě", "už", "jen", "nebo", "když", "tento", "tato", "toto", "velmi",
            "dnes", "mě", "ve", "ze", "k", "u")),
    ];

    // Letters that point to particular languages, with the weight each occurrence adds.
    private static readonly (string Letters, (string Code, double Weight)[] Votes)[] Letters =
    [
        ("ñ", [("es", 1.0)]),
        ("ãõ", [("pt", 1.0)]),
        ("ç", [("pt", 0.3), ("fr", 0.3), ("ca", 0.3), ("tr", 0.3)]),
        ("èù", [("fr", 0.3), ("it", 0.3), ("ca", 0.3)]),
        ("àò", [("it", 0.3), ("ca", 0.3), ("fr", 0.2), ("vi", 0.2)]),
        ("êôâ", [("pt", 0.2), ("fr", 0.3), ("vi", 0.3), ("ro", 0.2)]),
        ("ß", [("de", 1.0)]),
        ("ü", [("de", 0.4), ("tr", 0.4)]),
        ("äö", [("de", 0.3), ("fi", 0.4), ("sv", 0.3), ("tr", 0.1)]),
        ("å", [("sv", 0.5), ("da", 0.5), ("no", 0.5)]),
        ("æø", [("da", 0.5), ("no", 0.5)]),
        ("ąęłśźżćń", [("pl", 1.0)]),
        ("řěů", [("cs", 1.0)]),
        ("čšžý", [("cs", 0.5)]),
        ("ăîșțşţ", [("ro", 1.0)]),
        ("ğı", [("tr", 1.0)]),
        ("đơư", [("vi", 1.0)]),
    ];

    /// <summary>The language code for a mostly Latin-script <paramref name="text"/>.</summary>
    public static string Detect(string text)
    {
        var words = Tokens(text);
        var scores = new double[Languages.Length];
        foreach (string word in words)
        {
            // One-letter words ("i", "a", "v", "z") are weak evidence: stray letters from lists, initials and code.
            double weight = word.Length == 1 ? 0.25 : 1.0;
            for (int i = 0; i < Languages.Length; i++)
            {
                if (Languages[i].Words.Contains(word)) scores[i] += weight;
            }
        }

        string lower = text.ToLowerInvariant();
        foreach (var rune in lower.EnumerateRunes())
        {
            int v = rune.Value;
            // Vietnamese stacks tone marks on vowels: precomposed letters in U+1EA0..U+1EF9.
            if (v is >= 0x1EA0 and <= 0x1EF9) Vote(scores, "vi", 1.0);
            if (v > 0x7F && v < 0x250)
            {
                char c = (char)v;
                foreach (var (letters, votes) in Letters)
                {
                    if (!letters.Contains(c)) continue;
                    foreach (var (code, weight) in votes) Vote(scores, code, weight);
                }
            }
        }

        int best = 0;
        for (int i = 1; i < scores.Length; i++)
        {
            if (scores[i] > scores[best]) best = i;
        }
        return Languages[best].Code;
    }

    private static void Vote(double[] scores, string code, double weight)
    {
        for (int i = 0; i < Languages.Length; i++)
        {
            if (Languages[i].Code == code) scores[i] += weight;
        }
    }

    // Words plus, for elided forms such as "l'homme", the elided article "l'" itself.
    private static List<string> Tokens(string text)
    {
        var words = LanguageDetector.Words(text.Replace('’', '\''));
        var tokens = new List<string>(words.Count);
        foreach (string w in words)
        {
            tokens.Add(w);
            int apostrophe = w.IndexOf('\'');
            if (apostrophe > 0) tokens.Add(w[..(apostrophe + 1)]);
        }
        return tokens;
    }
}
