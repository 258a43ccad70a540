using Directer.Bench;
using Directer.Core.Modeling;
using Directer.Core.Runtime;


// dotnet run -c Release --project bench/Directer.Bench -- [peer|kernels|directer|runtime|steering|constraint|all] [--quick] [--out FILE]
TorchRuntime.EnsureInitialized();
string what = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
bool quick = args.Contains("--quick");
int outIndex = Array.IndexOf(args, "--out");
string? outFile = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : null;
string root = Path.Combine(Path.GetTempPath(), "directer-bench");
string checkpoint = BenchModel.EnsureWritten(root);
var report = new System.Text.StringBuilder();
report.AppendLine($"# Directer benchmark ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
report.AppendLine();
if (what is "peer" or "all")
{
    report.AppendLine("## Directer beside llama.cpp on the same weights (same run)");
    report.AppendLine();
    report.AppendLine(Directer.Bench.Peer.PeerBenchmark.Run(checkpoint, root, quick, threads: Math.Min(2, Environment.ProcessorCount)));
}

if (what is "kernels" or "all")
{
    report.AppendLine("## Decode kernels: cost of a k-row pass (same run)");
    report.AppendLine();
    report.AppendLine(KernelBenchmark.Run(checkpoint, quick, threads: Math.Min(2, Environment.ProcessorCount)));
}

if (what is "directer" or "all")
{
    report.AppendLine("## DIRECTER against plain greedy, every strategy (same run)");
    report.AppendLine();
    report.AppendLine(await DirecterCostBenchmark.RunAsync(checkpoint, quick, threads: Math.Min(2, Environment.ProcessorCount)));
}

if (what is "runtime" or "all")
{
    report.AppendLine("## Runtime: decode and prefill throughput vs the memory-bandwidth roofline");
    report.AppendLine();
    report.AppendLine(await RuntimeBenchmark.RunAsync(checkpoint, quick));
}

if (what is "steering" or "all")
{
    report.AppendLine("## Steering: throughput and cost against plain greedy (same run)");
    report.AppendLine();
    report.AppendLine(await SteeringBenchmark.RunAsync(checkpoint, ComputeDType.Float32, quick));
}

if (what is "constraint" or "all")
{
    report.AppendLine("## Constrained tool calls: mask cost and decode throughput (same run)");
    report.AppendLine();
    report.AppendLine(await ConstraintBenchmark.RunAsync(root, quick));
}

Console.WriteLine(report);
if (outFile is not null)
{
    File.WriteAllText(outFile, report.ToString());
}
