using System.Security.Cryptography;
using System.Text;

namespace Directer.Core.Hub;

/// <summary>
/// A hub file's etag and how to check a download against it: LFS files (weights) are addressed by the
/// SHA-256 of their content, small git files by git's blob SHA-1 (<c>sha1("blob &lt;size&gt;\0" + content)</c>).
/// </summary>
internal sealed class HubEtag
{
    private HubEtag(string value, HashAlgorithmName? algorithm)
    {
        Value = value;
        Algorithm = algorithm;
    }

    /// <summary>The etag without quotes or weak prefix; also the blob's file name.</summary>
    public string Value { get; }

    /// <summary>SHA256 (LFS), SHA1 (git blob) or null when the etag is not a hash we know.</summary>
    public HashAlgorithmName? Algorithm { get; }

    /// <summary>What the etag is checked with, for messages.</summary>
    public string Description => Algorithm == HashAlgorithmName.SHA256 ? "SHA-256" : Algorithm == HashAlgorithmName.SHA1 ? "git blob SHA-1" : "size only";

    /// <summary>Normalises a header value (<c>"abc"</c>, <c>W/"abc"</c>).</summary>
    public static HubEtag Parse(string header)
    {
        string value = header.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            value = value[2..];
        }

        value = value.Trim('"').Trim().ToLowerInvariant();
        bool hex = value.Length > 0 && value.All(char.IsAsciiHexDigit);
        HashAlgorithmName? algorithm = hex && value.Length == 64 ? HashAlgorithmName.SHA256 : hex && value.Length == 40 ? HashAlgorithmName.SHA1 : null;
        if (algorithm is null)
        {
            // An etag we cannot verify still names the blob: keep it a safe file name.
            value = new string(value.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());
            if (value.Length == 0)
            {
                throw new FormatException($"'{header}' is not a usable etag.");
            }
        }

        return new HubEtag(value, algorithm);
    }

    /// <summary>A hasher for a file of <paramref name="size"/> bytes; null when the etag cannot be checked.</summary>
    public IncrementalHash? CreateHasher(long? size)
    {
        if (Algorithm == HashAlgorithmName.SHA256)
        {
            return IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        }

        if (Algorithm == HashAlgorithmName.SHA1 && size is long known)
        {
#pragma warning disable CA5350 // git's object id: an integrity check against the hub, not a security boundary
            var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
#pragma warning restore CA5350
            hash.AppendData(Encoding.ASCII.GetBytes($"blob {known}\0"));
            return hash;
        }

        return null;
    }
}
