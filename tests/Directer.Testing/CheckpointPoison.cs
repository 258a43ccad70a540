using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Directer.Testing;

/// <summary>Overwrites a tensor of a written checkpoint's <c>model.safetensors</c> in place (tests of broken weights).</summary>
public static class CheckpointPoison
{
    /// <summary>Sets every element of <paramref name="tensor"/> (F32 or BF16) to <paramref name="value"/>.</summary>
    public static void Fill(string folder, string tensor, float value)
    {
        string path = Path.Combine(folder, "model.safetensors");
        byte[] bytes = File.ReadAllBytes(path);
        int headerLength = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, headerLength));
        var entry = header.RootElement.GetProperty(tensor);
        string dtype = entry.GetProperty("dtype").GetString()!;
        var offsets = entry.GetProperty("data_offsets");
        int start = 8 + headerLength + offsets[0].GetInt32();
        int end = 8 + headerLength + offsets[1].GetInt32();
        uint bits = BitConverter.SingleToUInt32Bits(value);
        for (int at = start; at < end;)
        {
            switch (dtype)
            {
                case "F32":
                    BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), bits);
                    at += 4;
                    break;
                case "BF16":
                    BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at), (ushort)(bits >> 16));
                    at += 2;
                    break;
                default:
                    throw new NotSupportedException($"{tensor} is {dtype}; only F32 and BF16 can be poisoned.");
            }
        }

        File.WriteAllBytes(path, bytes);
    }
}
