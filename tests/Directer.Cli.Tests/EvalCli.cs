using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Directer.Cli.Tests;

/// <summary>Helpers of the eval tests: a temporary output folder per test, reading its files, and a run that can be interrupted.</summary>
internal sealed class EvalCli : IDisposable
{
    public EvalCli()
    {
        Out = Path.Combine(Path.GetTempPath(), "directer-eval-tests-" + Guid.NewGuid().ToString("N"));
    }

    public string Out { get; }

    public string PathOf(string file) => Path.Combine(Out, file);

    public string[] ResultLines() => File.ReadAllLines(PathOf("results.jsonl"));

    public JsonDocument Report() => JsonDocument.Parse(File.ReadAllText(PathOf("report.json")));

    /// <summary>Runs `directer eval` on the built-in demo model with --out set to this test's folder.</summary>
    public (int ExitCode, string Out, string Err) Run(params string[] args) => CliRunner.Run(["eval", "--out", Out, .. args]);

    /// <summary>Starts `directer eval`, waits until <paramref name="lines"/> results are saved, then sends SIGINT (Ctrl+C).</summary>
    public (int ExitCode, string Err) RunAndInterrupt(int lines, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "exec", Path.Combine(AppContext.BaseDirectory, "directer.dll"), "eval", "--out", Out }.Concat(args))
        {
            start.ArgumentList.Add(a);
        }

        using var process = StartWithInterruptHandled(start);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        string results = PathOf("results.jsonl");
        while (!process.HasExited && (!File.Exists(results) || CountLines(results) < lines))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("no results within 60 s");
            }

            Thread.Sleep(20);
        }

        if (!process.HasExited)
        {
            // libc's kill(2): no process to spawn between seeing the first saved row and the signal.
            Assert.True(Kill(process.Id, SignalInterrupt) == 0, $"kill({process.Id}, SIGINT) failed: errno {Marshal.GetLastPInvokeError()}");
        }

        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("directer eval did not stop within 60 s of SIGINT");
        }

        _ = stdout.Result;
        return (process.ExitCode, stderr.Result);
    }

    private const int SignalInterrupt = 2;
    private static readonly IntPtr SignalDefault = 0, SignalIgnore = 1;
    private static readonly Lock SpawnLock = new();

    /// <summary>
    /// Starts the process with SIGINT at its default disposition. A test host started from a background job of a
    /// non-interactive shell (`.ci/run &amp;`) ignores SIGINT, and a child inherits an ignored signal through exec, so the
    /// CLI would never see the interrupt; only then is SIGINT set to default around the start and ignored again after.
    /// </summary>
    private static Process StartWithInterruptHandled(ProcessStartInfo start)
    {
        lock (SpawnLock)
        {
            byte[] old = new byte[256]; // struct sigaction (152 bytes on x86-64 glibc); sa_handler first
            Assert.True(SigAction(SignalInterrupt, IntPtr.Zero, old) == 0, "sigaction(SIGINT) failed");
            bool ignored = BitConverter.ToInt64(old, 0) == SignalIgnore;
            if (ignored)
            {
                Signal(SignalInterrupt, SignalDefault);
            }

            try
            {
                return Process.Start(start)!;
            }
            finally
            {
                if (ignored)
                {
                    Signal(SignalInterrupt, SignalIgnore);
                }
            }
        }
    }

    [DllImport("libc", EntryPoint = "sigaction", SetLastError = true)]
    private static extern int SigAction(int signal, IntPtr action, byte[] oldAction);

    [DllImport("libc", EntryPoint = "signal")]
    private static extern IntPtr Signal(int signal, IntPtr handler);

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    public void Dispose()
    {
        if (Directory.Exists(Out))
        {
            Directory.Delete(Out, recursive: true);
        }
    }

    private static int CountLines(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        int count = 0;
        int b;
        while ((b = stream.ReadByte()) >= 0)
        {
            count += b == '\n' ? 1 : 0;
        }

        return count;
    }
}
