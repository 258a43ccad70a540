// This file is compiled twice: into Directer.Core (runtime fix, DIRECTER_CORE defined) and, by
// RoslynCodeTaskFactory, into the MSBuild task in build/Directer.Core.targets (build-time fix).
// Keep it dependency-free C# so both compilations accept it.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Directer.Core.Runtime
{
    /// <summary>
    /// Marks a required symbol version (an entry of an ELF shared object's <c>.gnu.version_r</c>
    /// section) as weak, so the dynamic loader tolerates its absence.
    /// </summary>
    /// <remarks>
    /// libLibTorchSharp.so 0.107 requires <c>GLIBCXX_3.4.32</c> (GCC 13) for a single symbol,
    /// <c>_ZSt21ios_base_library_initv</c>, which is a link-time marker and never called. Debian 12
    /// and Ubuntu 22.04 ship libstdc++ only up to 3.4.30, so glibc refuses to load the library.
    /// With <c>VER_FLG_WEAK</c> set on that entry glibc only warns in debug mode and loads it.
    /// </remarks>
    internal static class ElfVersionNeedPatcher
    {
        /// <summary>The version libLibTorchSharp 0.107 asks for and older distributions lack.</summary>
        public const string TorchSharpMissingVersion = "GLIBCXX_3.4.32";

        private const ushort VerFlagWeak = 0x2;
        private const uint ShtGnuVerneed = 0x6ffffffe;

        /// <summary>Outcome of <see cref="MakeVersionWeak"/>.</summary>
        public enum Outcome
        {
            /// <summary>The flag was set and the file rewritten.</summary>
            Patched,
            /// <summary>The entry was already weak; nothing written.</summary>
            AlreadyWeak,
            /// <summary>The file does not require that version; nothing written.</summary>
            NotRequired,
        }

        /// <summary>
        /// Sets <c>VER_FLG_WEAK</c> on every <c>.gnu.version_r</c> entry named <paramref name="versionName"/>.
        /// The file is replaced through a temporary copy, never edited in place, so a hard link
        /// into the NuGet package cache is broken instead of modifying the cache.
        /// </summary>
        /// <exception cref="InvalidDataException">The file is not a 64-bit little-endian ELF object.</exception>
        public static Outcome MakeVersionWeak(string path, string versionName)
        {
            byte[] image = File.ReadAllBytes(path);
            List<int> flagOffsets = FindVersionNeedFlags(image, versionName, path);
            if (flagOffsets.Count == 0)
            {
                return Outcome.NotRequired;
            }

            bool changed = false;
            foreach (int offset in flagOffsets)
            {
                ushort flags = ReadU16(image, offset);
                if ((flags & VerFlagWeak) == 0)
                {
                    WriteU16(image, offset, (ushort)(flags | VerFlagWeak));
                    changed = true;
                }
            }

            if (!changed)
            {
                return Outcome.AlreadyWeak;
            }

            string temporary = path + ".directer-patch-" + Guid.NewGuid().ToString("N");
            File.WriteAllBytes(temporary, image);
            try
            {
#if NET
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(temporary, File.GetUnixFileMode(path));
                }
#endif
#if NET
                File.Move(temporary, path, overwrite: true);
#else
                File.Delete(path);
                File.Move(temporary, path);
#endif
            }
            catch
            {
                File.Delete(temporary);
                throw;
            }

            return Outcome.Patched;
        }

        /// <summary>Whether the entry named <paramref name="versionName"/> exists and is not weak.</summary>
        public static bool RequiresStrictly(string path, string versionName)
        {
            byte[] image = File.ReadAllBytes(path);
            foreach (int offset in FindVersionNeedFlags(image, versionName, path))
            {
                if ((ReadU16(image, offset) & VerFlagWeak) == 0)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// Whether a libstdc++ on this system already defines <paramref name="versionName"/>,
        /// in which case no patch is needed.
        /// </summary>
        public static bool SystemLibStdCxxProvides(string versionName)
        {
            string[] directories =
            {
                "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
                "/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib",
            };
            byte[] needle = Encoding.ASCII.GetBytes(versionName + "\0");
            foreach (string directory in directories)
            {
                string candidate = Path.Combine(directory, "libstdc++.so.6");
                if (File.Exists(candidate) && Contains(File.ReadAllBytes(candidate), needle))
                {
                    return true;
                }
            }

            return false;
        }

        private static List<int> FindVersionNeedFlags(byte[] image, string versionName, string path)
        {
            if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
            {
                throw new InvalidDataException($"'{path}' is not an ELF file.");
            }

            if (image[4] != 2 || image[5] != 1)
            {
                throw new InvalidDataException($"'{path}' is not a 64-bit little-endian ELF file (class {image[4]}, data {image[5]}).");
            }

            long sectionTable = (long)ReadU64(image, 0x28);
            int sectionEntrySize = ReadU16(image, 0x3A);
            int sectionCount = ReadU16(image, 0x3C);
            var result = new List<int>();
            for (int s = 0; s < sectionCount; s++)
            {
                long header = sectionTable + ((long)s * sectionEntrySize);
                CheckRange(image, header, 64, path);
                if (ReadU32(image, (int)header + 4) != ShtGnuVerneed)
                {
                    continue;
                }

                long offset = (long)ReadU64(image, (int)header + 0x18);
                uint link = ReadU32(image, (int)header + 0x28);
                long stringsHeader = sectionTable + ((long)link * sectionEntrySize);
                CheckRange(image, stringsHeader, 64, path);
                long strings = (long)ReadU64(image, (int)stringsHeader + 0x18);

                long need = offset;
                while (true)
                {
                    CheckRange(image, need, 16, path);
                    int auxCount = ReadU16(image, (int)need + 2);
                    long aux = need + ReadU32(image, (int)need + 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        CheckRange(image, aux, 16, path);
                        long name = strings + ReadU32(image, (int)aux + 8);
                        if (NameEquals(image, name, versionName))
                        {
                            result.Add((int)aux + 4);
                        }

                        uint nextAux = ReadU32(image, (int)aux + 12);
                        if (nextAux == 0)
                        {
                            break;
                        }

                        aux += nextAux;
                    }

                    uint next = ReadU32(image, (int)need + 12);
                    if (next == 0)
                    {
                        break;
                    }

                    need += next;
                }
            }

            return result;
        }

        private static bool NameEquals(byte[] image, long offset, string name)
        {
            if (offset < 0 || offset + name.Length >= image.Length)
            {
                return false;
            }

            for (int i = 0; i < name.Length; i++)
            {
                if (image[offset + i] != (byte)name[i])
                {
                    return false;
                }
            }

            return image[offset + name.Length] == 0;
        }

        private static bool Contains(byte[] haystack, byte[] needle)
        {
            for (int i = 0; i <= haystack.Length - needle.Length; i++)
            {
                if (haystack[i] != needle[0])
                {
                    continue;
                }

                int j = 1;
                while (j < needle.Length && haystack[i + j] == needle[j])
                {
                    j++;
                }

                if (j == needle.Length)
                {
                    return true;
                }
            }

            return false;
        }

        private static void CheckRange(byte[] image, long offset, int length, string path)
        {
            if (offset < 0 || offset + length > image.Length)
            {
                throw new InvalidDataException($"'{path}' has an ELF structure that points past the end of the file (offset {offset}).");
            }
        }

        private static ushort ReadU16(byte[] b, int o) => (ushort)(b[o] | (b[o + 1] << 8));

        private static uint ReadU32(byte[] b, int o) => (uint)(b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24));

        private static ulong ReadU64(byte[] b, int o) => ReadU32(b, o) | ((ulong)ReadU32(b, o + 4) << 32);

        private static void WriteU16(byte[] b, int o, ushort v)
        {
            b[o] = (byte)v;
            b[o + 1] = (byte)(v >> 8);
        }
    }
}

#if !DIRECTER_CORE
namespace Directer.Build
{
    /// <summary>MSBuild task: weakens GLIBCXX_3.4.32 in libLibTorchSharp.so copies of a build or publish output.</summary>
    public sealed class PatchLibTorchSharp : Microsoft.Build.Utilities.Task
    {
        /// <summary>The libLibTorchSharp.so files of the output.</summary>
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        /// <inheritdoc />
        public override bool Execute()
        {
            string version = Directer.Core.Runtime.ElfVersionNeedPatcher.TorchSharpMissingVersion;
            if (Directer.Core.Runtime.ElfVersionNeedPatcher.SystemLibStdCxxProvides(version))
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "Directer: the system libstdc++ provides " + version + "; libLibTorchSharp.so left as it is.");
                return true;
            }

            foreach (var item in Files)
            {
                string path = item.ItemSpec;
                try
                {
                    var outcome = Directer.Core.Runtime.ElfVersionNeedPatcher.MakeVersionWeak(path, version);
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, "Directer: " + path + ": " + outcome);
                }
                catch (Exception e)
                {
                    Log.LogError("Directer: could not mark " + version + " weak in '" + path + "': " + e.Message);
                }
            }

            return !Log.HasLoggedErrors;
        }
    }
}
#endif
