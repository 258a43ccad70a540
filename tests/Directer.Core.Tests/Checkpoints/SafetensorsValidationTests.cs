using Directer.Core.Checkpoints;
using Directer.Core.Runtime;
using TorchSharp;

namespace Directer.Core.Tests.Checkpoints;

public sealed class SafetensorsValidationTests : IDisposable
{
    private readonly TempFolder temp = new();

    public SafetensorsValidationTests() => TorchRuntime.EnsureInitialized();

    public void Dispose() => temp.Dispose();

    private string Header(string tensors, byte[] data, string name = "bad.safetensors") =>
        RawSafetensors.Write(temp.File(name), "{" + tensors + "}", data);

    private static CheckpointException OpenFails(string path)
    {
        var error = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));
        Assert.Equal(path, error.FilePath);
        Assert.Contains(path, error.Message);
        return error;
    }

    [Fact]
    public void FileShorterThanTheLengthPrefixIsTruncated()
    {
        string path = temp.File("short.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        var error = OpenFails(path);
        Assert.Contains("truncated", error.Message);
        Assert.Contains("3 bytes long", error.Message);
    }

    [Fact]
    public void HeaderLengthPastTheEndOfTheFile()
    {
        string path = RawSafetensors.Write(temp.File("len.safetensors"), 1000, "{}"u8.ToArray());
        var error = OpenFails(path);
        Assert.Contains("header length is 1000 bytes, past the end of the file (10 bytes", error.Message);
    }

    [Fact]
    public void HugeHeaderLengthDoesNotOverflow()
    {
        string path = RawSafetensors.Write(temp.File("huge.safetensors"), ulong.MaxValue, new byte[16]);
        Assert.Contains("past the end of the file", OpenFails(path).Message);
    }

    [Fact]
    public void InvalidJsonHeader()
    {
        string path = RawSafetensors.Write(temp.File("json.safetensors"), "{\"w\": [1,", []);
        var error = OpenFails(path);
        Assert.Contains("invalid JSON header", error.Message);
        Assert.IsAssignableFrom<System.Text.Json.JsonException>(error.InnerException);
    }

    [Fact]
    public void HeaderThatIsNotAnObject()
    {
        string path = RawSafetensors.Write(temp.File("array.safetensors"), "[1, 2]  ", []);
        Assert.Contains("not an object", OpenFails(path).Message);
    }

    [Fact]
    public void UnknownDtypeIsRefusedOnOpenNamingTheSupportedOnes()
    {
        string path = Header("\"w\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,1]}", new byte[1]);
        var error = OpenFails(path);
        Assert.Equal("w", error.TensorName);
        Assert.Contains("'w'", error.Message);
        Assert.Contains("unknown dtype 'Q4'", error.Message);
        Assert.Contains("F32, BF16, F16", error.Message);
    }

    [Fact]
    public void Fp8DtypeOpensButIsRefusedOnRead()
    {
        string path = Header("\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}", new byte[4]);
        using var file = SafetensorsFile.Open(path);
        var error = Assert.Throws<CheckpointException>(() => file.Read("w", torch.ScalarType.Float32));
        Assert.Equal("w", error.TensorName);
        Assert.Equal(path, error.FilePath);
        Assert.Contains("dtype F8_E4M3, which is not supported", error.Message);
        Assert.Contains("F32, BF16, F16", error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void IntegerDtypeIsRecognisedButRefusedForWeights()
    {
        string path = Header("\"qweight\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}", new byte[16]);
        using var file = SafetensorsFile.Open(path);
        Assert.Equal("I32", file.Entries["qweight"].DType);
        var error = Assert.Throws<CheckpointException>(() => file.Read("qweight", torch.ScalarType.Float32));
        Assert.Contains("'qweight'", error.Message);
        Assert.Contains("integer dtype I32", error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void OffsetsEndingBeforeTheyBegin()
    {
        string path = Header("\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}", new byte[8]);
        var error = OpenFails(path);
        Assert.Equal("w", error.TensorName);
        Assert.Contains("data_offsets [8, 4] whose end is before its begin", error.Message);
    }

    [Fact]
    public void OffsetsPastTheDataBlock()
    {
        string path = Header("\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}", new byte[12]);
        var error = OpenFails(path);
        Assert.Equal("w", error.TensorName);
        Assert.Contains("'w'", error.Message);
        Assert.Contains("past the end of the data block (12 bytes)", error.Message);
    }

    [Fact]
    public void OverlappingTensors()
    {
        string path = Header(
            "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}",
            new byte[12]);
        var error = OpenFails(path);
        Assert.Equal("b", error.TensorName);
        Assert.Contains("tensor 'b' (data_offsets [4, 12]) overlaps tensor 'a' (data_offsets [0, 8])", error.Message);
    }

    [Fact]
    public void ByteSizeDisagreeingWithShapeAndDtype()
    {
        string path = Header("\"w\":{\"dtype\":\"BF16\",\"shape\":[3,2],\"data_offsets\":[0,8]}", new byte[8]);
        var error = OpenFails(path);
        Assert.Equal("w", error.TensorName);
        Assert.Contains("occupies 8 bytes", error.Message);
        Assert.Contains("shape [3, 2] of BF16 (2 bytes each) needs 12 bytes", error.Message);
    }

    [Theory]
    [InlineData("\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}", "no string 'dtype'")]
    [InlineData("\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}", "no 'shape'")]
    [InlineData("\"w\":{\"dtype\":\"F32\",\"shape\":[1]}", "no 'data_offsets'")]
    [InlineData("\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}", "expected an array of 2 non-negative integers")]
    [InlineData("\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}", "'shape' value '-1'")]
    [InlineData("\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}", "'shape' value '1.5'")]
    [InlineData("\"w\":[1,2]", "expected an object with dtype, shape and data_offsets")]
    [InlineData("\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", "lists tensor 'w' twice")]
    [InlineData("\"__metadata__\":{\"format\":1}", "metadata values must be strings")]
    public void MalformedHeaderEntries(string tensors, string expected)
    {
        string path = Header(tensors, new byte[4]);
        Assert.Contains(expected, OpenFails(path).Message);
    }

    [Fact]
    public void MissingTensorNamesTheFile()
    {
        using var scope = torch.NewDisposeScope();
        string path = temp.File("ok.safetensors");
        SafetensorsWriter.Write(path, [new("present", torch.ones(1))]);
        using var file = SafetensorsFile.Open(path);
        var error = Assert.Throws<CheckpointException>(() => file.Read("absent", torch.ScalarType.Float32));
        Assert.Equal("absent", error.TensorName);
        Assert.Equal(path, error.FilePath);
        Assert.Equal($"Tensor 'absent' is not in safetensors file '{path}'.", error.Message);
    }

    [Fact]
    public void MissingFile()
    {
        string path = temp.File("nope.safetensors");
        Assert.Contains("does not exist", OpenFails(path).Message);
    }

    [Fact]
    public void ReadAfterDisposeThrows()
    {
        using var scope = torch.NewDisposeScope();
        string path = temp.File("d.safetensors");
        SafetensorsWriter.Write(path, [new("w", torch.ones(1))]);
        var file = SafetensorsFile.Open(path);
        file.Dispose();
        file.Dispose();
        Assert.Throws<ObjectDisposedException>(() => file.Read("w", torch.ScalarType.Float32));
    }

    [Fact]
    public void TruncatedCopyOfARealFileIsRejected()
    {
        using var scope = torch.NewDisposeScope();
        string path = temp.File("cut.safetensors");
        SafetensorsWriter.Write(path, [new("a", torch.ones(8)), new("b", torch.ones(8))]);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^4]);
        var error = OpenFails(path);
        Assert.Equal("b", error.TensorName);
        Assert.Contains("past the end of the data block", error.Message);
    }
}
