using Directer.Core.Modeling.Kernels;

namespace Directer.Core.Tests.Modeling;

/// <summary>
/// The decode kernels' worker hand-off: every job runs on every part exactly once and <see cref="KernelThreads.Run"/>
/// returns, also when the workers go to sleep between jobs (no spin), where a job published while a worker announces
/// its sleep must wake it.
/// </summary>
public sealed class KernelThreadsTests
{
    private sealed class CountingJob : IParallelJob
    {
        public readonly long[] Runs = new long[4];

        public void Execute(int part, int parts) => Interlocked.Increment(ref Runs[part]);
    }

    private sealed class RecordingJob : IParallelJob
    {
        public readonly long[] Runs = new long[4];
        public int Parts;

        public void Execute(int part, int parts)
        {
            Volatile.Write(ref Parts, parts);
            Interlocked.Increment(ref Runs[part]);
        }
    }

    /// <summary>
    /// The hand-off on a few hundred jobs (fast, unlike the stress test below): workers that spin and workers that sleep
    /// between jobs (a pause every few jobs lets a zero-spin worker reach its semaphore), each part run once per job, told
    /// the pool's size, and nothing run on a part the pool does not have.
    /// </summary>
    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 0)]
    [InlineData(3, 0)]
    [InlineData(3, 200)]
    public async Task EachJobRunsOnceOnEveryPartWhetherTheWorkersSpinOrSleep(int threads, int spinMicroseconds)
    {
        using var pool = new KernelThreads(threads, TimeSpan.FromMicroseconds(spinMicroseconds));
        Assert.Equal(threads, pool.Count);
        var job = new RecordingJob();
        const int jobs = 300;
        var run = Task.Run(() =>
        {
            for (int i = 0; i < jobs; i++)
            {
                pool.Run(job);
                Assert.Equal(i + 1, Interlocked.Read(ref job.Runs[0]));
                for (int part = 1; part < threads; part++)
                {
                    Assert.Equal(i + 1, Interlocked.Read(ref job.Runs[part])); // every worker finished before Run returned
                }

                if (i % 50 == 0)
                {
                    Thread.Sleep(2);
                }
            }
        });
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(finished == run, $"Run did not return after {Interlocked.Read(ref job.Runs[0])} of {jobs} jobs");
        await run;
        Assert.Equal(threads, job.Parts);
        Assert.Equal(new long[4].Select((_, part) => part < threads ? (long)jobs : 0), job.Runs);
    }

    /// <summary>Disposing a pool whose workers sleep on their semaphores wakes them and returns once they have ended.</summary>
    [Fact]
    public async Task DisposingWakesSleepingWorkersAndReturns()
    {
        var pool = new KernelThreads(3, TimeSpan.Zero);
        pool.Run(new RecordingJob());
        Thread.Sleep(20); // the workers go to sleep at once (no spin)
        var dispose = Task.Run(pool.Dispose);
        var finished = await Task.WhenAny(dispose, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(finished == dispose, "Dispose did not return: a sleeping worker was not woken");
        await dispose;
    }

    /// <summary>
    /// A disposed pool refuses to run a job, also when its workers were still spinning when it was disposed (a 60 s spin:
    /// none went to sleep, so no semaphore is touched and only the disposed check stands between Run and a wait for
    /// workers that have ended).
    /// </summary>
    [Fact]
    public async Task RunAfterDisposeIsRefusedAlsoWhenNoWorkerWentToSleep()
    {
        var pool = new KernelThreads(2, TimeSpan.FromSeconds(60));
        pool.Dispose();
        var run = Task.Run(() => pool.Run(new RecordingJob()));
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(20)));
        Assert.True(finished == run, "Run on a disposed pool did not return");
        await Assert.ThrowsAsync<ObjectDisposedException>(() => run);
    }

    /// <summary>
    /// A worker that went to sleep really waits on its semaphore and takes the release a job gives it: after each job
    /// none is left over (a worker that only announced its sleep and went on spinning would leave one per job).
    /// </summary>
    [Fact]
    public void ASleepingWorkerTakesTheReleaseOfTheJobThatWakesIt()
    {
        using var pool = new KernelThreads(2, TimeSpan.Zero);
        var job = new RecordingJob();
        for (int i = 0; i < 5; i++)
        {
            Assert.True(SpinWait.SpinUntil(() => pool.IsAsleep(1), TimeSpan.FromSeconds(20)), "the idle worker never went to sleep");
            pool.Run(job);
            Assert.Equal(0, pool.WakeUpsPending(1));
        }

        Assert.Equal(5, job.Runs[1]);
    }

    private sealed class ThreadRecordingJob : IParallelJob
    {
        public string? Name;
        public bool Background;

        public void Execute(int part, int parts)
        {
            if (part == 1)
            {
                Name = Thread.CurrentThread.Name;
                Background = Thread.CurrentThread.IsBackground;
            }
        }
    }

    /// <summary>Workers are named for debuggers and profilers, and are background threads: a pool never disposed does not keep the process alive.</summary>
    [Fact]
    public void WorkersAreNamedBackgroundThreads()
    {
        using var pool = new KernelThreads(2);
        var job = new ThreadRecordingJob();
        pool.Run(job);
        Assert.Equal("directer-kernel-1", job.Name);
        Assert.True(job.Background);
    }

    /// <summary>
    /// A worker still spinning takes a new job at once: with a 15 s spin, two jobs in a row return in well under that
    /// (a worker that only looked for jobs once its spin was over would hold each Run for the rest of the spin).
    /// </summary>
    [Fact]
    public async Task ASpinningWorkerTakesANewJobAtOnce()
    {
        using var pool = new KernelThreads(2, TimeSpan.FromSeconds(15));
        var job = new RecordingJob();
        var run = Task.Run(() =>
        {
            pool.Run(job);
            pool.Run(job);
        });
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(5)));
        Assert.True(finished == run, "two jobs took more than 5 s: the spinning worker did not see them until its 15 s spin was over");
        await run;
        Assert.Equal(2, job.Runs[1]);
    }

    /// <summary>
    /// An idle worker spins for the pool's spin time, then sleeps: 100 ms after a job on a pool whose workers spin 500 ms
    /// it is awake, and it is asleep later. Each try starts from a sleeping worker (the job wakes it); a try whose look
    /// came after 300 ms (a loaded machine) is repeated rather than judged.
    /// </summary>
    [Fact]
    public void AnIdleWorkerSpinsForItsSpinTimeAndThenSleeps()
    {
        var spin = TimeSpan.FromMilliseconds(500);
        using var pool = new KernelThreads(2, spin);
        var job = new RecordingJob();
        bool judged = false;
        for (int attempt = 0; attempt < 20 && !judged; attempt++)
        {
            Assert.True(SpinWait.SpinUntil(() => pool.IsAsleep(1), TimeSpan.FromSeconds(20)), "the idle worker never went to sleep");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            pool.Run(job);
            Thread.Sleep(100);
            bool asleep = pool.IsAsleep(1);
            if (clock.Elapsed < TimeSpan.FromMilliseconds(300))
            {
                judged = true;
                Assert.False(asleep, $"the worker slept {clock.Elapsed.TotalMilliseconds:F0} ms after its job, before its {spin.TotalMilliseconds} ms spin was over");
            }
        }

        Assert.True(judged, "no look within 300 ms of a job in 20 tries");
        Assert.True(SpinWait.SpinUntil(() => pool.IsAsleep(1), TimeSpan.FromSeconds(20)), "the idle worker never went to sleep after its spin");
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(2, 20)]
    [InlineData(3, 0)]
    public async Task EveryPartRunsEveryJobAndNoHandOffIsLost(int threads, int spinMicroseconds)
    {
        using var pool = new KernelThreads(threads, TimeSpan.FromMicroseconds(spinMicroseconds));
        var job = new CountingJob();
        const int jobs = 200_000;
        var run = Task.Run(() =>
        {
            for (int i = 0; i < jobs; i++)
            {
                pool.Run(job);
                if ((i & 1023) == 0)
                {
                    Thread.Yield(); // let a worker fall asleep now and then, at varying points of its announcement
                }
            }
        });
        // A lost hand-off stops every job for good (Run spins forever), while a loaded machine only slows them: fail when
        // no job has finished for 30 s, not after a fixed time (200,000 jobs took over 60 s at a load average of 37).
        long finishedJobs = -1;
        var stalled = System.Diagnostics.Stopwatch.StartNew();
        while (!run.IsCompleted)
        {
            await Task.WhenAny(run, Task.Delay(TimeSpan.FromMilliseconds(200)));
            long now = Interlocked.Read(ref job.Runs[0]);
            if (now != finishedJobs)
            {
                finishedJobs = now;
                stalled.Restart();
            }

            Assert.True(stalled.Elapsed < TimeSpan.FromSeconds(30), $"Run did not return: a hand-off was lost after {now} of {jobs} jobs (none finished for 30 s)");
        }

        await run;
        for (int part = 0; part < threads; part++)
        {
            Assert.Equal(jobs, job.Runs[part]);
        }
    }
}
