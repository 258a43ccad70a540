using System.ComponentModel;
using System.Globalization;
using Microsoft.SemanticKernel;

namespace AgentDemo.Plugins;

/// <summary>Exact arithmetic the model should not do in its head.</summary>
public sealed class CalculatorPlugin
{
    /// <summary>a × b.</summary>
    [KernelFunction("multiply")]
    [Description("Multiply two numbers.")]
    public string Multiply([Description("first number")] double a, [Description("second number")] double b) => (a * b).ToString(CultureInfo.InvariantCulture);

    /// <summary>a + b.</summary>
    [KernelFunction("add")]
    [Description("Add two numbers.")]
    public string Add([Description("first number")] double a, [Description("second number")] double b) => (a + b).ToString(CultureInfo.InvariantCulture);
}
