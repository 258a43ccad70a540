using System.Buffers.Binary;
using System.Text;
using Directer.Core.Checkpoints;
using TorchSharp;

namespace Directer.Core.Tests.Checkpoints;

/// <summary>
/// Writing safetensors files as the format's spec (huggingface/safetensors) lays them out and its Python writer does:
/// the header is compact JSON padded with spaces to a multiple of 8 bytes, <c>__metadata__</c> only when there is some,
/// the tensors' bytes back to back in the order given; a name the format reserves or cannot hold, a repeated name and a
/// dtype the loader does not read are refused before anything is written, naming the file and the tensor.
/// </summary>
public sealed class SafetensorsWriterEdgeTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private static KeyValuePair<string, torch.Tensor> T(string name, torch.Tensor tensor) => new(name, tensor);

    private static string HeaderText(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        return Encoding.UTF8.GetString(bytes, 8, length);
    }

    [Fact]
    public void EmptyOrNoMetadataWritesNoMetadataObject()
    {
        using var scope = torch.NewDisposeScope();
        string none = temp.File("none.safetensors");
        SafetensorsWriter.Write(none, [new("w", torch.ones(1))]);
        string empty = temp.File("empty.safetensors");
        SafetensorsWriter.Write(empty, [new("w", torch.ones(1))], new Dictionary<string, string>());
        const string header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        Assert.Equal(header.PadRight((header.Length + 7) / 8 * 8), HeaderText(none));
        Assert.Equal(HeaderText(none), HeaderText(empty));

        string one = temp.File("one.safetensors");
        SafetensorsWriter.Write(one, [new("w", torch.ones(1))], new Dictionary<string, string> { ["format"] = "pt" });
        Assert.StartsWith("{\"__metadata__\":{\"format\":\"pt\"},\"w\":", HeaderText(one), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(9)]
    public void TheHeaderIsPaddedWithSpacesToAMultipleOfEight(int nameLength)
    {
        using var scope = torch.NewDisposeScope();
        string path = temp.File("pad.safetensors");
        string name = new('n', nameLength);
        SafetensorsWriter.Write(path, [new(name, torch.ones(2))]);
        string json = $"{{\"{name}\":{{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}}}";
        string header = HeaderText(path);
        Assert.Equal(0, header.Length % 8);
        Assert.Equal(json, header.TrimEnd(' '));
        Assert.True(header.Length - json.Length < 8);
        Assert.Equal(8 + header.Length + 8, new FileInfo(path).Length);
    }

    [Fact]
    public void TheTensorsBytesFollowEachOtherInTheOrderGiven()
    {
        using var scope = torch.NewDisposeScope();
        string path = temp.File("order.safetensors");
        SafetensorsWriter.Write(path, [new("z", torch.tensor(new float[] { 1, 2 })), new("a", torch.tensor(new float[] { 3 }).to(torch.ScalarType.Float64)), new("e", torch.zeros(0))]);
        string header = HeaderText(path).TrimEnd(' ');
        Assert.Equal(
            "{\"z\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]},\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[16,16]}}",
            header);
        byte[] bytes = File.ReadAllBytes(path);
        int dataStart = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(16, bytes.Length - dataStart);
        Assert.Equal(1f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(dataStart)));
        Assert.Equal(2f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(dataStart + 4)));
        Assert.Equal(3.0, BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(dataStart + 8)));
    }

    [Fact]
    public void ReservedEmptyRepeatedOrNullNamesAndUnreadableDtypesAreRefusedBeforeWriting()
    {
        using var scope = torch.NewDisposeScope();
        string path = Path.Combine(temp.Path, "sub", "bad.safetensors");
        void Refused(string expected, string? tensor, params KeyValuePair<string, torch.Tensor>[] tensors)
        {
            var error = Assert.Throws<CheckpointException>(() => SafetensorsWriter.Write(path, tensors));
            Assert.Equal($"Cannot write '{path}': {expected}", error.Message);
            Assert.Equal(path, error.FilePath);
            Assert.Equal(tensor, error.TensorName);
        }

        Refused("tensor #0 has the reserved or empty name '__metadata__'.", "__metadata__", T("__metadata__", torch.ones(1)));
        Refused("tensor #1 has the reserved or empty name ''.", string.Empty, T("a", torch.ones(1)), T(string.Empty, torch.ones(1)));
        Refused("tensor 'a' is given twice.", "a", T("a", torch.ones(1)), T("b", torch.ones(1)), T("a", torch.ones(1)));
        Refused("tensor 'n' is null.", "n", T("n", null!));
        Refused("tensor 'i' has dtype Int32; safetensors checkpoints are written as F32, BF16, F16, F64.", "i", T("i", torch.ones(1, dtype: torch.ScalarType.Int32)));
        Refused("tensor 'u' has dtype Byte; safetensors checkpoints are written as F32, BF16, F16, F64.", "u", T("w", torch.ones(1)), T("u", torch.ones(1, dtype: torch.ScalarType.Byte)));
        Assert.False(Directory.Exists(Path.GetDirectoryName(path)));
    }

    [Fact]
    public void NamesAndMetadataAreWrittenAsRawUtf8AndAFailedMoveLeavesNoTemporaryFile()
    {
        using var scope = torch.NewDisposeScope();
        string path = temp.File("raw.safetensors");
        SafetensorsWriter.Write(path, [new("é<w>", torch.ones(1))], new Dictionary<string, string> { ["note"] = "ü<>&" });
        Assert.StartsWith("{\"__metadata__\":{\"note\":\"ü<>&\"},\"é<w>\":{", HeaderText(path), StringComparison.Ordinal);

        string blocked = temp.File("blocked.safetensors");
        Directory.CreateDirectory(blocked); // the target is a folder: the final move fails
        Assert.ThrowsAny<IOException>(() => SafetensorsWriter.Write(blocked, [new("w", torch.ones(1))]));
        Assert.Equal([path], Directory.GetFiles(temp.Path));
        Assert.Throws<ArgumentNullException>(() => SafetensorsWriter.Write(temp.File("n.safetensors"), null!));
    }

    [Fact]
    public void AFileIsWrittenIntoFoldersThatDoNotExistYetAndReplacesAnOldOneLeavingNoTemporaryFile()
    {
        using var scope = torch.NewDisposeScope();
        string path = Path.Combine(temp.Path, "a", "b", "w.safetensors");
        SafetensorsWriter.Write(path, [new("w", torch.ones(3))]);
        SafetensorsWriter.Write(path, [new("v", torch.zeros(1))]);
        using (var file = SafetensorsFile.Open(path))
        {
            Assert.Equal(["v"], file.Entries.Keys.ToArray());
        }

        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!));
    }
}
