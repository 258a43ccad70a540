using System.ComponentModel;
using Microsoft.SemanticKernel;

namespace Directer.SemanticKernel.Tests.EndToEnd;

/// <summary>A real plugin with state: it records every call, so tests see what actually ran.</summary>
public sealed class CalculatorPlugin
{
    /// <summary>Products computed, in order.</summary>
    public List<(long A, long B)> Calls { get; } = [];

    /// <summary>a × b.</summary>
    [KernelFunction("multiply")]
    [Description("Returns the product of two integers.")]
    public long Multiply([Description("First factor")] long a, [Description("Second factor")] long b)
    {
        Calls.Add((a, b));
        return a * b;
    }
}
