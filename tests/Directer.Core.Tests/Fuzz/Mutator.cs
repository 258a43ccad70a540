using System.Text;
using System.Text.Json.Nodes;

namespace Directer.Core.Tests.Fuzz;

/// <summary>Seeded, deterministic input mutations for the parser fuzz tests: byte-level damage (flips, cuts, splices,
/// repeats, invalid UTF-8) and JSON-aware edits (a value replaced by another type, an extreme number, a deep nest, a
/// huge string, a key removed or duplicated).</summary>
internal sealed class Mutator(int seed)
{
    private static readonly string[] Interesting =
    [
        "null", "true", "false", "0", "-1", "1e308", "-1e308", "1e999", "NaN", "2147483648", "9223372036854775808", "-0",
        "0.5", "\"\"", "\"x\"", "[]", "{}", "[[[[[[[[[[]]]]]]]]]]", "\"\\u0000\"", "\"\\ud800\"", "\"../../etc/passwd\"",
        "\"<|im_start|>\"", "[1,2,3]", "{\"a\":1}", "\"" + new string('a', 5000) + "\"", "123456789012", "1.5", "\"F32\"",
    ];

    public Random Random { get; } = new(seed);

    /// <summary>One byte-level mutation of <paramref name="input"/>.</summary>
    public byte[] Bytes(byte[] input)
    {
        var data = new List<byte>(input);
        int edits = 1 + Random.Next(4);
        for (int e = 0; e < edits; e++)
        {
            int at = data.Count == 0 ? 0 : Random.Next(data.Count);
            switch (Random.Next(8))
            {
                case 0 when data.Count > 0:
                    data[at] ^= (byte)(1 << Random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data.RemoveRange(at, data.Count - at); // truncate
                    break;
                case 2:
                    data.InsertRange(at, Enumerable.Range(0, 1 + Random.Next(16)).Select(_ => (byte)Random.Next(256)));
                    break;
                case 3 when data.Count > 0:
                    data.RemoveRange(at, Math.Min(data.Count - at, 1 + Random.Next(32)));
                    break;
                case 4:
                    data.InsertRange(at, new byte[] { 0xC3, 0x28, 0xFF, 0xED, 0xA0, 0x80 }.Take(1 + Random.Next(6))); // invalid UTF-8
                    break;
                case 5 when data.Count > 8:
                    int from = Random.Next(data.Count - 4);
                    data.InsertRange(at, data.GetRange(from, Math.Min(data.Count - from, 1 + Random.Next(64)))); // splice
                    break;
                case 6:
                    data.InsertRange(at, Encoding.UTF8.GetBytes(Interesting[Random.Next(Interesting.Length)]));
                    break;
                default:
                    if (data.Count > 0)
                    {
                        const string structural = "{}[]\",:0-e.\\";
                        data[at] = (byte)structural[Random.Next(structural.Length)];
                    }

                    break;
            }
        }

        return data.ToArray();
    }

    /// <summary>One JSON-aware mutation of <paramref name="json"/> (falls back to a byte mutation when it does not parse).</summary>
    public string Json(string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (System.Text.Json.JsonException)
        {
            return Encoding.UTF8.GetString(Bytes(Encoding.UTF8.GetBytes(json)));
        }

        if (root is null)
        {
            return Interesting[Random.Next(Interesting.Length)];
        }

        var nodes = new List<JsonNode>();
        Collect(root, nodes);
        var target = nodes[Random.Next(nodes.Count)];
        switch (Random.Next(5))
        {
            case 0:
                Replace(target, InterestingNode());
                break;
            case 1 when target.Parent is JsonObject parent:
                parent.Remove(target.GetPropertyName());
                break;
            case 2:
                JsonNode nest = new JsonArray();
                for (int i = 0; i < 50 + Random.Next(200); i++)
                {
                    nest = new JsonArray(nest);
                }

                Replace(target, nest);
                break;
            case 3 when target is JsonObject obj:
                obj["k" + Random.Next(1000)] = InterestingNode();
                break;
            default:
                Replace(target, JsonValue.Create(Random.Next(2) == 0 ? -Random.Next(1 << 20) : Random.NextDouble() * 1e12));
                break;
        }

        string text;
        try
        {
            text = root.ToJsonString();
        }
        catch (InvalidOperationException)
        {
            text = json; // a lone surrogate cannot be written as JSON by System.Text.Json
        }

        return Random.Next(6) == 0 ? Encoding.UTF8.GetString(Bytes(Encoding.UTF8.GetBytes(text))) : text;
    }

    // Some interesting literals (NaN, 1e999) are not JSON: those go in as strings.
    private JsonNode? InterestingNode()
    {
        string literal = Interesting[Random.Next(Interesting.Length)];
        try
        {
            return JsonNode.Parse(literal);
        }
        catch (System.Text.Json.JsonException)
        {
            return JsonValue.Create(literal);
        }
    }

    private static void Collect(JsonNode node, List<JsonNode> nodes)
    {
        nodes.Add(node);
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj.ToList())
                {
                    if (child is not null)
                    {
                        Collect(child, nodes);
                    }
                }

                break;
            case JsonArray array:
                foreach (var child in array.ToList())
                {
                    if (child is not null)
                    {
                        Collect(child, nodes);
                    }
                }

                break;
        }
    }

    private static void Replace(JsonNode target, JsonNode? with)
    {
        switch (target.Parent)
        {
            case JsonObject parent:
                parent[target.GetPropertyName()] = with;
                break;
            case JsonArray array:
                array[target.GetElementIndex()] = with;
                break;
        }
    }
}
