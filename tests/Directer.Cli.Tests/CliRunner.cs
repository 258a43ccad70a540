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

    /// <summary>A tiny Qwen2 checkpoint with the test tokenizer and a ChatML chat template.</summary>
    public static string ChatCheckpoint()
    {
        string folder = Path.Combine(Checkpoints.Value, "chat");
        if (!File.Exists(Path.Combine(folder, "tokenizer.json")))
        {
            TinyCheckpoints.Write(TinyCheckpoints.Qwen2BiasTiedBf16 with { Name = "chat", VocabSize = 288, DType = "F32", MaxPositionEmbeddings = 512 }, folder);
            TinyTokenizer.Write(folder);
        }

        return folder;
    }

    public static (int ExitCode, string Out, string Err) Run(params string[] args) => RunIn(null, args);

    /// <summary>Runs the program with <paramref name="workingDirectory"/> as its current folder (null: this process's).</summary>
    public static (int ExitCode, string Out, string Err) RunIn(string? workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? string.Empty };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "directer.dll"));
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(600_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("directer did not finish in 600 s");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
