using System.Globalization;

namespace Directer.Training.Commands;

/// <summary>Parsed "--name value" options; every option must be consumed by the command.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> values = new(StringComparer.Ordinal);
    private readonly HashSet<string> used = new(StringComparer.Ordinal);

    public static Options Parse(IEnumerable<string> args)
    {
        var o = new Options();
        var list = args.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            string a = list[i];
            if (!a.StartsWith("--", StringComparison.Ordinal) || i + 1 >= list.Count)
            {
                throw new ArgumentException($"Expected '--name value', got '{a}'.");
            }

            o.values[a[2..]] = list[++i];
        }

        return o;
    }

    public bool Has(string name) => values.ContainsKey(name);

    public string? String(string name)
    {
        used.Add(name);
        return values.GetValueOrDefault(name);
    }

    public string Required(string name) => String(name) ?? throw new ArgumentException($"--{name} is required.");

    public long Long(string name, long fallback)
    {
        string? s = String(name);
        return s is null ? fallback : long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v : throw new ArgumentException($"--{name} expects an integer, got '{s}'.");
    }

    public int Int(string name, int fallback) => checked((int)Long(name, fallback));

    public double Double(string name, double fallback)
    {
        string? s = String(name);
        return s is null ? fallback : double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : throw new ArgumentException($"--{name} expects a number, got '{s}'.");
    }

    /// <summary>
    /// <c>--wordings base|wide</c>: whether training requests also come from the archetypes' additional wordings
    /// (<see cref="Data.ToolArchetype.MoreTrainRequests"/>); base (the default) keeps earlier stages' data bit for bit.
    /// </summary>
    public bool WideWordings() => (String("wordings") ?? "base") switch
    {
        "base" => false,
        "wide" => true,
        var other => throw new ArgumentException($"--wordings must be base or wide, got '{other}'."),
    };

    /// <summary>Throws if an option was given that the command does not know.</summary>
    public void EnsureAllUsed()
    {
        var unknown = values.Keys.Where(k => !used.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException("Unknown option(s): " + string.Join(", ", unknown.Select(k => "--" + k)));
        }
    }
}
