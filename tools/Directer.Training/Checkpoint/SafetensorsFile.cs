using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Training.Checkpoint;

/// <summary>
/// Minimal safetensors writer and reader for this tool (8-byte little-endian header length, JSON header padded
/// with spaces to a multiple of 8, then the raw little-endian tensor data in header order). Kept small and
/// isolated so it can be swapped for Directer.Core's checkpoint layer.
/// </summary>
internal static class SafetensorsFile
{
    /// <summary>Writes <paramref name="tensors"/> (converted to <paramref name="dtype"/>: Float32 or BFloat16) to <paramref name="path"/>.</summary>
    public static void Write(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, ScalarType dtype, IReadOnlyDictionary<string, string>? metadata = null)
    {
        string code = dtype switch
        {
            ScalarType.Float32 => "F32",
            ScalarType.BFloat16 => "BF16",
            _ => throw new ArgumentException($"Unsupported safetensors dtype {dtype}; use Float32 or BFloat16.", nameof(dtype)),
        };

        var blobs = new List<(string Name, long[] Shape, byte[] Data)>();
        foreach (var (name, tensor) in tensors)
        {
            using var converted = tensor.detach().to_type(dtype).contiguous().cpu();
            blobs.Add((name, converted.shape, converted.bytes.ToArray()));
        }

        var header = new JsonObject();
        if (metadata is not null)
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata)
            {
                meta[k] = v;
            }

            header["__metadata__"] = meta;
        }

        long offset = 0;
        foreach (var (name, shape, data) in blobs)
        {
            header[name] = new JsonObject
            {
                ["dtype"] = code,
                ["shape"] = new JsonArray(shape.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + data.Length),
            };
            offset += data.Length;
        }

        byte[] headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (headerBytes.Length + 7) / 8 * 8;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
            stream.Write(length);
            stream.Write(headerBytes);
            for (int i = headerBytes.Length; i < padded; i++)
            {
                stream.WriteByte((byte)' ');
            }

            foreach (var (_, _, data) in blobs)
            {
                stream.Write(data);
            }
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads every tensor of a safetensors file (F32 or BF16) as float32 tensors.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed safetensors file.</exception>
    public static Dictionary<string, Tensor> Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8)
        {
            throw new InvalidDataException($"{path}: too short for a safetensors header.");
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.Length - 8))
        {
            throw new InvalidDataException($"{path}: header length {headerLength} exceeds the file size {bytes.Length}.");
        }

        int dataStart = 8 + (int)headerLength;
        using var doc = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var entry in doc.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__")
            {
                continue;
            }

            string dtype = entry.Value.GetProperty("dtype").GetString()!;
            long[] shape = entry.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            long[] range = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var scalar = dtype switch
            {
                "F32" => ScalarType.Float32,
                "BF16" => ScalarType.BFloat16,
                _ => throw new InvalidDataException($"{path}: tensor '{entry.Name}' has dtype {dtype}; this reader handles F32 and BF16."),
            };
            var t = empty(shape, scalar);
            long expected = t.NumberOfElements * (scalar == ScalarType.Float32 ? 4 : 2);
            if (range[1] - range[0] != expected || dataStart + range[1] > bytes.Length)
            {
                throw new InvalidDataException($"{path}: tensor '{entry.Name}' offsets [{range[0]}, {range[1]}) do not match shape [{string.Join(", ", shape)}] {dtype} or the file size.");
            }

            t.bytes = bytes.AsSpan((int)(dataStart + range[0]), (int)expected);
            result[entry.Name] = scalar == ScalarType.Float32 ? t : t.to_type(ScalarType.Float32);
            if (scalar != ScalarType.Float32)
            {
                t.Dispose();
            }
        }

        return result;
    }
}
