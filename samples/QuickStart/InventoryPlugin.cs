using System.ComponentModel;
using Microsoft.SemanticKernel;

/// <summary>The README's example plugin: a tiny in-memory stock list.</summary>
public sealed class InventoryPlugin
{
    /// <summary>Units in stock of a product.</summary>
    [KernelFunction("get_stock")]
    [Description("Get how many units of a product are in stock.")]
    public int GetStock([Description("The product name, e.g. \"blue widget\"")] string product) =>
        product.Trim().Equals("blue widget", StringComparison.OrdinalIgnoreCase) ? 42 : 0;
}
