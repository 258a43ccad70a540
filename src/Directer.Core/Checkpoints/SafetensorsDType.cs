using TorchSharp;

namespace Directer.Core.Checkpoints;

/// <summary>The dtype strings of the safetensors format: sizes, and which ones load as weights.</summary>
internal static class SafetensorsDType
{
    /// <summary>The dtypes that load as weights, in the order error messages list them.</summary>
    internal const string SupportedList = "F32, BF16, F16, F64";

    private static readonly Dictionary<string, int> ElementSizes = new(StringComparer.Ordinal)
    {
        ["F64"] = 8,
        ["F32"] = 4,
        ["F16"] = 2,
        ["BF16"] = 2,
        ["I64"] = 8,
        ["I32"] = 4,
        ["I16"] = 2,
        ["I8"] = 1,
        ["U64"] = 8,
        ["U32"] = 4,
        ["U16"] = 2,
        ["U8"] = 1,
        ["BOOL"] = 1,
        ["F8_E4M3"] = 1,
        ["F8_E5M2"] = 1,
        ["F8_E8M0"] = 1,
    };

    /// <summary>The size in bytes of one element, or null for a dtype string the format does not define.</summary>
    internal static int? ElementSize(string dtype) => ElementSizes.TryGetValue(dtype, out int size) ? size : null;

    /// <summary>Whether the dtype is an integer or boolean type (recognised, never loaded as weights).</summary>
    internal static bool IsInteger(string dtype) => dtype is "I64" or "I32" or "I16" or "I8" or "U64" or "U32" or "U16" or "U8" or "BOOL";

    /// <summary>The TorchSharp type for a dtype that loads as weights, or null.</summary>
    internal static torch.ScalarType? ToScalarType(string dtype) => dtype switch
    {
        "F32" => torch.ScalarType.Float32,
        "BF16" => torch.ScalarType.BFloat16,
        "F16" => torch.ScalarType.Float16,
        "F64" => torch.ScalarType.Float64,
        _ => null,
    };

    /// <summary>The safetensors dtype string for a TorchSharp type that can be written, or null.</summary>
    internal static string? FromScalarType(torch.ScalarType type) => type switch
    {
        torch.ScalarType.Float32 => "F32",
        torch.ScalarType.BFloat16 => "BF16",
        torch.ScalarType.Float16 => "F16",
        torch.ScalarType.Float64 => "F64",
        _ => null,
    };

    /// <summary>Formats a shape as <c>[a, b]</c> for messages.</summary>
    internal static string FormatShape(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";
}
