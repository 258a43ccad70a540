using System.Security.Cryptography;
using System.Text;

namespace Directer.Core.Tests.Hub;

/// <summary>One repository served by <see cref="FakeHubServer"/>: files, their hashes, and the branches pointing at its commit.</summary>
internal sealed class FakeHubRepo
{
    private readonly Dictionary<string, byte[]> files = new(StringComparer.Ordinal);

    public FakeHubRepo(string repoId, IReadOnlyDictionary<string, byte[]> contents, params string[] branches)
    {
        RepoId = repoId;
        foreach (var (name, bytes) in contents)
        {
            files[name] = bytes;
        }

        var all = new StringBuilder(repoId);
        foreach (var (name, bytes) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            all.Append('|').Append(name).Append(':').Append(Convert.ToHexStringLower(SHA256.HashData(bytes)));
        }

        Commit = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(all.ToString())));
        Branches = branches.Length == 0 ? ["main"] : branches;
    }

    public string RepoId { get; }

    public string Commit { get; }

    public IReadOnlyList<string> Branches { get; }

    public IEnumerable<string> FileNames => files.Keys.Order(StringComparer.Ordinal);

    /// <summary>Reads every file of a folder (top level and subfolders) into a repository.</summary>
    public static FakeHubRepo FromFolder(string repoId, string folder, IReadOnlyDictionary<string, byte[]>? extra = null, params string[] branches)
    {
        var contents = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(folder, f).Replace(Path.DirectorySeparatorChar, '/'), File.ReadAllBytes, StringComparer.Ordinal);
        foreach (var (name, bytes) in extra ?? new Dictionary<string, byte[]>())
        {
            contents[name] = bytes;
        }

        return new FakeHubRepo(repoId, contents, branches);
    }

    public bool Resolves(string revision) => revision == Commit || Branches.Contains(revision);

    public bool TryGet(string name, out byte[] bytes) => files.TryGetValue(name, out bytes!);

    /// <summary>Weights and other large files live in LFS on the hub (addressed by SHA-256); small text files in git.</summary>
    public static bool IsLfs(string name) => name.EndsWith(".safetensors", StringComparison.Ordinal) || name.EndsWith(".bin", StringComparison.Ordinal);

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>git's blob id: sha1("blob {size}\0" + content), the ETag the hub sends for non-LFS files.</summary>
    public static string GitBlobSha1(byte[] bytes) =>
        Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {bytes.Length}\0"), .. bytes]));

    public byte[]? ByHash(string sha256) => files.Values.FirstOrDefault(b => Sha256(b) == sha256);
}
