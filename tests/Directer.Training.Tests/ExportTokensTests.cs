using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Directer.Evaluation.Demo;
using Directer.Training.Commands;
using Directer.Training.Data;
using Directer.Training.Tokenization;
using Directer.Training.Training;

namespace Directer.Training.Tests;

/// <summary>`export-tokens` writes exactly the examples `train` feeds the model, in the layout tools/gpu-training/train.py reads.</summary>
public sealed class ExportTokensTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "directer-export-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void TheExportHoldsTheTrainersExamplesInTheDocumentedLayout()
    {
        string model = DemoModel.Require();
        int code = ExportTokensCommand.Run(Options.Parse(["--out", dir, "--tokenizer-from", model, "--count", "40", "--first", "7",
            "--seed", "31", "--novel", "0.8", "--drills", "0.4", "--random-copy", "0.5", "--long-context", "0.3", "--max-length", "300"]));
        Assert.Equal(0, code);

        // The reference: what BatchSource builds for the same generator, options and truncation.
        var vocab = HfTokenizerFiles.Read(Path.Combine(model, "tokenizer.json"));
        var generator = new ConversationGenerator(31, DataSplit.Train, 0.8, 0.4, 0.5, 0.3);
        var expected = Enumerable.Range(7, 40).Select(i => TrainingExample.From(generator.Generate(i), vocab, 300))
            .Where(e => e.HasTarget).ToList();
        Assert.Contains(expected, e => e.Length == 300); // truncation was exercised

        using var gzip = new GZipStream(File.OpenRead(Path.Combine(dir, "examples.bin.gz")), CompressionMode.Decompress);
        using var bytes = new MemoryStream();
        gzip.CopyTo(bytes);
        var data = bytes.ToArray();
        int pos = 0;
        foreach (var e in expected)
        {
            int n = (int)BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(pos));
            pos += 4;
            Assert.Equal(e.Length, n);
            var ids = Enumerable.Range(0, n).Select(t => (int)BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(pos + (2 * t)))).ToArray();
            pos += 2 * n;
            var flags = data.AsSpan(pos, n).ToArray().Select(b => b switch { 0 => false, 1 => true, _ => throw new InvalidDataException($"flag byte {b}") }).ToArray();
            pos += n;
            Assert.Equal(e.Ids, ids);
            Assert.Equal(e.Trainable, flags);
        }

        Assert.Equal(data.Length, pos);
        var meta = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "export.json")))!;
        Assert.Equal(ExportTokensCommand.Format, meta["format"]!.GetValue<string>());
        Assert.Equal(expected.Count, meta["examples"]!.GetValue<long>());
        Assert.Equal(40 - expected.Count, meta["skipped_no_trainable_tokens"]!.GetValue<long>());
        Assert.Equal(expected.Sum(e => (long)e.Length), meta["tokens"]!.GetValue<long>());
        Assert.Equal(expected.Sum(e => (long)e.Trainable.Count(t => t)), meta["trainable_tokens"]!.GetValue<long>());
        Assert.Equal(vocab.SpecialIds[SpecialTokens.EndOfText], meta["pad_id"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("--count", "0", "--count must be at least 1")]
    [InlineData("--max-length", "1", "--max-length must be at least 2")]
    public void BadSettingsAreRefusedByName(string option, string value, string message)
    {
        var args = new List<string> { "--out", dir, "--tokenizer-from", DemoModel.Require(), "--count", "3" };
        int at = args.IndexOf(option);
        if (at >= 0)
        {
            args[at + 1] = value;
        }
        else
        {
            args.AddRange([option, value]);
        }

        var e = Assert.Throws<ArgumentException>(() => ExportTokensCommand.Run(Options.Parse(args)));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "examples.bin.gz")));
    }
}
