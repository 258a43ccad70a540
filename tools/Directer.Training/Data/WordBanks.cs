namespace Directer.Training.Data;

/// <summary>Word lists the generator draws names and values from.</summary>
internal static class WordBanks
{
    public static readonly string[] Cities =
    [
        "Paris", "Tokyo", "Lima", "Oslo", "Cairo", "Denver", "Madrid", "Nairobi", "Seoul", "Dublin",
        "Lisbon", "Toronto", "Vienna", "Prague", "Mumbai", "Austin", "Boston", "Sydney", "Perth", "Quito",
        "Bogota", "Athens", "Berlin", "Munich", "Zurich", "Geneva", "Helsinki", "Warsaw", "Krakow", "Riga",
        "Tallinn", "Havana", "Manila", "Hanoi", "Jakarta", "Lagos", "Accra", "Dakar", "Tunis", "Rabat",
        "Chicago", "Seattle", "Portland", "Phoenix", "Miami", "Atlanta", "Calgary", "Montreal", "Santiago", "Cusco",
        "Kyoto", "Osaka", "Busan", "Taipei", "Delhi", "Dhaka", "Doha", "Muscat", "Baku", "Tbilisi",
        "Reykjavik", "Bergen", "Porto", "Seville", "Valencia", "Naples", "Milan", "Turin", "Lyon", "Nice",
    ];

    public static readonly string[] FirstNames =
    [
        "Alice", "Bruno", "Chen", "Dana", "Emeka", "Farah", "Gustav", "Hana", "Ivan", "Jamal",
        "Keiko", "Lars", "Maya", "Nikolai", "Olga", "Pedro", "Quinn", "Rosa", "Samir", "Tara",
        "Umar", "Vera", "Wei", "Ximena", "Yusuf", "Zoe", "Aisha", "Boris", "Carla", "Diego",
        "Elena", "Felix", "Grace", "Hugo", "Ines", "Jonas", "Kira", "Leo", "Mina", "Nora",
        "Oscar", "Priya", "Rafael", "Sofia", "Tomas", "Uma", "Victor", "Wanda", "Yara", "Zane",
    ];

    public static readonly string[] LastNames =
    [
        "Smith", "Tanaka", "Okafor", "Silva", "Novak", "Larsen", "Haddad", "Kim", "Rossi", "Dubois",
        "Kowalski", "Nguyen", "Garcia", "Petrov", "Singh", "Moreau", "Fischer", "Costa", "Mensah", "Ali",
        "Berg", "Ortiz", "Yilmaz", "Sato", "Wright", "Lopez", "Meyer", "Ivanova", "Park", "Reyes",
    ];

    public static readonly string[] Items =
    [
        "stapler", "desk lamp", "notebook", "backpack", "water bottle", "keyboard", "monitor", "headset", "mug", "umbrella",
        "blender", "kettle", "toaster", "drill", "hammer", "ladder", "tent", "sleeping bag", "bicycle", "helmet",
        "printer paper", "marker", "scissors", "charger", "cable", "router", "speaker", "camera", "tripod", "battery pack",
        "chair", "sofa", "rug", "mirror", "vase", "candle", "pillow", "blanket", "jacket", "boots",
        "gloves", "scarf", "teapot", "frying pan", "cutting board", "knife set", "bookshelf", "clock", "fan", "heater",
    ];

    public static readonly string[] Colors = ["red", "blue", "green", "yellow", "purple", "orange", "black", "white", "gray", "teal", "silver", "gold"];

    public static readonly string[] Weather = ["sunny", "cloudy", "rainy", "windy", "snowy", "foggy", "stormy", "clear"];

    public static readonly string[] Languages = ["French", "Spanish", "German", "Japanese", "Italian", "Portuguese", "Korean", "Dutch", "Swedish", "Polish", "Turkish", "Greek"];

    public static readonly string[] Currencies = ["USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "SEK", "NOK", "INR", "BRL", "MXN"];

    public static readonly string[] Countries =
    [
        "France", "Japan", "Peru", "Norway", "Egypt", "Kenya", "Canada", "Chile", "Ghana", "Spain",
        "Italy", "Poland", "Brazil", "India", "Vietnam", "Greece", "Ireland", "Portugal", "Mexico", "Finland",
    ];

    public static readonly string[] Months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    public static readonly string[] Weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

    public static readonly string[] Adjectives =
    [
        "silent", "golden", "brave", "quiet", "lucky", "hidden", "bright", "gentle", "wild", "frozen",
        "electric", "lonely", "happy", "ancient", "secret", "endless", "broken", "velvet", "crimson", "distant",
    ];

    public static readonly string[] Nouns =
    [
        "river", "mountain", "garden", "window", "harbor", "forest", "engine", "planet", "lantern", "meadow",
        "castle", "bridge", "island", "rocket", "compass", "orchard", "canyon", "violin", "market", "beacon",
        "feather", "pebble", "thunder", "mirror", "ladder", "anchor", "comet", "desert", "glacier", "tunnel",
    ];

    public static readonly string[] Syllables =
    [
        "ka", "lo", "mi", "ra", "zen", "tor", "vex", "qui", "bal", "dor", "fen", "gri", "hul", "jax", "kor",
        "lum", "nax", "ori", "pel", "rux", "sal", "tam", "ulo", "vim", "wex", "yor", "zul", "bri", "cas", "dex",
    ];

    public static readonly string[] Domains = ["example.com", "mail.org", "corp.net", "acme.io", "studio.dev", "inbox.co"];

    public static readonly string[] Restaurants =
    [
        "Blue Fig", "Casa Luna", "The Olive Tree", "Sakura House", "Golden Wok", "Little Italy", "Green Table", "Harbor Grill",
        "Red Lantern", "Spice Route", "The Copper Pot", "Maple Diner", "Nori Bar", "El Sol", "Bistro Verde", "Curry Leaf",
    ];

    public static readonly string[] Songs =
    [
        "Midnight Rain", "Paper Moon", "Summer Road", "Blue Horizon", "Golden Hour", "Silver Lines", "Neon Dreams", "Ocean Eyes",
        "Falling Leaves", "Northern Lights", "City of Stars", "Quiet Storm", "Wild Heart", "Slow Dance", "Open Sky", "Red River",
    ];

    public static readonly string[] TaskVerbs = ["call", "email", "pay", "visit", "review", "clean", "buy", "fix", "book", "plan", "water", "return"];

    public static readonly string[] TaskObjects =
    [
        "the plumber", "the bank", "the dentist", "the report", "the garage", "groceries", "the rent", "the bike", "the tickets",
        "the plants", "the library books", "the budget", "the car", "the invoice", "mom", "the landlord", "the kitchen", "the slides",
    ];

    /// <summary>A pronounceable made-up word (2 or 3 syllables), lower case.</summary>
    public static string PseudoWord(SeededRandom rng)
    {
        int n = rng.Range(2, 3);
        var parts = new string[n];
        for (int i = 0; i < n; i++)
        {
            parts[i] = rng.Pick(Syllables);
        }

        return string.Concat(parts);
    }

    /// <summary>An identifier such as "QX-4821".</summary>
    public static string Code(SeededRandom rng)
    {
        const string letters = "ABCDEFGHJKLMNPQRSTUVWXYZ";
        int letterCount = rng.Range(2, 3);
        var chars = new char[letterCount];
        for (int i = 0; i < letterCount; i++)
        {
            chars[i] = letters[rng.Next(letters.Length)];
        }

        return new string(chars) + "-" + rng.Range(10, 9999).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A stock-ticker-like symbol of 3 or 4 capital letters.</summary>
    public static string Ticker(SeededRandom rng)
    {
        const string letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        int n = rng.Range(3, 4);
        var chars = new char[n];
        for (int i = 0; i < n; i++)
        {
            chars[i] = letters[rng.Next(letters.Length)];
        }

        return new string(chars);
    }

    public static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    /// <summary>The text with its first character in lower case.</summary>
    public static string LowerFirst(string s) => s.Length == 0 ? s : char.ToLowerInvariant(s[0]) + s[1..];
}
