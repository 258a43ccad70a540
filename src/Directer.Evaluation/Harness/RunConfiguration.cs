using System.Globalization;

namespace Directer.Evaluation.Harness;

/// <summary>
/// What a run's results depend on, recorded in <c>run.json</c> and compared when a run is resumed: the checkpoint
/// (by <see cref="CheckpointFingerprint"/>), the data file (by SHA-256), the chat template, dtype, device, decoding
/// settings and each method's settings. Paths are recorded for information only (a moved folder still resumes).
/// Row limits and thread counts are not part of it: rows are identified by key, and threads only change speed.
/// </summary>
public sealed record RunConfiguration
{
    /// <summary>Version of this file's layout.</summary>
    public int Version { get; init; } = 1;

    /// <summary>The checkpoint folder (information only).</summary>
    public required string Model { get; init; }

    /// <summary>The checkpoint's fingerprint.</summary>
    public required string ModelFingerprint { get; init; }

    /// <summary>The data file (information only).</summary>
    public required string Data { get; init; }

    /// <summary>SHA-256 of the data file.</summary>
    public required string DataSha256 { get; init; }

    /// <summary>The chat template in use.</summary>
    public required string ChatTemplate { get; init; }

    /// <summary>Compute dtype.</summary>
    public required string DType { get; init; }

    /// <summary>Torch device.</summary>
    public required string Device { get; init; }

    /// <summary>Most generated tokens per row.</summary>
    public required int MaxNewTokens { get; init; }

    /// <summary>Sampling temperature (0 = greedy).</summary>
    public required float Temperature { get; init; }

    /// <summary>Sampling seed (null = unseeded).</summary>
    public long? Seed { get; init; }

    /// <summary>Each method's settings (see <see cref="EvalMethod.Settings"/>).</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Methods { get; init; }

    /// <summary>
    /// How this configuration differs from <paramref name="recorded"/>, one readable line per difference. Methods that
    /// only one of them has are no difference: a rerun may add methods (their rows are simply not done yet).
    /// </summary>
    public IReadOnlyList<string> DifferencesFrom(RunConfiguration recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        var differences = new List<string>();
        void Compare(string name, string? then, string? now)
        {
            if (!string.Equals(then, now, StringComparison.Ordinal))
            {
                differences.Add($"{name}: recorded {then ?? "(none)"}, now {now ?? "(none)"}");
            }
        }

        static string F(float v) => v.ToString("R", CultureInfo.InvariantCulture);
        Compare("version", recorded.Version.ToString(CultureInfo.InvariantCulture), Version.ToString(CultureInfo.InvariantCulture));
        if (recorded.ModelFingerprint != ModelFingerprint)
        {
            differences.Add($"model: recorded {recorded.Model} (fingerprint {Short(recorded.ModelFingerprint)}), now {Model} (fingerprint {Short(ModelFingerprint)})");
        }

        if (recorded.DataSha256 != DataSha256)
        {
            differences.Add($"data: recorded {recorded.Data} (sha256 {Short(recorded.DataSha256)}), now {Data} (sha256 {Short(DataSha256)})");
        }

        Compare("chat template", recorded.ChatTemplate, ChatTemplate);
        Compare("dtype", recorded.DType, DType);
        Compare("device", recorded.Device, Device);
        Compare("max new tokens", recorded.MaxNewTokens.ToString(CultureInfo.InvariantCulture), MaxNewTokens.ToString(CultureInfo.InvariantCulture));
        Compare("temperature", F(recorded.Temperature), F(Temperature));
        Compare("seed", recorded.Seed?.ToString(CultureInfo.InvariantCulture), Seed?.ToString(CultureInfo.InvariantCulture));
        foreach (var (method, settings) in Methods)
        {
            if (!recorded.Methods.TryGetValue(method, out var then))
            {
                continue;
            }

            foreach (string key in then.Keys.Union(settings.Keys).Order(StringComparer.Ordinal))
            {
                Compare($"{method} {key}", then.GetValueOrDefault(key), settings.GetValueOrDefault(key));
            }
        }

        return differences;
    }

    /// <summary>This configuration with the methods of <paramref name="recorded"/> that it lacks added (what run.json keeps).</summary>
    public RunConfiguration MergedWith(RunConfiguration recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        var methods = new SortedDictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (name, settings) in recorded.Methods.Concat(Methods))
        {
            methods[name] = settings;
        }

        return this with { Methods = methods };
    }

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;
}
