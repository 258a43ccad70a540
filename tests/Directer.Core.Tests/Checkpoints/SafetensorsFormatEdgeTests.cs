using System.Text;
using Directer.Core.Checkpoints;
using TorchSharp;

namespace Directer.Core.Tests.Checkpoints;

/// <summary>
/// The safetensors format (the spec of huggingface/safetensors: an 8-byte little-endian header size N, N bytes of JSON,
/// the data block; <c>data_offsets</c> relative to the data block, a tensor's size = element size × shape; the
/// reference reader's 100,000,000-byte header limit) at each edge the reader checks: every limit is accepted at its
/// value and refused one past it with the exact message, and each dtype string of the spec has its element size.
/// </summary>
public sealed class SafetensorsFormatEdgeTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private string Header(string name, string json, byte[] data) => RawSafetensors.Write(temp.File(name), json, data);

    private static string OpenError(string path) => Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path)).Message;

    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    public void AHeaderShorterThanTwoBytesIsRefused(ulong length)
    {
        string path = RawSafetensors.Write(temp.File("short.safetensors"), length, [(byte)'{']);
        Assert.Equal($"Safetensors file '{path}' declares a {length}-byte header; a header is a JSON object of at least 2 bytes ('{{}}').", OpenError(path));
    }

    [Fact]
    public void AnEightByteFileIsAHeaderLengthAndASevenByteFileIsTruncated()
    {
        string eight = RawSafetensors.Write(temp.File("eight.safetensors"), 0UL, []);
        Assert.Equal($"Safetensors file '{eight}' declares a 0-byte header; a header is a JSON object of at least 2 bytes ('{{}}').", OpenError(eight));
        string seven = temp.File("seven.safetensors");
        File.WriteAllBytes(seven, new byte[7]);
        Assert.Equal($"Safetensors file '{seven}' is truncated: it is 7 bytes long, shorter than the 8-byte header length that starts every safetensors file.", OpenError(seven));
    }

    [Fact]
    public void AHeaderThatFillsTheFileExactlyOpensAndOneByteMoreIsPastTheEnd()
    {
        string exact = RawSafetensors.Write(temp.File("exact.safetensors"), 2UL, "{}"u8.ToArray());
        using (var file = SafetensorsFile.Open(exact))
        {
            Assert.Empty(file.Entries);
            Assert.Empty(file.Metadata);
        }

        string over = RawSafetensors.Write(temp.File("over.safetensors"), 3UL, "{}"u8.ToArray());
        Assert.Equal($"Safetensors file '{over}' is truncated or corrupt: its header length is 3 bytes, past the end of the file (10 bytes, so at most 2 bytes of header).", OpenError(over));
    }

    /// <summary>The reference reader's limit: 100,000,000 bytes are read (here: zeros, so invalid JSON), one more is refused unread.</summary>
    [Fact]
    public void TheHeaderLimitIsOneHundredMillionBytes()
    {
        string SparseFile(string name, long headerLength)
        {
            string path = temp.File(name);
            using var stream = new FileStream(path, FileMode.CreateNew);
            Span<byte> length = stackalloc byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)headerLength);
            stream.Write(length);
            stream.SetLength(8 + headerLength);
            return path;
        }

        string over = SparseFile("over.safetensors", SafetensorsFile.MaxHeaderLength + 1);
        Assert.Equal($"Safetensors file '{over}' declares a 100000001-byte header, larger than the 100000000-byte limit; the file is corrupt or not a safetensors file.", OpenError(over));
        File.Delete(over);

        string atLimit = SparseFile("limit.safetensors", SafetensorsFile.MaxHeaderLength);
        Assert.StartsWith($"Safetensors file '{atLimit}' has an invalid JSON header (100000000 bytes): ", OpenError(atLimit));
    }

    [Fact]
    public void MetadataIsBoundedAtTenThousandEntries()
    {
        string Metadata(int count) =>
            "{\"__metadata__\":{" + string.Join(",", Enumerable.Range(0, count).Select(i => $"\"k{i}\":\"v\"")) + "}}";

        string atLimit = Header("limit.safetensors", Metadata(SafetensorsFile.MaxMetadataEntries), []);
        using (var file = SafetensorsFile.Open(atLimit))
        {
            Assert.Equal(10_000, file.Metadata.Count);
            Assert.Equal("v", file.Metadata["k9999"]);
        }

        string over = Header("over.safetensors", Metadata(SafetensorsFile.MaxMetadataEntries + 1), []);
        Assert.Equal($"Safetensors file '{over}' has more than 10000 '__metadata__' entries; real checkpoints carry a few (\"format\": \"pt\"), so the file is corrupt or hostile.", OpenError(over));
    }

    [Fact]
    public void TensorsAreBoundedAtTwoHundredThousandEntries()
    {
        string Tensors(int count)
        {
            var json = new StringBuilder("{");
            for (int i = 0; i < count; i++)
            {
                json.Append(i == 0 ? string.Empty : ",").Append("\"t").Append(i).Append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
            }

            return json.Append('}').ToString();
        }

        string atLimit = Header("limit.safetensors", Tensors(SafetensorsFile.MaxTensorEntries), []);
        using (var file = SafetensorsFile.Open(atLimit))
        {
            Assert.Equal(200_000, file.Entries.Count);
        }

        string over = Header("over.safetensors", Tensors(SafetensorsFile.MaxTensorEntries + 1), []);
        Assert.Equal($"Safetensors file '{over}' declares more than 200000 tensors in its header; the file is corrupt or hostile.", OpenError(over));
    }

    [Fact]
    public void MetadataIsAnObjectOfStringsGivenAtMostOnceAndMayBeNull()
    {
        string twice = Header("twice.safetensors", "{\"__metadata__\":{\"a\":\"1\"},\"__metadata__\":{\"b\":\"2\"}}", []);
        Assert.Equal($"Safetensors file '{twice}' lists '__metadata__' twice in its header.", OpenError(twice));

        string array = Header("array.safetensors", "{\"__metadata__\":[\"a\"]}", []);
        Assert.Equal($"Safetensors file '{array}' has a '__metadata__' that is a Array; expected an object of strings.", OpenError(array));

        string number = Header("number.safetensors", "{\"__metadata__\":{\"format\":1}}", []);
        Assert.Equal($"Safetensors file '{number}' has '__metadata__' entry 'format' of type Number; metadata values must be strings.", OpenError(number));

        string none = Header("null.safetensors", "{\"__metadata__\":null,\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", RawSafetensors.Floats(2));
        using var file = SafetensorsFile.Open(none);
        Assert.Empty(file.Metadata);
        Assert.Equal(new[] { "w" }, file.Entries.Keys.ToArray());
    }

    public static TheoryData<string, string, string> EntryErrors() => new()
    {
        { "\"w\":{\"dtype\":5,\"shape\":[1],\"data_offsets\":[0,4]}", "w", "tensor 'w' has no string 'dtype' in the header." },
        { "\"w\":{\"dtype\":\"F32\",\"shape\":5,\"data_offsets\":[0,4]}", "w", "tensor 'w' has no 'shape' in the header; expected an array of non-negative integers." },
        { "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":\"0,4\"}", "w", "tensor 'w' has no 'data_offsets' in the header; expected an array of 2 non-negative integers." },
        { "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}", "w", "tensor 'w' has 'data_offsets' with 3 values; expected an array of 2 non-negative integers." },
        { "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,4]}", "w", "tensor 'w' has 'data_offsets' value '-4'; expected an array of 2 non-negative integers." },
        { "\"w\":{\"dtype\":\"F32\",\"shape\":[\"1\"],\"data_offsets\":[0,4]}", "w", "tensor 'w' has 'shape' value '\"1\"'; expected an array of non-negative integers." },
        { "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,18446744073709551616]}", "w", "tensor 'w' has 'data_offsets' value '18446744073709551616'; expected an array of 2 non-negative integers." },
        { "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}", "w", "tensor 'w' has data_offsets [4, 0] whose end is before its begin." },
        { "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,12]}", "w", "tensor 'w' has data_offsets [4, 12] past the end of the data block (8 bytes); the file is truncated or corrupt." },
        { "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}", "w", "tensor 'w' occupies 4 bytes (data_offsets [0, 4]), but shape [2] of F32 (4 bytes each) needs 8 bytes." },
        { "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,8]}", "w", "tensor 'w' occupies 4 bytes (data_offsets [4, 8]), but shape [2] of F32 (4 bytes each) needs 8 bytes." },
        { "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", "a", "tensor 'a' (data_offsets [0, 8]) overlaps tensor 'b' (data_offsets [0, 4])." },
        { "\"w\":{\"dtype\":\"BF16\",\"shape\":[1,1],\"data_offsets\":[0,4]}", "w", "tensor 'w' occupies 4 bytes (data_offsets [0, 4]), but shape [1, 1] of BF16 (2 bytes each) needs 2 bytes." },
        { "\"w\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,2],\"data_offsets\":[0,8]}", "w", "tensor 'w' has shape [4611686018427387904, 2], too large to address." },
        { "\"w\":{\"dtype\":\"I4\",\"shape\":[1],\"data_offsets\":[0,1]}", "w", "tensor 'w' has unknown dtype 'I4'. Supported weight dtypes: F32, BF16, F16, F64." },
        { "\"w\":5", "w", "header entry for tensor 'w' is a Number; expected an object with dtype, shape and data_offsets." },
        { "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[2,6]}", "b", "tensor 'b' (data_offsets [2, 6]) overlaps tensor 'a' (data_offsets [0, 4])." },
        { "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[3,7]},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", "b", "tensor 'b' (data_offsets [3, 7]) overlaps tensor 'a' (data_offsets [0, 8])." },
    };

    [Theory]
    [MemberData(nameof(EntryErrors))]
    public void AMalformedEntryIsRefusedNamingTheFileTheTensorAndWhatWasExpected(string entries, string tensor, string problem)
    {
        string path = Header("entry.safetensors", "{" + entries + "}", new byte[8]);
        var error = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));
        Assert.Equal($"Safetensors file '{path}': {problem}", error.Message);
        Assert.Equal(path, error.FilePath);
        Assert.Equal(tensor, error.TensorName);
    }

    [Fact]
    public void AHeaderThatIsNotUtf8IsRefusedAtItsByte()
    {
        byte[] header = [.. "{\"w\":\"x"u8, 0xFF, .. "\"}"u8];
        string path = temp.File("utf8.safetensors");
        var bytes = new byte[8 + header.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        Assert.Equal($"Safetensors file '{path}' has a header that is not valid UTF-8: invalid byte sequence at header byte 7 (file byte 15).", OpenError(path));
    }

    [Fact]
    public void AReadAfterDisposeNamesTheSafetensorsFileAndReadAllReadsEveryTensorOrNone()
    {
        using var scope = torch.NewDisposeScope();
        string path = temp.File("all.safetensors");
        SafetensorsWriter.Write(path, [new("a", torch.ones(2)), new("b", torch.zeros(1, dtype: torch.ScalarType.Float64))]);
        var file = SafetensorsFile.Open(path);
        file.Dispose();
        file.Dispose(); // twice is allowed
        Assert.Equal(typeof(SafetensorsFile).FullName, Assert.Throws<ObjectDisposedException>(() => file.Read("a", torch.ScalarType.Float32)).ObjectName);

        var all = SafetensorsFile.ReadAll(path, torch.ScalarType.Float32);
        Assert.Equal(["a", "b"], all.Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(torch.ScalarType.Float32, all["b"].dtype);
        Assert.Equal(new float[] { 1, 1 }, all["a"].data<float>().ToArray());

        // I32 has F32's size: the file opens, and ReadAll fails on the tensor it cannot load.
        byte[] bytes = File.ReadAllBytes(path);
        byte[] from = Encoding.UTF8.GetBytes("\"b\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]");
        int at = bytes.AsSpan().IndexOf(from);
        Encoding.UTF8.GetBytes("\"b\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[8,16]").CopyTo(bytes, at);
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<CheckpointException>(() => SafetensorsFile.ReadAll(path, torch.ScalarType.Float32));
        Assert.Equal("b", error.TensorName);
    }

    [Fact]
    public void TensorsThatTouchOrAreEmptyDoNotOverlapAndTheLastMayEndAtTheDataBlocksEnd()
    {
        string path = Header(
            "touch.safetensors",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[2,2]},\"f\":{\"dtype\":\"F16\",\"shape\":[0,3],\"data_offsets\":[2,2]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
            RawSafetensors.Floats(1.5f, -2f));
        using var file = SafetensorsFile.Open(path);
        Assert.Equal(new float[] { -2f }, file.Read("b", torch.ScalarType.Float32).data<float>().ToArray());
        Assert.Equal(0, file.Entries["e"].ByteLength);
        Assert.Equal(0, file.Entries["f"].ElementCount);
        Assert.Equal(1, file.Entries["a"].ElementCount);
        Assert.Equal(new long[] { 0, 3 }, file.Read("f", torch.ScalarType.Float32).shape);
    }

    /// <summary>Every dtype string of the safetensors spec, its element size in bytes, and whether it loads as weights.</summary>
    [Theory]
    [InlineData("F64", 8, "float")]
    [InlineData("F32", 4, "float")]
    [InlineData("F16", 2, "float")]
    [InlineData("BF16", 2, "float")]
    [InlineData("I64", 8, "integer")]
    [InlineData("I32", 4, "integer")]
    [InlineData("I16", 2, "integer")]
    [InlineData("I8", 1, "integer")]
    [InlineData("U64", 8, "integer")]
    [InlineData("U32", 4, "integer")]
    [InlineData("U16", 2, "integer")]
    [InlineData("U8", 1, "integer")]
    [InlineData("BOOL", 1, "integer")]
    [InlineData("F8_E4M3", 1, "other")]
    [InlineData("F8_E5M2", 1, "other")]
    [InlineData("F8_E8M0", 1, "other")]
    public void EveryDtypeOfTheSpecHasItsSizeAndOnlyFloatsLoad(string dtype, int size, string kind)
    {
        string path = Header($"{dtype}.safetensors", $"{{\"w\":{{\"dtype\":\"{dtype}\",\"shape\":[3],\"data_offsets\":[0,{3 * size}]}}}}", new byte[3 * size]);
        using var file = SafetensorsFile.Open(path);
        Assert.Equal(3L * size, file.Entries["w"].ByteLength);

        // One element too few or too many for the size is refused on open.
        string wrong = Header($"{dtype}-wrong.safetensors", $"{{\"w\":{{\"dtype\":\"{dtype}\",\"shape\":[3],\"data_offsets\":[0,{(3 * size) + 1}]}}}}", new byte[(3 * size) + 1]);
        Assert.Contains($"needs {3 * size} bytes.", OpenError(wrong), StringComparison.Ordinal);

        if (kind == "float")
        {
            using var tensor = file.Read("w", torch.ScalarType.Float32);
            Assert.Equal(new float[3], tensor.data<float>().ToArray());
            return;
        }

        var error = Assert.Throws<CheckpointException>(() => file.Read("w", torch.ScalarType.Float32));
        Assert.Equal("w", error.TensorName);
        Assert.Equal(
            kind == "integer"
                ? $"Tensor 'w' in '{path}' has integer dtype {dtype}; integer tensors are not loaded as weights (quantized checkpoints are not supported). Supported weight dtypes: F32, BF16, F16, F64."
                : $"Tensor 'w' in '{path}' has dtype {dtype}, which is not supported. Supported weight dtypes: F32, BF16, F16, F64.",
            error.Message);
    }

    [Fact]
    public void ReadIntoRefusesADestinationOutsideTheStoredElementsNamingTheRange()
    {
        using var scope = torch.NewDisposeScope();
        string path = temp.File("into.safetensors");
        SafetensorsWriter.Write(path, [new("m", torch.arange(6, dtype: torch.ScalarType.Float32))]);
        using var file = SafetensorsFile.Open(path);

        var last = torch.empty(2);
        file.ReadInto("m", 4, last); // ends exactly at the last stored element
        Assert.Equal(new float[] { 4, 5 }, last.data<float>().ToArray());

        var past = Assert.Throws<ArgumentException>(() => file.ReadInto("m", 5, torch.empty(2)));
        Assert.StartsWith("Elements [5, 7) of 'm' (6 elements) cannot be read into a contiguous CPU tensor.", past.Message);
        Assert.Equal("destination", past.ParamName);
        var negative = Assert.Throws<ArgumentException>(() => file.ReadInto("m", -1, torch.empty(1)));
        Assert.StartsWith("Elements [-1, 0) of 'm' (6 elements) cannot be read into a contiguous CPU tensor.", negative.Message);
        var strided = Assert.Throws<ArgumentException>(() => file.ReadInto("m", 0, torch.empty(3, 2).t()));
        Assert.StartsWith("Elements [0, 6) of 'm' (6 elements) cannot be read into a strided CPU tensor.", strided.Message);

        var none = torch.empty(0);
        file.ReadInto("m", 6, none); // nothing to read at the end: no error
        Assert.Equal(0, none.NumberOfElements);
    }

    [Fact]
    public void AFileTruncatedAfterItWasOpenedIsReportedAtTheByteWhereItEnded()
    {
        using var scope = torch.NewDisposeScope();
        string path = temp.File("cut.safetensors");
        SafetensorsWriter.Write(path, [new("a", torch.ones(4)), new("b", torch.ones(4))]);
        using var file = SafetensorsFile.Open(path);
        long length = new FileInfo(path).Length;
        using (var cut = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            cut.SetLength(length - 6);
        }

        Assert.Equal(new float[] { 1, 1, 1, 1 }, file.Read("a", torch.ScalarType.Float32).data<float>().ToArray());
        var error = Assert.Throws<CheckpointException>(() => file.Read("b", torch.ScalarType.Float32));
        Assert.Equal($"Safetensors file '{path}' ended at byte {length - 6} while a tensor was read; it was truncated after it was opened.", error.Message);
        Assert.Equal(path, error.FilePath);
    }

    [Theory]
    [InlineData(torch.ScalarType.BFloat16, 2L)]     // one stored element per conversion step
    [InlineData(torch.ScalarType.BFloat16, 6L)]     // three per step, the last step shorter
    [InlineData(torch.ScalarType.Float16, 1L << 30)] // the whole tensor in one step
    public void AConvertedReadGivesTensorTosValuesWhateverTheStep(torch.ScalarType stored, long chunkBytes)
    {
        using var scope = torch.NewDisposeScope();
        var source = torch.linspace(-3, 3, 11, dtype: torch.ScalarType.Float32).to(stored);
        string path = temp.File("convert.safetensors");
        SafetensorsWriter.Write(path, [new("pad", torch.ones(1, dtype: stored)), new("w", source)]);
        using var file = SafetensorsFile.Open(path);
        var read = file.Read("w", torch.ScalarType.Float64, chunkBytes);
        Assert.Equal(source.to(torch.ScalarType.Float64).data<double>().ToArray(), read.data<double>().ToArray());
    }
}
