using System.ComponentModel;
using Microsoft.SemanticKernel;

namespace Directer.SemanticKernel.Tests.EndToEnd;

/// <summary>A real plugin with state: it records every call, so tests see what the model asked for.</summary>
public sealed class WarehousePlugin
{
    private readonly Dictionary<string, int> stock = new(StringComparer.OrdinalIgnoreCase)
    {
        ["desk lamp"] = 314,
        ["water bottle"] = 27,
        ["keyboard"] = 58,
    };

    /// <summary>Items the model asked about, in order.</summary>
    public List<string> Calls { get; } = [];

    /// <summary>Units in stock.</summary>
    [KernelFunction("check_stock")]
    [Description("Check how many units of an item are in stock.")]
    public StockLevel CheckStock([Description("Name of the item")] string item)
    {
        Calls.Add(item);
        return new StockLevel(item, stock.GetValueOrDefault(item.Trim()));
    }
}

/// <summary>The plugin's result; SK serializes it to JSON for the model.</summary>
/// <param name="Item">The item.</param>
/// <param name="Quantity">Units in stock.</param>
public sealed record StockLevel(string Item, int Quantity);
