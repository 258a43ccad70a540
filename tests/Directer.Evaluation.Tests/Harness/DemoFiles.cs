using Directer.Evaluation.Demo;

namespace Directer.Evaluation.Tests.Harness;

/// <summary>The demo model's data files in this checkout.</summary>
internal static class DemoFiles
{
    public static string Folder => DemoModel.Find() ?? throw new InvalidOperationException($"{DemoModel.RelativeFolder} is not in this checkout.");

    /// <summary>The committed IFEval-format held-out set.</summary>
    public static string IfEvalHeldOut => Path.Combine(Folder, DemoModel.IfEvalHeldOutFile);

    /// <summary>The training tool's held-out set (the converter's input).</summary>
    public static string HeldOut
    {
        get
        {
            string path = Path.Combine(Folder, DemoModel.HeldOutFile);
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException($"{path} is missing: it is written by `dotnet run -c Release --project tools/Directer.Training -- train --out models/directer-demo` and belongs next to the model.", path);
        }
    }
}
