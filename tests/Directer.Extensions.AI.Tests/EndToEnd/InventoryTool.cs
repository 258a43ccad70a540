using System.ComponentModel;

namespace Directer.Extensions.AI.Tests.EndToEnd;

/// <summary>A distractor tool: the right answer never calls it.</summary>
public sealed class InventoryTool
{
    /// <summary>Products looked up, in order.</summary>
    public List<string> Lookups { get; } = [];

    /// <summary>Units in stock.</summary>
    [Description("Get how many units of a product are in stock.")]
    public int GetStock([Description("The product name")] string product)
    {
        Lookups.Add(product);
        return 7;
    }
}
