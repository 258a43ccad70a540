namespace Directer.Core.Modeling.Kernels;

/// <summary>Work split across <see cref="KernelThreads"/>: part <c>p</c> of <c>parts</c>.</summary>
internal interface IParallelJob
{
    void Execute(int part, int parts);
}

/// <summary>
/// Persistent workers, one per core (the caller is part 0), for the decode kernels: a dozen
/// parallel operations per layer are too short for a task or a thread-pool item each. Between two
/// jobs of a pass the caller runs a few microseconds of serial work (norms, rotary), too short for a
/// sleeping thread to wake in time, so a worker spins on the job counter for a while
/// (<see cref="DefaultSpin"/>) before it sleeps on its own semaphore; the caller spins until the others are done.
/// </summary>
internal sealed class KernelThreads : IDisposable
{
    private readonly Thread[] workers;
    private readonly SemaphoreSlim[] starts;
    private readonly int[] asleep;
    private IParallelJob? job;
    private int generation;
    private int pending;
    private Exception? failure;
    private volatile bool disposed;

    /// <param name="count">Parts (workers plus the caller).</param>
    /// <param name="spin">How long an idle worker spins before it sleeps (<see cref="DefaultSpin"/> when null; zero: it sleeps at once).</param>
    public KernelThreads(int count, TimeSpan? spin = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        spinTicks = (long)((spin ?? DefaultSpin).TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        Count = count;
        workers = new Thread[count - 1];
        starts = new SemaphoreSlim[count - 1];
        asleep = new int[count - 1];
        for (int w = 0; w < workers.Length; w++)
        {
            int part = w + 1;
            starts[w] = new SemaphoreSlim(0);
            workers[w] = new Thread(() => Work(part)) { IsBackground = true, Name = $"directer-kernel-{part}" };
            workers[w].Start();
        }
    }

    /// <summary>How long an idle worker spins by default before sleeping: longer than the serial work between two jobs of a pass, far shorter than a step.</summary>
    public static readonly TimeSpan DefaultSpin = TimeSpan.FromMicroseconds(200);

    private readonly long spinTicks;

    /// <summary>Number of parts a job is split into (workers plus the caller).</summary>
    public int Count { get; }

    /// <summary>Runs <paramref name="work"/> on every part and returns when all are done.</summary>
    public void Run(IParallelJob work)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (Count == 1)
        {
            work.Execute(0, 1);
            return;
        }

        job = work;
        failure = null;
        Volatile.Write(ref pending, Count - 1);
        Interlocked.Increment(ref generation);
        for (int w = 0; w < starts.Length; w++)
        {
            if (Interlocked.Exchange(ref asleep[w], 0) == 1)
            {
                starts[w].Release();
            }
        }

        work.Execute(0, Count);
        var spin = default(SpinWait);
        while (Volatile.Read(ref pending) != 0)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }

        job = null;
        if (failure is { } e)
        {
            throw new InvalidOperationException("A decode kernel failed on a worker thread.", e);
        }
    }

    private void Work(int part)
    {
        var start = starts[part - 1];
        int seen = 0;
        while (true)
        {
            seen = WaitForJob(part - 1, seen);
            if (disposed)
            {
                return;
            }

            try
            {
                job!.Execute(part, Count);
            }
            catch (Exception e)
            {
                failure = e;
            }

            Interlocked.Decrement(ref pending);
        }
    }

    /// <summary>
    /// Spins until the job counter moves past <paramref name="seen"/>, sleeping on the worker's semaphore after the spin
    /// time. The spin yields now and then (<see cref="SpinWait"/>), so on an oversubscribed machine it gives the core to
    /// whoever needs it rather than burn the caller's time slice.
    /// </summary>
    private int WaitForJob(int w, int seen)
    {
        long until = System.Diagnostics.Stopwatch.GetTimestamp() + spinTicks;
        var spinner = default(SpinWait);
        while (true)
        {
            int now = Volatile.Read(ref generation);
            if (now != seen || disposed)
            {
                return now;
            }

            if (System.Diagnostics.Stopwatch.GetTimestamp() < until)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
                continue;
            }

            // Announce the sleep, then look again: a job published in between either sees the flag (and releases) or is seen here.
            // A full fence between the two (not Volatile.Write: x86 lets a load pass an earlier store, so the look could read
            // the old generation while Run, which publishes with full fences, still reads the flag as 0: nobody releases the
            // worker and Run spins forever; a 20-minute spin of a test host under heavy load fits this).
            Interlocked.Exchange(ref asleep[w], 1);
            now = Volatile.Read(ref generation);
            if ((now != seen || disposed) && Interlocked.Exchange(ref asleep[w], 0) == 1)
            {
                return now;
            }

            starts[w].Wait();
            until = System.Diagnostics.Stopwatch.GetTimestamp() + spinTicks;
            spinner.Reset();
        }
    }

    /// <summary>The contiguous share [start, end) of <paramref name="total"/> items for a part, in multiples of <paramref name="grain"/>.</summary>
    public static (int Start, int End) Share(int total, int part, int parts, int grain)
    {
        int blocks = (total + grain - 1) / grain;
        int start = (int)((long)blocks * part / parts) * grain;
        int end = (int)((long)blocks * (part + 1) / parts) * grain;
        return (Math.Min(start, total), Math.Min(end, total));
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        foreach (var s in starts)
        {
            s.Release();
        }

        foreach (var w in workers)
        {
            w.Join();
        }

        foreach (var s in starts)
        {
            s.Dispose();
        }
    }

    /// <summary>Whether worker <paramref name="part"/> (1 ≤ part &lt; <see cref="Count"/>) has announced that it sleeps: what the spin-time tests observe.</summary>
    internal bool IsAsleep(int part) => Volatile.Read(ref asleep[part - 1]) == 1;

    /// <summary>Releases of worker <paramref name="part"/>'s semaphore it has not taken yet: 0 once a job it slept through has run (tests).</summary>
    internal int WakeUpsPending(int part) => starts[part - 1].CurrentCount;
}
