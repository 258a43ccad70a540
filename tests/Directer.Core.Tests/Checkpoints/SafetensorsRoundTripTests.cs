using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Directer.Core.Checkpoints;
using Directer.Core.Runtime;
using TorchSharp;

namespace Directer.Core.Tests.Checkpoints;

public sealed class SafetensorsRoundTripTests : IDisposable
{
    private readonly TempFolder temp = new();

    public SafetensorsRoundTripTests() => TorchRuntime.EnsureInitialized();

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData(torch.ScalarType.Float32, "F32")]
    [InlineData(torch.ScalarType.BFloat16, "BF16")]
    [InlineData(torch.ScalarType.Float16, "F16")]
    [InlineData(torch.ScalarType.Float64, "F64")]
    public void WriterThenReaderKeepsEveryBitAndDtype(torch.ScalarType dtype, string expectedDtype)
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.linspace(-3, 3, 35).reshape(5, 7).to(dtype);
        var b = torch.tensor(new float[] { 1.5f, -2.25f, 1e-3f }).to(dtype);
        string path = temp.File("rt.safetensors");
        SafetensorsWriter.Write(path, [new("a", a), new("b.bias", b)], new Dictionary<string, string> { ["format"] = "pt" });

        using var file = SafetensorsFile.Open(path);
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal(expectedDtype, file.Entries["a"].DType);
        Assert.Equal(new long[] { 5, 7 }, file.Entries["a"].Shape);
        Assert.Equal(0, file.Entries["a"].DataBegin);
        Assert.Equal(file.Entries["a"].DataEnd, file.Entries["b.bias"].DataBegin);

        var readA = file.Read("a", dtype);
        var readB = file.Read("b.bias", dtype);
        Assert.Equal(dtype, readA.dtype);
        Assert.True(readA.is_contiguous());
        Assert.Equal(DeviceType.CPU, readA.device_type);
        Assert.Equal(a.bytes.ToArray(), readA.bytes.ToArray());
        Assert.Equal(b.bytes.ToArray(), readB.bytes.ToArray());

        // Reading converts to the requested dtype like Tensor.to does.
        var asFloat = file.Read("a", torch.ScalarType.Float32);
        Assert.Equal(torch.ScalarType.Float32, asFloat.dtype);
        Assert.Equal(a.to(torch.ScalarType.Float32).data<float>().ToArray(), asFloat.data<float>().ToArray());
    }

    [Fact]
    public void ReadReturnsANewTensorEachTime()
    {
        using var scope = torch.NewDisposeScope();
        string path = temp.File("fresh.safetensors");
        SafetensorsWriter.Write(path, [new("w", torch.ones(4))]);
        using var file = SafetensorsFile.Open(path);
        var first = file.Read("w", torch.ScalarType.Float32);
        first.add_(1);
        var second = file.Read("w", torch.ScalarType.Float32);
        Assert.Equal(new float[] { 1, 1, 1, 1 }, second.data<float>().ToArray());
        Assert.Empty(file.Metadata);
    }

    [Fact]
    public void WriterProducesTheExactHuggingFaceByteLayout()
    {
        using var scope = torch.NewDisposeScope();
        string path = temp.File("exact.safetensors");
        SafetensorsWriter.Write(
            path,
            [new("x", torch.tensor(new float[] { 1, 2, 3 }, new long[] { 3 })), new("y", torch.tensor(new float[] { -1 }, new long[] { 1, 1 }))],
            new Dictionary<string, string> { ["format"] = "pt" });

        byte[] bytes = File.ReadAllBytes(path);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, headerLength % 8);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)headerLength);
        const string expectedJson = "{\"__metadata__\":{\"format\":\"pt\"},\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},\"y\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[12,16]}}";
        int paddedLength = (expectedJson.Length + 7) / 8 * 8;
        Assert.Equal(expectedJson.PadRight(paddedLength, ' '), header);
        Assert.Equal(RawSafetensors.Floats(1, 2, 3, -1), bytes[(8 + (int)headerLength)..]);
    }

    [Fact]
    public void ScalarsAndEmptyTensorsRoundTrip()
    {
        using var scope = torch.NewDisposeScope();
        string path = temp.File("odd.safetensors");
        SafetensorsWriter.Write(path, [new("scalar", torch.tensor(2.5f)), new("empty", torch.empty(0, 4)), new("after", torch.ones(2))]);
        using var file = SafetensorsFile.Open(path);
        Assert.Empty(file.Entries["scalar"].Shape);
        Assert.Equal(2.5f, file.Read("scalar", torch.ScalarType.Float32).item<float>());
        var empty = file.Read("empty", torch.ScalarType.Float32);
        Assert.Equal(new long[] { 0, 4 }, empty.shape);
        Assert.Equal(new float[] { 1, 1 }, file.Read("after", torch.ScalarType.Float32).data<float>().ToArray());
    }

    [Theory]
    [InlineData(12L)]   // 3 floats per chunk; 77 elements leave a partial last chunk
    [InlineData(5L)]    // not a multiple of the element size: rounded down to 1 element
    [InlineData(1L)]    // below one element: still one element per chunk
    public void ChunkedCopyReadsTheSameBitsAsOneCopy(long chunkBytes)
    {
        // The >2 GB path: Tensor.bytes is limited to int length, so large tensors are copied chunk by chunk
        // through narrow(...) views; small chunks exercise the same offset arithmetic.
        using var scope = torch.NewDisposeScope();
        var source = torch.arange(77, dtype: torch.ScalarType.Float32).reshape(7, 11).mul(0.37);
        var half = source.to(torch.ScalarType.BFloat16);
        string path = temp.File("chunked.safetensors");
        SafetensorsWriter.Write(path, [new("pad", torch.ones(3)), new("m", source), new("h", half)], null, chunkBytes);
        using var file = SafetensorsFile.Open(path);

        var m = file.Read("m", torch.ScalarType.Float32, chunkBytes);
        Assert.Equal(source.data<float>().ToArray(), m.data<float>().ToArray());
        var h = file.Read("h", torch.ScalarType.BFloat16, chunkBytes);
        Assert.Equal(half.bytes.ToArray(), h.bytes.ToArray());
        Assert.Equal(new long[] { 7, 11 }, h.shape);

        // Another type: converted through a buffer of at most chunkBytes stored bytes, the same values as Tensor.to.
        var narrowed = file.Read("m", torch.ScalarType.BFloat16, chunkBytes);
        Assert.Equal(half.bytes.ToArray(), narrowed.bytes.ToArray());
        var widened = file.Read("h", torch.ScalarType.Float32, chunkBytes);
        Assert.Equal(half.to(torch.ScalarType.Float32).data<float>().ToArray(), widened.data<float>().ToArray());
    }

    [Fact]
    public void ReadIntoFillsADestinationFromAnyElementInTheStoredOrderAndType()
    {
        // How a model reads the parts of a fused matrix into their rows, and int8 weights a few rows at a time.
        using var scope = torch.NewDisposeScope();
        var source = torch.arange(77, dtype: torch.ScalarType.Float32).reshape(7, 11).mul(0.37);
        string path = temp.File("into.safetensors");
        SafetensorsWriter.Write(path, [new("pad", torch.ones(3)), new("m", source)], null);
        using var file = SafetensorsFile.Open(path);

        var fused = torch.zeros(9, 11);
        using (var rows = fused.narrow(0, 1, 3))
        {
            file.ReadInto("m", 2 * 11, rows);
        }

        Assert.Equal(source.narrow(0, 2, 3).contiguous().data<float>().ToArray(), fused.narrow(0, 1, 3).contiguous().data<float>().ToArray());
        Assert.Equal(0, fused.narrow(0, 0, 1).abs().sum().item<float>());
        Assert.Equal(0, fused.narrow(0, 4, 5).abs().sum().item<float>());

        var converted = torch.empty(2, 11, torch.ScalarType.BFloat16);
        file.ReadInto("m", 5 * 11, converted);
        Assert.Equal(source.narrow(0, 5, 2).to(torch.ScalarType.BFloat16).bytes.ToArray(), converted.bytes.ToArray());

        Assert.Throws<ArgumentException>(() => file.ReadInto("m", 6 * 11, torch.empty(2, 11)));
        Assert.Throws<ArgumentException>(() => file.ReadInto("m", 0, torch.empty(11, 2).t()));
        Assert.Throws<CheckpointException>(() => file.ReadInto("missing", 0, torch.empty(1)));
    }

    [Fact]
    public void ReaderHandlesOffsetsAboveIntRangeArithmetically()
    {
        // A header whose offsets exceed 2^31 is accepted when the file is that large; here the file is small,
        // so the same value must be reported as past the end of the data block (long arithmetic, no overflow).
        long big = (1L << 33) + 4;
        string path = RawSafetensors.Write(temp.File("big.safetensors"), $"{{\"w\":{{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[{big - 4},{big}]}}}}", new byte[8]);
        var error = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));
        Assert.Contains("past the end of the data block", error.Message);
        Assert.Contains(big.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
    }

    [Fact]
    public void WriterRefusesUnsupportedDtypesAndDuplicateNames()
    {
        using var scope = torch.NewDisposeScope();
        string path = temp.File("bad.safetensors");
        var intError = Assert.Throws<CheckpointException>(() =>
            SafetensorsWriter.Write(path, [new("ids", torch.arange(3, dtype: torch.ScalarType.Int64))]));
        Assert.Equal("ids", intError.TensorName);
        Assert.Contains("Int64", intError.Message);

        var duplicate = Assert.Throws<CheckpointException>(() =>
            SafetensorsWriter.Write(path, [new("w", torch.ones(1)), new("w", torch.ones(1))]));
        Assert.Contains("'w' is given twice", duplicate.Message);
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void WriterWritesNonContiguousTensorsInLogicalOrder()
    {
        using var scope = torch.NewDisposeScope();
        var matrix = torch.arange(6, dtype: torch.ScalarType.Float32).reshape(2, 3);
        string path = temp.File("t.safetensors");
        SafetensorsWriter.Write(path, [new("t", matrix.T)]);
        using var file = SafetensorsFile.Open(path);
        var read = file.Read("t", torch.ScalarType.Float32);
        Assert.Equal(new long[] { 3, 2 }, read.shape);
        Assert.Equal(new float[] { 0, 3, 1, 4, 2, 5 }, read.data<float>().ToArray());
    }

    [Fact]
    public void HeaderIsValidJsonWithMetadataFirst()
    {
        using var scope = torch.NewDisposeScope();
        string path = temp.File("meta.safetensors");
        SafetensorsWriter.Write(path, [new("b", torch.ones(1)), new("a", torch.ones(1))], new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ü<>" });
        byte[] bytes = File.ReadAllBytes(path);
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using var doc = JsonDocument.Parse(bytes.AsMemory(8, length));
        Assert.Equal(["__metadata__", "b", "a"], doc.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
        using var file = SafetensorsFile.Open(path);
        Assert.Equal("ü<>", file.Metadata["note"]);
    }
}
