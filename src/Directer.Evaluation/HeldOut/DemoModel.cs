namespace Directer.Evaluation.HeldOut;

/// <summary>Finds the built-in demo model (<c>models/directer-demo</c>) of a Directer checkout.</summary>
public static class DemoModel
{
    /// <summary>The folder inside the repository.</summary>
    public static readonly string RelativePath = Path.Combine("models", "directer-demo");

    /// <summary>
    /// The demo model folder: searched upwards from the current directory, then from the program's own folder
    /// (so it is found from a checkout whether the program runs from source or from its build output); null if absent.
    /// </summary>
    public static string? Find()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, RelativePath);
                if (File.Exists(Path.Combine(candidate, "config.json")))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary><see cref="Find"/>, or a clear error saying how to make the model.</summary>
    /// <exception cref="DirectoryNotFoundException">No demo model in this checkout.</exception>
    public static string Require() => Find() ?? throw new DirectoryNotFoundException(
        $"The built-in demo model ({RelativePath}) is not in this checkout or above the current directory. Train it with "
        + "'dotnet run -c Release --project tools/Directer.Training -- train --out models/directer-demo' (see docs/DEMO-MODEL.md), or pass --model.");
}
