using System.ComponentModel;
using Microsoft.SemanticKernel;

namespace AgentDemo.Plugins;

/// <summary>A small in-memory warehouse the agent can query.</summary>
public sealed class InventoryPlugin
{
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
}
