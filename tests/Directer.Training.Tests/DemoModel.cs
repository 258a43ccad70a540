namespace Directer.Training.Tests;

/// <summary>The shipped demo model's folder (models/directer-demo), found above the test binaries.</summary>
internal static class DemoModel
{
    public static string Folder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "models", "directer-demo");
            if (File.Exists(Path.Combine(candidate, "tokenizer.json")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("models/directer-demo not found above " + AppContext.BaseDirectory);
    }
}
