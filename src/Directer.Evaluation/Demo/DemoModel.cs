namespace Directer.Evaluation.Demo;

/// <summary>
/// Finds the built-in demo model (<c>models/directer-demo</c>) and its IFEval-format held-out set, so that
/// <c>directer eval</c> runs with no arguments on a fresh checkout, offline.
/// </summary>
public static class DemoModel
{
    /// <summary>The demo model's folder relative to the repository root.</summary>
    public static readonly string RelativeFolder = Path.Combine("models", "directer-demo");

    /// <summary>The IFEval-format held-out set inside the model folder (written by <see cref="DemoHeldOutConverter"/>).</summary>
    public const string IfEvalHeldOutFile = "ifeval-heldout.jsonl";

    /// <summary>The training tool's own held-out set inside the model folder (the converter's input).</summary>
    public const string HeldOutFile = "heldout-eval.jsonl";

    /// <summary>
    /// The demo model folder, searched like samples/AgentDemo does: in every folder from the current directory up to
    /// the root (a checkout's own, possibly retrained, model first), then from the program's own folder up: the
    /// `directer` program and tool ship the model beside themselves, so it is found from any folder.
    /// Null when none holds <c>models/directer-demo/config.json</c>.
    /// </summary>
    public static string? Find()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, RelativeFolder);
                if (File.Exists(Path.Combine(candidate, "config.json")))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>The demo model folder.</summary>
    /// <exception cref="DirectoryNotFoundException">Not found; the message says where it looked and what to do.</exception>
    public static string Require() => Find() ?? throw new DirectoryNotFoundException(
        $"The built-in demo model ({RelativeFolder}) was not found in {Directory.GetCurrentDirectory()}, {AppContext.BaseDirectory} or any folder above them. "
        + "The directer tool ships it beside the program (reinstall the tool if it is missing); otherwise run from a Directer checkout, pass --model DIR (and --data FILE.jsonl), or train it (about two hours on 2 cores): "
        + "dotnet run -c Release --project tools/Directer.Training -- train --out models/directer-demo");
}
