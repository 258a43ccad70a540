using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Directer.SemanticKernel.Tests;

/// <summary>
/// The README's Semantic Kernel snippet compiles as written: samples/QuickStart/Program.cs begins with it (so every
/// build compiles it), and running that program answers on the built-in demo model.
/// </summary>
public sealed partial class ReadmeSnippetTests
{
    private static readonly string RepoRoot = FindRepoRoot();

    [Fact]
    public void TheQuickStartSampleBeginsWithTheReadmesSemanticKernelSnippet()
    {
        string readme = File.ReadAllText(Path.Combine(RepoRoot, "README.md")).ReplaceLineEndings("\n");
        int section = readme.IndexOf("\n## Semantic Kernel\n", StringComparison.Ordinal);
        Assert.True(section >= 0, "README.md has no '## Semantic Kernel' section");
        var block = CSharpBlock().Match(readme, section);
        Assert.True(block.Success, "README.md's Semantic Kernel section has no ```csharp block");

        string program = File.ReadAllText(Path.Combine(RepoRoot, "samples", "QuickStart", "Program.cs")).ReplaceLineEndings("\n");
        Assert.True(program.StartsWith(block.Groups[1].Value, StringComparison.Ordinal),
            "samples/QuickStart/Program.cs must begin with README.md's Semantic Kernel snippet, verbatim; copy the snippet there after editing it.");
    }

    [Fact]
    public async Task TheQuickStartSampleAnswersOnTheDemoModel()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoRoot };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "QuickStart.dll"));
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("samples/QuickStart did not finish in 120 s");
        }

        Assert.True(process.ExitCode == 0, await stderr);
        Assert.False(string.IsNullOrWhiteSpace(await stdout), "no answer printed");
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Directer.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No Directer.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex("```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
