using System.ComponentModel;
using System.Globalization;
using Microsoft.SemanticKernel;

namespace AgentDemo.Plugins;

/// <summary>A small in-memory warehouse the agent can query.</summary>
public sealed class InventoryPlugin
{
    private static readonly string[] Items = ["steel bolt", "blue widget", "copper pipe", "red gadget", "oak plank", "glass jar", "rubber seal"];
    private static readonly string[] Towns = ["Porto", "Lyon", "Gdansk", "Turin", "Ghent", "Bergen", "Malaga"];

    private readonly Dictionary<string, int> stock = new(StringComparer.OrdinalIgnoreCase)
    {
        ["blue widget"] = 42,
        ["red gadget"] = 7,
        ["green sprocket"] = 0,
        ["steel bolt"] = 1250,
    };

    /// <summary>Units in stock of a product.</summary>
    [KernelFunction("get_stock")]
    [Description("Get how many units of a product are in stock.")]
    public object GetStock([Description("The product name, e.g. \"blue widget\"")] string product) =>
        stock.TryGetValue(product.Trim(), out int units) ? new { item = product, quantity = units } : new { error = $"no product named {product}" };

    /// <summary>Today's outgoing shipments of a site: a long, record-heavy result, as agent tools often return.</summary>
    [KernelFunction("get_shipment_log")]
    [Description("Get today's shipment log of a warehouse site.")]
    public object GetShipmentLog([Description("The site, e.g. \"Lisbon\"")] string site)
    {
        // Fixed records (no randomness), so the demo's output is reproducible.
        // Four records: long enough to separate the instruction from the last answer, short enough that the scripted
        // conversation fits the demo model's 1024 positions with room for every reply.
        var shipments = Enumerable.Range(0, 4).Select(i => new
        {
            id = "SH-" + (1040 + (i * 7)).ToString(CultureInfo.InvariantCulture),
            item = Items[i % Items.Length],
            units = 10 + ((i * 37) % 90),
            to = Towns[(i * 3) % Towns.Length],
        });
        return new { site, date = "2026-12-03", shipments };
    }
}
