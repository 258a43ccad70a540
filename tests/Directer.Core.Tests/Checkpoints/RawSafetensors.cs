using System.Buffers.Binary;
using System.Text;

namespace Directer.Core.Tests.Checkpoints;

/// <summary>Builds safetensors files byte by byte, including broken ones.</summary>
internal static class RawSafetensors
{
    /// <summary>8-byte length of <paramref name="header"/>, the header, then <paramref name="data"/>.</summary>
    public static string Write(string path, string header, byte[] data) =>
        Write(path, (ulong)Encoding.UTF8.GetByteCount(header), Encoding.UTF8.GetBytes(header).Concat(data).ToArray());

    /// <summary>An arbitrary declared header length followed by <paramref name="rest"/>.</summary>
    public static string Write(string path, ulong declaredHeaderLength, byte[] rest)
    {
        var bytes = new byte[8 + rest.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredHeaderLength);
        rest.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Little-endian float32 bytes.</summary>
    public static byte[] Floats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }
}
