using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Directer.Core.Runtime;
using Microsoft.Win32.SafeHandles;
using TorchSharp;

namespace Directer.Core.Checkpoints;

/// <summary>
/// An open <c>.safetensors</c> file: its header is read and fully validated on <see cref="Open"/>, and
/// <see cref="Read(string, torch.ScalarType)"/> reads one tensor into a new CPU tensor. Files of any size are supported (offsets are 64-bit;
/// data is read in chunks below 2 GB).
/// </summary>
/// <remarks>
/// Format: 8-byte little-endian header length N, N bytes of JSON header
/// (<c>{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}</c>), then the data block;
/// offsets are relative to the start of the data block. Reading is thread-safe; disposing is not.
/// Tensors are read with positional reads straight into the tensor's memory, not through a memory map: the pages
/// of a mapped file count in the process's resident set until it is unmapped, so a model loaded from a mapping
/// peaked at two copies of its weights (the mapped file and the tensors); read, the file's pages stay in the
/// operating system's cache only. A stored type other than the requested one is converted chunk by chunk, so a
/// tensor's stored form is never held whole beside it.
/// </remarks>
public sealed class SafetensorsFile : IDisposable
{
    /// <summary>The largest header accepted (the reference implementation's limit).</summary>
    internal const long MaxHeaderLength = 100_000_000;

    /// <summary>The chunk size used to copy tensor bytes (below the 2 GB limit of <c>Tensor.bytes</c>).</summary>
    internal const long DefaultChunkBytes = 1L << 30;

    /// <summary>The most stored bytes held at once while converting a tensor to another type.</summary>
    internal const long ConversionChunkBytes = 4L << 20;

    /// <summary>The most <c>__metadata__</c> entries accepted: real checkpoints carry a handful ("format": "pt");
    /// millions of them only cost memory (a 60 MB header of them took 756 MB to load before this bound).</summary>
    internal const int MaxMetadataEntries = 10_000;

    /// <summary>The most tensors one file may declare (the largest real shards hold a few thousand).</summary>
    internal const int MaxTensorEntries = 200_000;

    private const string MetadataKey = "__metadata__";

    private readonly SafeFileHandle handle;
    private readonly long dataStart;
    private bool disposed;

    private SafetensorsFile(
        string filePath,
        Dictionary<string, SafetensorsEntry> entries,
        Dictionary<string, string> metadata,
        long dataStart,
        SafeFileHandle handle)
    {
        FilePath = filePath;
        Entries = entries;
        Metadata = metadata;
        this.dataStart = dataStart;
        this.handle = handle;
    }

    /// <summary>The full path of the file.</summary>
    public string FilePath { get; }

    /// <summary>The tensors in the file, by name.</summary>
    public IReadOnlyDictionary<string, SafetensorsEntry> Entries { get; }

    /// <summary>The header's <c>__metadata__</c> (empty when absent), e.g. <c>{"format": "pt"}</c>.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens a safetensors file and validates its header and the layout of every tensor.</summary>
    /// <param name="path">The <c>.safetensors</c> file.</param>
    /// <returns>The open file; dispose it to close it.</returns>
    /// <exception cref="CheckpointException">The file is missing, truncated or malformed; the message says how.</exception>
    public static SafetensorsFile Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new CheckpointException($"Safetensors file '{fullPath}' does not exist.", fullPath);
        }

        long fileLength;
        byte[] headerBytes;
        try
        {
            using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read);
            fileLength = stream.Length;
            if (fileLength < 8)
            {
                throw new CheckpointException(
                    $"Safetensors file '{fullPath}' is truncated: it is {fileLength} bytes long, shorter than the 8-byte header length that starts every safetensors file.",
                    fullPath);
            }

            Span<byte> lengthBytes = stackalloc byte[8];
            stream.ReadExactly(lengthBytes);
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
            if (headerLength > (ulong)(fileLength - 8))
            {
                throw new CheckpointException(
                    $"Safetensors file '{fullPath}' is truncated or corrupt: its header length is {headerLength} bytes, past the end of the file ({fileLength} bytes, so at most {fileLength - 8} bytes of header).",
                    fullPath);
            }

            if (headerLength > MaxHeaderLength)
            {
                throw new CheckpointException(
                    $"Safetensors file '{fullPath}' declares a {headerLength}-byte header, larger than the {MaxHeaderLength}-byte limit; the file is corrupt or not a safetensors file.",
                    fullPath);
            }

            if (headerLength < 2)
            {
                throw new CheckpointException(
                    $"Safetensors file '{fullPath}' declares a {headerLength}-byte header; a header is a JSON object of at least 2 bytes ('{{}}').",
                    fullPath);
            }

            headerBytes = new byte[(int)headerLength];
            stream.ReadExactly(headerBytes);
        }
        catch (IOException e)
        {
            throw new CheckpointException($"Safetensors file '{fullPath}' cannot be read: {e.Message}", fullPath, inner: e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CheckpointException($"Safetensors file '{fullPath}' cannot be read: {e.Message}", fullPath, inner: e);
        }

        long dataStart = 8 + headerBytes.LongLength;
        long dataLength = fileLength - dataStart;
        var (entries, metadata) = ParseHeader(fullPath, headerBytes, dataLength);

        try
        {
            return new SafetensorsFile(fullPath, entries, metadata, dataStart, File.OpenHandle(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"Safetensors file '{fullPath}' cannot be opened: {e.Message}", fullPath, inner: e);
        }
    }

    /// <summary>
    /// Reads one tensor into a new contiguous CPU tensor of type <paramref name="dtype"/> (converting from the
    /// stored type when it differs).
    /// </summary>
    /// <param name="name">The tensor's name.</param>
    /// <param name="dtype">The type of the returned tensor.</param>
    /// <returns>A new tensor owned by the caller.</returns>
    /// <exception cref="CheckpointException">The tensor is missing or its stored dtype cannot be loaded as weights.</exception>
    public torch.Tensor Read(string name, torch.ScalarType dtype) => Read(name, dtype, DefaultChunkBytes);

    /// <summary>Every tensor of the file at <paramref name="path"/> as a new <paramref name="dtype"/> tensor owned by the caller.</summary>
    /// <exception cref="CheckpointException">The file is malformed or a tensor's stored dtype cannot be loaded.</exception>
    internal static Dictionary<string, torch.Tensor> ReadAll(string path, torch.ScalarType dtype)
    {
        using var file = Open(path);
        var tensors = new Dictionary<string, torch.Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (string name in file.Entries.Keys)
            {
                tensors[name] = file.Read(name, dtype);
            }
        }
        catch
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }

            throw;
        }

        return tensors;
    }

    /// <summary>Like <see cref="Read(string, torch.ScalarType)"/>, copying at most <paramref name="chunkBytes"/> bytes at a time.</summary>
    internal torch.Tensor Read(string name, torch.ScalarType dtype, long chunkBytes)
    {
        SafetensorsEntry entry = Find(name);
        StoredType(entry); // an unloadable dtype is reported before anything is allocated
        torch.Tensor result = HugePageTensors.Empty(entry.Shape, dtype);
        try
        {
            ReadInto(entry, 0, result, chunkBytes);
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads elements <paramref name="firstElement"/>.. of tensor <paramref name="name"/> (in storage order) into the
    /// contiguous CPU tensor <paramref name="destination"/>, as many as it holds, converting to its type: how a
    /// model reads the parts of a fused matrix into their rows, or a matrix a few rows at a time, with no tensor
    /// of the whole stored part beside the destination.
    /// </summary>
    /// <exception cref="CheckpointException">The tensor is missing or its stored dtype cannot be loaded as weights.</exception>
    internal void ReadInto(string name, long firstElement, torch.Tensor destination) =>
        ReadInto(Find(name), firstElement, destination, DefaultChunkBytes);

    private void ReadInto(SafetensorsEntry entry, long firstElement, torch.Tensor destination, long chunkBytes)
    {
        torch.ScalarType sourceType = StoredType(entry);
        long total = destination.NumberOfElements;
        long stored = entry.Shape.Aggregate(1L, (a, b) => a * b);
        if (!destination.is_contiguous() || destination.device_type != DeviceType.CPU || firstElement < 0 || firstElement + total > stored)
        {
            throw new ArgumentException(
                $"Elements [{firstElement}, {firstElement + total}) of '{entry.Name}' ({stored} elements) cannot be read into a {(destination.is_contiguous() ? "contiguous" : "strided")} {destination.device_type} tensor.",
                nameof(destination));
        }

        if (total == 0)
        {
            return;
        }

        long sourceSize = entry.ByteLength / stored;
        long offset = dataStart + entry.DataBegin + (firstElement * sourceSize);
        using torch.Tensor flat = destination.view(-1);
        if (sourceType == destination.dtype)
        {
            ReadChunked(offset, total * sourceSize, flat, chunkBytes);
            return;
        }

        // The same conversion as Tensor.to (both are copy_), through a bounded buffer of the stored type.
        long step = Math.Min(total, Math.Max(1, Math.Min(ConversionChunkBytes, chunkBytes) / sourceSize));
        using torch.Tensor buffer = torch.empty(step, sourceType);
        for (long start = 0; start < total; start += step)
        {
            long count = Math.Min(step, total - start);
            using torch.Tensor part = buffer.narrow(0, 0, count);
            ReadChunked(offset + (start * sourceSize), count * sourceSize, part, chunkBytes);
            using torch.Tensor target = flat.narrow(0, start, count);
            target.copy_(part);
        }
    }

    private SafetensorsEntry Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ObjectDisposedException.ThrowIf(disposed, this);
        return Entries.TryGetValue(name, out SafetensorsEntry? entry)
            ? entry
            : throw new CheckpointException($"Tensor '{name}' is not in safetensors file '{FilePath}'.", FilePath, name);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        handle.Dispose();
    }

    /// <summary>
    /// Reads <paramref name="byteCount"/> bytes at file offset <paramref name="fileOffset"/> into the 1-D contiguous
    /// tensor <paramref name="destination"/>, in chunks of at most <paramref name="chunkBytes"/> bytes (rounded down to
    /// whole elements) so that no single span reaches the 2 GB limit.
    /// </summary>
    private void ReadChunked(long fileOffset, long byteCount, torch.Tensor destination, long chunkBytes)
    {
        long elementSize = destination.ElementSize;
        long totalElements = destination.NumberOfElements;
        if (totalElements * elementSize != byteCount)
        {
            throw new InvalidOperationException($"Read of {byteCount} bytes into a tensor of {totalElements * elementSize} bytes.");
        }

        long chunkElements = Math.Max(1, Math.Min(chunkBytes, int.MaxValue) / elementSize);
        for (long start = 0; start < totalElements; start += chunkElements)
        {
            long count = Math.Min(chunkElements, totalElements - start);
            using torch.Tensor part = destination.narrow(0, start, count);
            Span<byte> target = part.bytes;
            long position = fileOffset + (start * elementSize);
            while (target.Length > 0)
            {
                int read;
                try
                {
                    read = RandomAccess.Read(handle, target, position);
                }
                catch (IOException e)
                {
                    throw new CheckpointException($"Safetensors file '{FilePath}' cannot be read: {e.Message}", FilePath, inner: e);
                }

                if (read == 0)
                {
                    throw new CheckpointException(
                        $"Safetensors file '{FilePath}' ended at byte {position} while a tensor was read; it was truncated after it was opened.", FilePath);
                }

                target = target[read..];
                position += read;
            }
        }
    }

    private torch.ScalarType StoredType(SafetensorsEntry entry)
    {
        torch.ScalarType? type = SafetensorsDType.ToScalarType(entry.DType);
        if (type is not null)
        {
            return type.Value;
        }

        if (SafetensorsDType.IsInteger(entry.DType))
        {
            throw new CheckpointException(
                $"Tensor '{entry.Name}' in '{FilePath}' has integer dtype {entry.DType}; integer tensors are not loaded as weights (quantized checkpoints are not supported). Supported weight dtypes: {SafetensorsDType.SupportedList}.",
                FilePath,
                entry.Name);
        }

        throw new CheckpointException(
            $"Tensor '{entry.Name}' in '{FilePath}' has dtype {entry.DType}, which is not supported. Supported weight dtypes: {SafetensorsDType.SupportedList}.",
            FilePath,
            entry.Name);
    }

    private static (Dictionary<string, SafetensorsEntry> Entries, Dictionary<string, string> Metadata) ParseHeader(
        string path, byte[] headerBytes, long dataLength)
    {
        if (Tokenization.Utf8Validation.FindInvalid(headerBytes) is long bad)
        {
            throw new CheckpointException(
                $"Safetensors file '{path}' has a header that is not valid UTF-8: invalid byte sequence at header byte {bad} (file byte {bad + 8}).", path);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(headerBytes);
        }
        catch (JsonException e)
        {
            throw new CheckpointException(
                $"Safetensors file '{path}' has an invalid JSON header ({headerBytes.Length} bytes): {e.Message}", path, inner: e);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointException(
                    $"Safetensors file '{path}' has a JSON header that is a {root.ValueKind}, not an object of tensors.", path);
            }

            var entries = new Dictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            bool sawMetadata = false;
            foreach (JsonProperty property in root.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    if (sawMetadata)
                    {
                        throw new CheckpointException($"Safetensors file '{path}' lists '{MetadataKey}' twice in its header.", path);
                    }

                    sawMetadata = true;
                    ParseMetadata(path, property.Value, metadata);
                    continue;
                }

                if (entries.Count >= MaxTensorEntries)
                {
                    throw new CheckpointException(
                        $"Safetensors file '{path}' declares more than {MaxTensorEntries} tensors in its header; the file is corrupt or hostile.", path);
                }

                if (entries.ContainsKey(property.Name))
                {
                    throw new CheckpointException(
                        $"Safetensors file '{path}' lists tensor '{property.Name}' twice in its header.", path, property.Name);
                }

                entries.Add(property.Name, ParseEntry(path, property.Name, property.Value, dataLength));
            }

            CheckOverlaps(path, entries.Values);
            return (entries, metadata);
        }
    }

    private static void ParseMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new CheckpointException(
                $"Safetensors file '{path}' has a '{MetadataKey}' that is a {value.ValueKind}; expected an object of strings.", path);
        }

        foreach (JsonProperty item in value.EnumerateObject())
        {
            if (metadata.Count >= MaxMetadataEntries)
            {
                throw new CheckpointException(
                    $"Safetensors file '{path}' has more than {MaxMetadataEntries} '{MetadataKey}' entries; real checkpoints carry a few (\"format\": \"pt\"), so the file is corrupt or hostile.",
                    path);
            }

            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw new CheckpointException(
                    $"Safetensors file '{path}' has '{MetadataKey}' entry '{item.Name}' of type {item.Value.ValueKind}; metadata values must be strings.",
                    path);
            }

            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    private static SafetensorsEntry ParseEntry(string path, string name, JsonElement value, long dataLength)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new CheckpointException(
                $"Safetensors file '{path}': header entry for tensor '{name}' is a {value.ValueKind}; expected an object with dtype, shape and data_offsets.",
                path,
                name);
        }

        if (!value.TryGetProperty("dtype", out JsonElement dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
        {
            throw new CheckpointException(
                $"Safetensors file '{path}': tensor '{name}' has no string 'dtype' in the header.", path, name);
        }

        string dtype = dtypeElement.GetString()!;
        int? elementSize = SafetensorsDType.ElementSize(dtype);
        if (elementSize is null)
        {
            throw new CheckpointException(
                $"Safetensors file '{path}': tensor '{name}' has unknown dtype '{dtype}'. Supported weight dtypes: {SafetensorsDType.SupportedList}.",
                path,
                name);
        }

        long[] shape = ReadLongArray(path, name, value, "shape", null);
        long[] offsets = ReadLongArray(path, name, value, "data_offsets", 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (end < begin)
        {
            throw new CheckpointException(
                $"Safetensors file '{path}': tensor '{name}' has data_offsets [{begin}, {end}] whose end is before its begin.",
                path,
                name);
        }

        if (end > dataLength)
        {
            throw new CheckpointException(
                $"Safetensors file '{path}': tensor '{name}' has data_offsets [{begin}, {end}] past the end of the data block ({dataLength} bytes); the file is truncated or corrupt.",
                path,
                name);
        }

        long expectedBytes;
        try
        {
            expectedBytes = elementSize.Value;
            foreach (long dimension in shape)
            {
                expectedBytes = checked(expectedBytes * dimension);
            }
        }
        catch (OverflowException e)
        {
            throw new CheckpointException(
                $"Safetensors file '{path}': tensor '{name}' has shape {SafetensorsDType.FormatShape(shape)}, too large to address.",
                path,
                name,
                e);
        }

        if (expectedBytes != end - begin)
        {
            throw new CheckpointException(
                $"Safetensors file '{path}': tensor '{name}' occupies {end - begin} bytes (data_offsets [{begin}, {end}]), but shape {SafetensorsDType.FormatShape(shape)} of {dtype} ({elementSize} bytes each) needs {expectedBytes} bytes.",
                path,
                name);
        }

        return new SafetensorsEntry(name, dtype, shape, begin, end);
    }

    private static long[] ReadLongArray(string path, string name, JsonElement value, string field, int? length)
    {
        string expected = length is null ? "an array of non-negative integers" : $"an array of {length} non-negative integers";
        if (!value.TryGetProperty(field, out JsonElement array) || array.ValueKind != JsonValueKind.Array)
        {
            throw new CheckpointException(
                $"Safetensors file '{path}': tensor '{name}' has no '{field}' in the header; expected {expected}.", path, name);
        }

        var result = new long[array.GetArrayLength()];
        if (length is not null && result.Length != length)
        {
            throw new CheckpointException(
                $"Safetensors file '{path}': tensor '{name}' has '{field}' with {result.Length} values; expected {expected}.", path, name);
        }

        int index = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long number) || number < 0)
            {
                throw new CheckpointException(
                    $"Safetensors file '{path}': tensor '{name}' has '{field}' value '{item.GetRawText()}'; expected {expected}.", path, name);
            }

            result[index++] = number;
        }

        return result;
    }

    private static void CheckOverlaps(string path, IEnumerable<SafetensorsEntry> entries)
    {
        SafetensorsEntry? previous = null;
        foreach (SafetensorsEntry entry in entries.Where(e => e.ByteLength > 0).OrderBy(e => e.DataBegin).ThenBy(e => e.DataEnd))
        {
            if (previous is not null && entry.DataBegin < previous.DataEnd)
            {
                throw new CheckpointException(
                    $"Safetensors file '{path}': tensor '{entry.Name}' (data_offsets [{entry.DataBegin}, {entry.DataEnd}]) overlaps tensor '{previous.Name}' (data_offsets [{previous.DataBegin}, {previous.DataEnd}]).",
                    path,
                    entry.Name);
            }

            previous = entry;
        }
    }
}
