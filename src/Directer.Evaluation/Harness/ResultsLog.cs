using System.Text;
using System.Text.Json;

namespace Directer.Evaluation.Harness;

/// <summary>
/// The append-only <c>results.jsonl</c> of a run: one <see cref="RowResult"/> per line, written and flushed to disk
/// as soon as its row finishes, so an interrupted run loses at most the row in progress.
/// </summary>
public sealed class ResultsLog : IDisposable
{
    private readonly Dictionary<(string Method, string Key), RowResult> results = [];
    private readonly FileStream stream;

    private ResultsLog(string path, FileStream stream, List<RowResult> existing, int repairedBytes)
    {
        Path = path;
        this.stream = stream;
        foreach (var result in existing)
        {
            results.TryAdd((result.Method, result.Key), result);
        }

        RepairedBytes = repairedBytes;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Bytes of a torn last line (a write cut off by a kill) removed when the log was opened.</summary>
    public int RepairedBytes { get; }

    /// <summary>Results recorded so far (from earlier sessions and this one).</summary>
    public int Count => results.Count;

    /// <summary>Opens (or creates) the log, reading the results already in it.</summary>
    /// <exception cref="FormatException">A complete line is not a result (the file was edited or is not a results log).</exception>
    public static ResultsLog Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);

            // Every complete line ends with '\n'; anything after the last one was being written when the run died.
            int complete = Array.LastIndexOf(bytes, (byte)'\n') + 1;
            var existing = new List<RowResult>();
            int lineNumber = 0;
            foreach (string line in Encoding.UTF8.GetString(bytes, 0, complete).Split('\n'))
            {
                lineNumber++;
                if (line.Length == 0)
                {
                    continue;
                }

                try
                {
                    existing.Add(JsonSerializer.Deserialize<RowResult>(line, EvalJson.Compact) ?? throw new JsonException("null"));
                }
                catch (JsonException e)
                {
                    throw new FormatException($"{path}, line {lineNumber}: not a result written by directer eval ({e.Message}). Start over with --restart.", e);
                }
            }

            stream.SetLength(complete);
            stream.Seek(complete, SeekOrigin.Begin);
            return new ResultsLog(path, stream, existing, bytes.Length - complete);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Whether (method, key) is already done.</summary>
    public bool Contains(string method, string key) => results.ContainsKey((method, key));

    /// <summary>The recorded result of (method, key), or null.</summary>
    public RowResult? Find(string method, string key) => results.GetValueOrDefault((method, key));

    /// <summary>Appends one result and flushes it to disk.</summary>
    /// <exception cref="InvalidOperationException">The pair is already recorded.</exception>
    public void Append(RowResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (!results.TryAdd((result.Method, result.Key), result))
        {
            throw new InvalidOperationException($"Row '{result.Key}' of method '{result.Method}' is already recorded.");
        }

        // One write per line, so a kill can tear at most the last line (repaired on the next open).
        byte[] line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(result, EvalJson.Compact) + "\n");
        stream.Write(line);
        stream.Flush(flushToDisk: true);
    }

    /// <inheritdoc />
    public void Dispose() => stream.Dispose();
}
