using System.Runtime.InteropServices;
using TorchSharp;

namespace Directer.Core.Modeling.Kernels;

/// <summary>The address of a CPU tensor's storage, for kernels that read or write it in place.</summary>
internal static partial class TensorMemory
{
    public static unsafe byte* Address(torch.Tensor tensor)
    {
        if (tensor.device_type != DeviceType.CPU || !tensor.is_contiguous())
        {
            throw new ArgumentException("Decode kernels need contiguous CPU tensors.", nameof(tensor));
        }

        return (byte*)THSTensor_data(tensor.Handle);
    }

    // TorchSharp's own native entry point (LibTorchSharp), which its Tensor.bytes also uses.
    [LibraryImport("LibTorchSharp")]
    private static partial IntPtr THSTensor_data(IntPtr handle);
}
