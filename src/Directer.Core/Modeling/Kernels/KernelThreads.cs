namespace Directer.Core.Modeling.Kernels;

/// <summary>Work split across <see cref="KernelThreads"/>: part <c>p</c> of <c>parts</c>.</summary>
internal interface IParallelJob
{
    void Execute(int part, int parts);
}

/// <summary>
/// Persistent workers, one per core (the caller is part 0), for the decode kernels: a dozen
/// parallel operations per layer are too short for a task or a thread-pool item each, so each
/// worker waits on its own semaphore (which spins briefly before sleeping) and the caller spins
/// until the others are done.
/// </summary>
internal sealed class KernelThreads : IDisposable
{
    private readonly Thread[] workers;
    private readonly SemaphoreSlim[] starts;
    private IParallelJob? job;
    private int pending;
    private Exception? failure;
    private volatile bool disposed;

    public KernelThreads(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        Count = count;
        workers = new Thread[count - 1];
        starts = new SemaphoreSlim[count - 1];
        for (int w = 0; w < workers.Length; w++)
        {
            int part = w + 1;
            starts[w] = new SemaphoreSlim(0);
            workers[w] = new Thread(() => Work(part)) { IsBackground = true, Name = $"directer-kernel-{part}" };
            workers[w].Start();
        }
    }

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
        foreach (var s in starts)
        {
            s.Release();
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
        while (true)
        {
            start.Wait();
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
}
