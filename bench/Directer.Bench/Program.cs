using Directer.Bench;
using Directer.Core.Modeling;
using Directer.Core.Runtime;


// dotnet run -c Release --project bench/Directer.Bench -- [all | comma-separated sections: peer,kernels,profile,directer,runtime,steering,constraint,serving] [--quick] [--out FILE]
TorchRuntime.EnsureInitialized();
string what = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
bool quick = args.Contains("--quick");
int outIndex = Array.IndexOf(args, "--out");
string? outFile = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : null;
string root = Path.Combine(Path.GetTempPath(), "directer-bench");
string checkpoint = BenchModel.EnsureWritten(root);
if (what == "rss-child")
{
    Directer.Bench.Peer.PeerBenchmark.RssChild(checkpoint, root, args[1], threads: Math.Min(2, Environment.ProcessorCount));
    return;
}

string[] sections = what.Split(',');
bool Wants(string section) => sections.Contains(section) || sections.Contains("all");
var report = new System.Text.StringBuilder();
report.AppendLine($"# Directer benchmark ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
report.AppendLine();
if (Wants("peer"))
{
    report.AppendLine("## Directer beside llama.cpp on the same weights (same run)");
    report.AppendLine();
    report.AppendLine(Directer.Bench.Peer.PeerBenchmark.Run(checkpoint, root, quick, threads: Math.Min(2, Environment.ProcessorCount)));
    report.AppendLine("### int8 weights: error against float32 (same tokens)");
    report.AppendLine();
    report.AppendLine(Directer.Bench.Peer.PeerBenchmark.Int8Error(checkpoint, Directer.Evaluation.Demo.DemoModel.Find(), threads: Math.Min(2, Environment.ProcessorCount)));
    report.AppendLine("### Peak memory");
    report.AppendLine();
    report.AppendLine(Directer.Bench.Peer.PeerBenchmark.PeakRss(checkpoint));
}

if (sections.Contains("profile"))
{
    report.AppendLine("## Decode step profile: matrix products, thread hand-offs, the rest");
    report.AppendLine();
    report.AppendLine(ProfileBenchmark.Run(checkpoint, quick, threads: Math.Min(2, Environment.ProcessorCount)));
}

if (Wants("kernels"))
{
    report.AppendLine("## Decode kernels: cost of a k-row pass (same run)");
    report.AppendLine();
    report.AppendLine(KernelBenchmark.Run(checkpoint, root, quick, threads: Math.Min(2, Environment.ProcessorCount)));
}

if (Wants("directer"))
{
    report.AppendLine("## DIRECTER against plain greedy, every strategy (same run)");
    report.AppendLine();
    report.AppendLine(await DirecterCostBenchmark.RunAsync(checkpoint, quick, threads: Math.Min(2, Environment.ProcessorCount)));
}

if (Wants("runtime"))
{
    report.AppendLine("## Runtime: decode and prefill throughput vs the memory-bandwidth roofline");
    report.AppendLine();
    report.AppendLine(await RuntimeBenchmark.RunAsync(checkpoint, quick));
}

if (Wants("steering"))
{
    report.AppendLine("## Steering: throughput and cost against plain greedy (same run)");
    report.AppendLine();
    report.AppendLine(await SteeringBenchmark.RunAsync(checkpoint, ComputeDType.Float32, quick));
}

if (Wants("constraint"))
{
    report.AppendLine("## Constrained tool calls: mask cost and decode throughput (same run)");
    report.AppendLine();
    report.AppendLine(await ConstraintBenchmark.RunAsync(root, quick));
}

if (Wants("serving"))
{
    report.AppendLine("## Serving: prefix reuse across a tool round trip, concurrent requests decoded together, memory per slot (same run)");
    report.AppendLine();
    report.AppendLine(await ServingBenchmark.RunAsync(checkpoint, quick, threads: Math.Min(2, Environment.ProcessorCount)));
}

Console.WriteLine(report);
if (outFile is not null)
{
    File.WriteAllText(outFile, report.ToString());
}
