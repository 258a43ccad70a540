using System.Security.Cryptography;
using System.Text;

namespace Directer.Evaluation.Harness;

/// <summary>
/// A quick identity of a checkpoint folder for resume checks: SHA-256 over its config and tokenizer files, and over
/// each weight file's name, size, first and last MiB. Hashing every byte of multi-GB weights would take minutes;
/// the sampled bytes include the safetensors header (names, shapes, offsets) and change whenever weights are retrained.
/// </summary>
public static class CheckpointFingerprint
{
    private const int Sample = 1 << 20;

    private static readonly string[] WholeFiles = ["config.json", "tokenizer.json", "tokenizer_config.json", "tokenizer.model", "generation_config.json"];

    /// <summary>The fingerprint of <paramref name="directory"/> as lower-case hex.</summary>
    public static string Of(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (string name in WholeFiles)
        {
            string path = Path.Combine(directory, name);
            if (File.Exists(path))
            {
                hash.AppendData(Encoding.UTF8.GetBytes(name + "\n"));
                hash.AppendData(File.ReadAllBytes(path));
            }
        }

        foreach (string path in Directory.EnumerateFiles(directory, "*.safetensors").Order(StringComparer.Ordinal))
        {
            using var stream = File.OpenRead(path);
            hash.AppendData(Encoding.UTF8.GetBytes($"{Path.GetFileName(path)}\n{stream.Length}\n"));
            AppendRange(hash, stream, 0, (int)Math.Min(Sample, stream.Length));
            if (stream.Length > Sample)
            {
                long start = Math.Max(Sample, stream.Length - Sample);
                AppendRange(hash, stream, start, (int)(stream.Length - start));
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>SHA-256 of a whole file as lower-case hex (data files).</summary>
    public static string FileSha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static void AppendRange(IncrementalHash hash, FileStream stream, long start, int count)
    {
        var buffer = new byte[count];
        stream.Seek(start, SeekOrigin.Begin);
        stream.ReadExactly(buffer);
        hash.AppendData(buffer);
    }
}
