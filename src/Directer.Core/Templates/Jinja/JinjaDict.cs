namespace Directer.Core.Templates.Jinja;

/// <summary>A Python dict: insertion-ordered, keys compared with Python equality (strings ordinally).</summary>
internal sealed class JinjaDict
{
    private readonly List<KeyValuePair<object, object?>> entries = [];
    private readonly Dictionary<object, int> positions = new(JinjaKeyComparer.Instance);

    /// <summary>The keys are conversation data (a tool schema's property names, argument names): <c>tojson</c>
    /// writes them tracked as <see cref="TrackedString.DataSource"/>, so their control-token strings stay text.</summary>
    public bool KeysAreData { get; init; }

    /// <summary>The number of entries.</summary>
    public int Count => entries.Count;

    /// <summary>The entries in insertion order.</summary>
    public IReadOnlyList<KeyValuePair<object, object?>> Entries => entries;

    /// <summary>Sets a key (a new key goes last; an existing one keeps its place).</summary>
    public void Set(object key, object? value)
    {
        key = JinjaKeyComparer.Normalize(key);
        if (positions.TryGetValue(key, out int at))
        {
            entries[at] = new(entries[at].Key, value);
        }
        else
        {
            positions[key] = entries.Count;
            entries.Add(new(key, value));
        }
    }

    /// <summary>Looks a key up.</summary>
    public bool TryGet(object? key, out object? value)
    {
        if (key is not null && positions.TryGetValue(JinjaKeyComparer.Normalize(key), out int at))
        {
            value = entries[at].Value;
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>Whether the key is present.</summary>
    public bool ContainsKey(object? key) => TryGet(key, out _);
}

/// <summary>Python's hash equality for dict keys: tracked strings are strings, booleans and whole floats equal ints.</summary>
internal sealed class JinjaKeyComparer : IEqualityComparer<object>
{
    /// <summary>The comparer.</summary>
    public static readonly JinjaKeyComparer Instance = new();

    /// <summary>The key as stored.</summary>
    public static object Normalize(object key) => key switch
    {
        TrackedString t => t.Text,
        _ => key,
    };

    /// <inheritdoc />
    public new bool Equals(object? x, object? y) => JinjaValues.PyEquals(x, y);

    /// <inheritdoc />
    public int GetHashCode(object obj) => obj switch
    {
        string s => StringComparer.Ordinal.GetHashCode(s),
        bool b => b ? 1 : 0,
        long l => l.GetHashCode(),
        double d when d == Math.Floor(d) && Math.Abs(d) < 9e18 => ((long)d).GetHashCode(),
        object?[] tuple => tuple.Aggregate(17, (hash, item) => (hash * 31) + (item is null ? 0 : GetHashCode(item))), // equal tuples hash alike
        _ => obj.GetHashCode(),
    };
}
