using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;
using TorchSharp;

namespace Directer.Core.Checkpoints;

/// <summary>
/// Writes <c>.safetensors</c> files that Hugging Face's <c>safetensors</c> library reads: compact JSON header
/// padded with spaces to a multiple of 8 bytes, <c>__metadata__</c> first, tensors stored in the order given.
/// </summary>
public static class SafetensorsWriter
{
    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="path"/>. The file is written next to the target and
    /// moved into place, so a reader never sees a half-written file.
    /// </summary>
    /// <param name="path">The file to write (replaced if it exists).</param>
    /// <param name="tensors">Names and tensors, in storage order. Dtypes F32, BF16, F16 (and F64); any device.</param>
    /// <param name="metadata">The header's <c>__metadata__</c>, e.g. <c>{"format": "pt"}</c>; omitted when null or empty.</param>
    /// <exception cref="CheckpointException">A name is empty or repeated, or a tensor's dtype cannot be stored.</exception>
    public static void Write(
        string path,
        IReadOnlyList<KeyValuePair<string, torch.Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        Write(path, tensors, metadata, SafetensorsFile.DefaultChunkBytes);
    }

    /// <summary>Like the public overload, copying at most <paramref name="chunkBytes"/> bytes of a tensor at a time.</summary>
    internal static void Write(
        string path,
        IReadOnlyList<KeyValuePair<string, torch.Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata,
        long chunkBytes)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        string fullPath = Path.GetFullPath(path);

        var dtypes = new string[tensors.Count];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < tensors.Count; i++)
        {
            string name = tensors[i].Key;
            if (string.IsNullOrEmpty(name) || name == "__metadata__")
            {
                throw new CheckpointException($"Cannot write '{fullPath}': tensor #{i} has the reserved or empty name '{name}'.", fullPath, name);
            }

            if (!names.Add(name))
            {
                throw new CheckpointException($"Cannot write '{fullPath}': tensor '{name}' is given twice.", fullPath, name);
            }

            torch.Tensor tensor = tensors[i].Value ?? throw new CheckpointException($"Cannot write '{fullPath}': tensor '{name}' is null.", fullPath, name);
            dtypes[i] = SafetensorsDType.FromScalarType(tensor.dtype)
                ?? throw new CheckpointException(
                    $"Cannot write '{fullPath}': tensor '{name}' has dtype {tensor.dtype}; safetensors checkpoints are written as {SafetensorsDType.SupportedList}.",
                    fullPath,
                    name);
        }

        byte[] header = BuildHeader(tensors, dtypes, metadata);
        string? directory = Path.GetDirectoryName(fullPath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        string temporary = fullPath + ".tmp-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
                stream.Write(length);
                stream.Write(header);
                foreach (var pair in tensors)
                {
                    WriteData(stream, pair.Value, chunkBytes);
                }
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    private static byte[] BuildHeader(
        IReadOnlyList<KeyValuePair<string, torch.Tensor>> tensors,
        string[] dtypes,
        IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var item in metadata)
                {
                    json.WriteString(item.Key, item.Value);
                }

                json.WriteEndObject();
            }

            long offset = 0;
            for (int i = 0; i < tensors.Count; i++)
            {
                torch.Tensor tensor = tensors[i].Value;
                long byteLength = tensor.NumberOfElements * tensor.ElementSize;
                json.WriteStartObject(tensors[i].Key);
                json.WriteString("dtype", dtypes[i]);
                json.WriteStartArray("shape");
                foreach (long dimension in tensor.shape)
                {
                    json.WriteNumberValue(dimension);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + byteLength);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += byteLength;
            }

            json.WriteEndObject();
        }

        int padding = (int)((8 - (buffer.Length % 8)) % 8);
        for (int i = 0; i < padding; i++)
        {
            buffer.WriteByte((byte)' ');
        }

        return buffer.ToArray();
    }

    private static void WriteData(Stream stream, torch.Tensor tensor, long chunkBytes)
    {
        if (tensor.NumberOfElements == 0)
        {
            return;
        }

        using var scope = torch.NewDisposeScope();
        torch.Tensor source = tensor.device_type == DeviceType.CPU ? tensor : tensor.cpu();
        torch.Tensor flat = source.contiguous().reshape(-1);
        long elementSize = flat.ElementSize;
        long chunkElements = Math.Max(1, Math.Min(chunkBytes, int.MaxValue) / elementSize);
        long total = flat.NumberOfElements;
        for (long start = 0; start < total; start += chunkElements)
        {
            long count = Math.Min(chunkElements, total - start);
            using torch.Tensor part = flat.narrow(0, start, count);
            stream.Write(part.bytes);
        }
    }
}
