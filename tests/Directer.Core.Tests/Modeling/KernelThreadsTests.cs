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
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60)));
        Assert.True(finished == run, $"Run did not return: a hand-off was lost after {Interlocked.Read(ref job.Runs[1])} of {jobs} jobs on part 1");
        await run;
        for (int part = 0; part < threads; part++)
        {
            Assert.Equal(jobs, job.Runs[part]);
        }
    }
}
