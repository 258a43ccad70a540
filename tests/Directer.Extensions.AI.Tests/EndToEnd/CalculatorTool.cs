using System.ComponentModel;

namespace Directer.Extensions.AI.Tests.EndToEnd;

/// <summary>A real tool with state, without Semantic Kernel: it records every call, so tests see what actually ran.</summary>
public sealed class CalculatorTool
{
    /// <summary>Products computed, in order.</summary>
    public List<(long A, long B)> Calls { get; } = [];

    /// <summary>a × b.</summary>
    [Description("Returns the product of two integers.")]
    public long Multiply([Description("First factor")] long a, [Description("Second factor")] long b)
    {
        Calls.Add((a, b));
        return a * b;
    }
}
