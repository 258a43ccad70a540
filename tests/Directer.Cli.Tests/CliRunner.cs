using System.Diagnostics;
using Directer.Testing;

namespace Directer.Cli.Tests;

/// <summary>Runs the real `directer` program (its dll is copied next to the tests) in a child process.</summary>
internal static class CliRunner
{
    private static readonly Lazy<string> Checkpoints = new(() =>
    {
        string root = Path.Combine(Path.GetTempPath(), "directer-cli-tests-" + Environment.ProcessId);
        TinyCheckpoints.WriteAll(root);
        return root;
    });

    public static string Checkpoint(string name) => Path.Combine(Checkpoints.Value, name);

    public static (int ExitCode, string Out, string Err) Run(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "directer.dll"));
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("directer did not finish in 120 s");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
