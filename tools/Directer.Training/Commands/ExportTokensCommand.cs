using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Directer.Training.Data;
using Directer.Training.Training;

namespace Directer.Training.Commands;

/// <summary>
/// `export-tokens`: writes the training stream as token ids and loss masks, for a trainer on another machine
/// (tools/gpu-training/train.py on the accelerator machine, which has Python and PyTorch but no .NET). The
/// conversations, their rendering and tokenization and the trainable flags are exactly what `train` feeds the
/// model (<see cref="TrainingExample"/> from the same <see cref="ConversationGenerator"/> and options).
/// </summary>
/// <remarks>
/// Format (all little-endian), in DIR/examples.bin.gz (gzip): per example a uint32 length n, n uint16 token ids,
/// n bytes of trainable flags (1: the model is trained to produce this token). DIR/export.json describes it.
/// </remarks>
internal static class ExportTokensCommand
{
    /// <summary>The format name written to export.json and checked by the Python reader.</summary>
    public const string Format = "directer-training-tokens/1";

    public static int Run(Options o)
    {
        string outDir = o.Required("out");
        string modelDir = o.Required("tokenizer-from");
        long seed = o.Long("seed", 1234);
        long first = o.Long("first", 0);
        long count = o.Long("count", 0);
        int maxLength = o.Int("max-length", 1024);
        double novel = o.Double("novel", 0);
        double? drills = o.Has("drills") ? o.Double("drills", 0) : null;
        double randomCopy = o.Double("random-copy", 0);
        double longContext = o.Double("long-context", 0);
        bool wide = o.WideWordings();
        double keywords = o.Double("keyword-requests", 0);
        o.EnsureAllUsed();
        if (count <= 0)
        {
            throw new ArgumentException($"--count must be at least 1 (conversations to export), got {count}.");
        }

        if (maxLength < 2)
        {
            throw new ArgumentException($"--max-length must be at least 2 tokens, got {maxLength}.");
        }

        string tokenizerPath = Path.Combine(modelDir, "tokenizer.json");
        var vocab = Tokenization.HfTokenizerFiles.Read(tokenizerPath);
        if (vocab.Count > ushort.MaxValue + 1)
        {
            throw new ArgumentException($"{tokenizerPath}: {vocab.Count} tokens do not fit the export's 16-bit ids.");
        }

        Directory.CreateDirectory(outDir);
        var generator = new ConversationGenerator(seed, DataSplit.Train, novel, drills, randomCopy, longContext, wide, keywords);
        long tokens = 0, trainableTokens = 0, written = 0, skipped = 0;
        string binPath = Path.Combine(outDir, "examples.bin.gz");
        using (var file = File.Create(binPath))
        using (var gzip = new GZipStream(file, CompressionLevel.SmallestSize))
        {
            var header = new byte[4];
            for (long i = first; i < first + count; i++)
            {
                var example = TrainingExample.From(generator.Generate(i), vocab, maxLength);
                if (!example.HasTarget)
                {
                    // As the trainer's batches.
                    skipped++;
                    continue;
                }

                BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)example.Length);
                gzip.Write(header);
                var ids = new byte[example.Length * 2];
                var flags = new byte[example.Length];
                for (int t = 0; t < example.Length; t++)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(ids.AsSpan(t * 2), (ushort)example.Ids[t]);
                    flags[t] = example.Trainable[t] ? (byte)1 : (byte)0;
                    trainableTokens += flags[t];
                }

                gzip.Write(ids);
                gzip.Write(flags);
                tokens += example.Length;
                written++;
            }
        }

        var description = new JsonObject
        {
            ["format"] = Format,
            ["command"] = "dotnet run -c Release --project tools/Directer.Training -- export-tokens " + string.Join(' ', Environment.GetCommandLineArgs().Skip(2)),
            ["examples"] = written,
            ["skipped_no_trainable_tokens"] = skipped,
            ["tokens"] = tokens,
            ["trainable_tokens"] = trainableTokens,
            ["vocab_size"] = vocab.Count,
            ["pad_id"] = vocab.SpecialIds[Tokenization.SpecialTokens.EndOfText],
            ["max_length"] = maxLength,
            ["seed"] = seed,
            ["first"] = first,
            ["novel"] = novel,
            ["drills"] = drills,
            ["random_copy"] = randomCopy,
            ["long_context"] = longContext,
            ["wordings"] = wide ? "wide" : "base",
            ["keyword_requests"] = keywords,
            ["tokenizer_sha256"] = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(tokenizerPath))),
        };
        Tokenization.HfTokenizerFiles.WriteJson(Path.Combine(outDir, "export.json"), description);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {written} conversations ({tokens:N0} tokens, {trainableTokens:N0} trainable; {skipped} cut to nothing) to {binPath}: {new FileInfo(binPath).Length / 1048576.0:F1} MiB"));
        return 0;
    }
}
