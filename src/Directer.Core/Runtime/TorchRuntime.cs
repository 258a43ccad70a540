using System.Runtime.InteropServices;
using TorchSharp;

namespace Directer.Core.Runtime;

/// <summary>
/// Initializes TorchSharp once per process, applying the libLibTorchSharp compatibility fix first
/// where the build-time fix could not (for example an output folder produced without our targets).
/// </summary>
public static class TorchRuntime
{
    private static readonly Lock Gate = new();
    private static bool initialized;

    /// <summary>
    /// Makes sure TorchSharp's native libraries are loaded. Call before the first tensor operation;
    /// every Directer entry point does.
    /// </summary>
    /// <exception cref="TorchRuntimeException">TorchSharp cannot load; the message names the cause.</exception>
    public static void EnsureInitialized()
    {
        if (Volatile.Read(ref initialized))
        {
            return;
        }

        lock (Gate)
        {
            if (initialized)
            {
                return;
            }

            string? patchNote = RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? PatchLoadedCopies() : null;
            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception e)
            {
                throw new TorchRuntimeException(Explain(e, patchNote), e);
            }

            Volatile.Write(ref initialized, true);
        }
    }

    private static string? PatchLoadedCopies()
    {
        string version = ElfVersionNeedPatcher.TorchSharpMissingVersion;
        if (ElfVersionNeedPatcher.SystemLibStdCxxProvides(version))
        {
            return null;
        }

        string baseDirectory = AppContext.BaseDirectory;
        string[] candidates =
        {
            Path.Combine(baseDirectory, "libLibTorchSharp.so"),
            Path.Combine(baseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"),
            Path.Combine(baseDirectory, "cpu", "libLibTorchSharp.so"),
            Path.Combine(baseDirectory, "cuda", "libLibTorchSharp.so"),
        };
        var problems = new List<string>();
        foreach (string candidate in candidates.Where(File.Exists))
        {
            try
            {
                if (ElfVersionNeedPatcher.RequiresStrictly(candidate, version))
                {
                    ElfVersionNeedPatcher.MakeVersionWeak(candidate, version);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                problems.Add($"'{candidate}': {e.Message}");
            }
        }

        return problems.Count == 0 ? null : "The automatic fix could not be applied to " + string.Join("; ", problems) + ".";
    }

    private static string Explain(Exception e, string? patchNote)
    {
        string detail = e.InnerException?.Message ?? e.Message;
        string message = $"TorchSharp could not initialise its native libraries: {detail}";
        if (detail.Contains("GLIBCXX", StringComparison.Ordinal) || patchNote is not null)
        {
            message += $" libLibTorchSharp.so 0.107 requires {ElfVersionNeedPatcher.TorchSharpMissingVersion} (GCC 13's libstdc++), which this"
                + " system lacks. Directer marks that requirement weak in the build output (build/Directer.Core.targets) and"
                + " again at start-up; make the output folder writable, rebuild, or install libstdc++ from GCC 13 or newer.";
        }

        if (patchNote is not null)
        {
            message += " " + patchNote;
        }

        return message;
    }
}
