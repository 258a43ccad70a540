using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;

namespace Directer.Core.Runtime;

/// <summary>
/// Uninitialised CPU tensors for weights, whose storage (from 2 MiB up, on Linux) starts on a 2 MiB boundary of an
/// anonymous mapping advised for transparent huge pages (<c>MADV_HUGEPAGE</c>), so that every whole 2 MiB of it can be
/// one huge page. Why: a decode step streams every weight once, and with 4 KiB pages the read stalls on TLB misses and
/// on the hardware prefetchers, which stop at every 4 KiB page edge. Measured on the development machine (Zen 4,
/// 2 threads, 512 MiB summed): 44 GB/s on 4 KiB pages, 59 GB/s on huge pages; the bench model's decode 1.12× (f32) and
/// 1.09× (bf16) faster than the same weights on 4 KiB pages in the same rounds, 1.37× in a quiet harness
/// (bench/RESULTS.md). libtorch's own allocator does this only when the process starts with
/// <c>THP_MEM_ALLOC_ENABLE=1</c>, which a library cannot set for its host.
/// </summary>
/// <remarks>
/// Values are never touched here: a tensor reads what it reads either way, only the page size differs. Where huge
/// pages cannot be had (another OS, a size under 2 MiB that is not packed, a failed mapping) the tensor is
/// <c>torch.empty</c>'s. Packed tensors under 2 MiB share slabs of <see cref="SlabBytes"/>. The
/// kernel backs only whole 2 MiB extents with huge pages; the rest of a mapping stays in 4 KiB pages, so resident
/// memory grows by less than 2 MiB per tensor at most, and only for the pages written.
/// </remarks>
internal static unsafe partial class HugePageTensors
{
    /// <summary>The huge page size of x86-64 and of arm64 with 4 KiB base pages.</summary>
    public const long HugePageBytes = 2L * 1024 * 1024;

    private const long BasePageBytes = 4096;
    private const int ProtReadWrite = 0x1 | 0x2;
    private const int MapPrivateAnonymous = 0x02 | 0x20;
    private const int MadviseHugePage = 14;

    // Mapping start → mapped length, for the deleter libtorch calls when the last tensor over the storage goes.
    private static readonly ConcurrentDictionary<nint, nuint> Mappings = new();

    /// <summary>
    /// Tensors from this size up to 2 MiB, when packed (<see cref="Empty"/> with a <see cref="Packing"/>), share huge-page-advised slabs:
    /// alone each would be under one whole huge page and stay on 4 KiB pages.
    /// </summary>
    public const long PackedMinimumBytes = 64 * 1024;

    /// <summary>Size of a slab that packed tensors share, a whole number of huge pages.</summary>
    public const long SlabBytes = 16 * HugePageBytes;

    private static readonly Lock SlabLock = new();

    // Packed tensor start → its slab, for the deleter.
    private static readonly ConcurrentDictionary<nint, Slab> Packed = new();

    /// <summary>Off: every tensor is <c>torch.empty</c>'s (the bench's side-by-side row on 4 KiB pages sets it per model load).</summary>
    internal static bool Enabled { get; set; } = true;

    /// <summary>Whether <paramref name="start"/> is a mapping made here and not yet returned (tests check that disposal returns it).</summary>
    internal static bool IsMapped(nint start) => Mappings.ContainsKey(start);

    /// <summary>The slab mapping a packed tensor at <paramref name="start"/> lives in, or 0 (tests).</summary>
    internal static nint SlabOf(nint start) => Packed.TryGetValue(start, out var slab) ? (nint)slab.Start : 0;

    /// <summary>
    /// An uninitialised contiguous CPU tensor; on huge-page-advised memory where possible (see the class). With a
    /// <paramref name="packing"/>, a tensor of <see cref="PackedMinimumBytes"/> up to 2 MiB goes into a slab shared with
    /// that packing's other tensors (4 KiB-aligned), returned when the last tensor over it goes: for weights that live
    /// and die together (one model's matrices), not for temporaries, whose freed space a slab does not reuse.
    /// </summary>
    public static torch.Tensor Empty(long[] shape, torch.ScalarType dtype, Packing? packing = null)
    {
        long elements = shape.Aggregate(1L, (a, b) => a * b);
        long bytes = elements * ElementBytes(dtype);
        if (!Enabled || !OperatingSystem.IsLinux() || bytes < (packing is null ? HugePageBytes : PackedMinimumBytes))
        {
            return torch.empty(shape, dtype);
        }

        TorchRuntime.EnsureInitialized();
        nuint length = (nuint)((bytes + BasePageBytes - 1) & ~(BasePageBytes - 1));
        if (bytes < HugePageBytes)
        {
            return PackedTensor(packing!, shape, dtype, length);
        }

        byte* start = MapAligned(length);
        if (start == null)
        {
            return torch.empty(shape, dtype);
        }

        // Advice only: a kernel without THP (or with it set to "never") refuses it, and the memory stays usable.
        _ = madvise(start, length, MadviseHugePage);
        Mappings[(nint)start] = length;
        return Over(start, shape, dtype, &Unmap, () => Release((nint)start), length);
    }

    /// <summary>A tensor over <paramref name="length"/> bytes of the packing's open slab (a new slab when it is full).</summary>
    private static torch.Tensor PackedTensor(Packing packing, long[] shape, torch.ScalarType dtype, nuint length)
    {
        Slab slab;
        byte* start;
        lock (SlabLock)
        {
            if (packing.Open is null || packing.Open.Used + (long)length > SlabBytes)
            {
                byte* mapped = MapAligned((nuint)SlabBytes);
                if (mapped == null)
                {
                    return torch.empty(shape, dtype);
                }

                _ = madvise(mapped, (nuint)SlabBytes, MadviseHugePage);
                Mappings[(nint)mapped] = (nuint)SlabBytes;
                packing.Open = new Slab(mapped, packing);
            }

            slab = packing.Open;
            start = slab.Start + slab.Used;
            slab.Used += (long)length;
            slab.Live++;
            Packed[(nint)start] = slab;
        }

        return Over(start, shape, dtype, &UnpackStorage, () => Unpack((nint)start), length);
    }

    /// <summary>libtorch's tensor over memory made here, the deleter called when its storage goes.</summary>
    private static torch.Tensor Over(byte* start, long[] shape, torch.ScalarType dtype, delegate* unmanaged[Cdecl]<IntPtr, void> deleter, Action undo, nuint length)
    {
        IntPtr handle;
        fixed (long* sizes = shape)
        {
            handle = THSTensor_new(start, deleter, sizes, shape.Length, (sbyte)dtype, (sbyte)dtype, 0, 0, false);
        }

        if (handle == IntPtr.Zero)
        {
            undo();
            string error = Marshal.PtrToStringAnsi(THSTorch_get_and_reset_last_err()) ?? "no error text";
            throw new InvalidOperationException($"libtorch refused a [{string.Join(", ", shape)}] {dtype} tensor over a {length}-byte mapping: {error}");
        }

        return torch.Tensor.UnsafeCreateTensor(handle);
    }

    /// <summary>Maps <paramref name="length"/> bytes starting on a 2 MiB boundary, or null: maps 2 MiB more and returns the ends.</summary>
    private static byte* MapAligned(nuint length)
    {
        nuint padded = length + (nuint)HugePageBytes;
        nint raw = mmap(0, padded, ProtReadWrite, MapPrivateAnonymous, -1, 0);
        if (raw == -1)
        {
            return null;
        }

        nint aligned = (nint)(((long)raw + HugePageBytes - 1) & ~(HugePageBytes - 1));
        nuint head = (nuint)(aligned - raw);
        nuint tail = padded - head - length;
        if (head > 0)
        {
            _ = munmap(raw, head);
        }

        if (tail > 0)
        {
            _ = munmap(aligned + (nint)length, tail);
        }

        return (byte*)aligned;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Unmap(IntPtr data) => Release(data);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void UnpackStorage(IntPtr data) => Unpack(data);

    /// <summary>A packed tensor's storage goes: its slab goes with its last tensor (an open one too: a later packed tensor maps a new one).</summary>
    private static void Unpack(nint start)
    {
        lock (SlabLock)
        {
            if (!Packed.TryRemove(start, out var slab))
            {
                return;
            }

            if (--slab.Live == 0)
            {
                if (slab.Owner.Open == slab)
                {
                    slab.Owner.Open = null;
                }

                Release((nint)slab.Start);
            }
        }
    }

    /// <summary>Tensors packed together (one model's matrices): they share slabs with each other only.</summary>
    internal sealed class Packing
    {
        /// <summary>The slab new tensors go into (under <see cref="SlabLock"/>).</summary>
        internal Slab? Open { get; set; }
    }

    /// <summary>A huge-page-advised mapping that one packing's tensors share, filled from its start.</summary>
    internal sealed class Slab(byte* start, Packing owner)
    {
        public byte* Start { get; } = start;

        public Packing Owner { get; } = owner;

        public long Used { get; set; }

        public int Live { get; set; }
    }

    private static void Release(nint start)
    {
        if (Mappings.TryRemove(start, out nuint length))
        {
            _ = munmap(start, length);
        }
    }

    // 0 for a type not listed: such a tensor is torch.empty's (never a weight dtype Directer loads).
    private static long ElementBytes(torch.ScalarType dtype) => dtype switch
    {
        torch.ScalarType.Byte or torch.ScalarType.Int8 or torch.ScalarType.Bool => 1,
        torch.ScalarType.Int16 or torch.ScalarType.Float16 or torch.ScalarType.BFloat16 => 2,
        torch.ScalarType.Int32 or torch.ScalarType.Float32 => 4,
        torch.ScalarType.Int64 or torch.ScalarType.Float64 or torch.ScalarType.ComplexFloat32 => 8,
        _ => 0,
    };

    [LibraryImport("libc", EntryPoint = "mmap")]
    private static partial nint mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap")]
    private static partial int munmap(nint address, nuint length);

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int madvise(void* address, nuint length, int advice);

    // TorchSharp's own native entry points (LibTorchSharp): torch::from_blob with a deleter, and its error text.
    [LibraryImport("LibTorchSharp")]
    private static partial IntPtr THSTensor_new(
        void* data,
        delegate* unmanaged[Cdecl]<IntPtr, void> deleter,
        long* sizes,
        int dimensions,
        sbyte scalarType,
        sbyte dtype,
        int deviceType,
        int deviceIndex,
        [MarshalAs(UnmanagedType.U1)] bool requiresGrad);

    [LibraryImport("LibTorchSharp")]
    private static partial IntPtr THSTorch_get_and_reset_last_err();
}
