using Directer.Training.Data;
using Directer.Training.Evaluation;
using Directer.Training.Tokenization;
using TorchSharp;

namespace Directer.Training.Commands;

/// <summary>
/// `eval`: greedy, unsteered evaluation of a checkpoint written by `train` on the held-out set, using this
/// tool's own forward pass (a quick check; the project's evaluation runs through Directer.Core).
/// </summary>
internal static class EvalCommand
{
    public static int Run(Options o)
    {
        string dir = o.Required("model");
        int perGroup = o.Int("per-group", 20);
        bool show = (o.String("show") ?? "false") == "true";
        int threads = o.Int("threads", 2);
        o.EnsureAllUsed();
        torch.InitializeDeviceType(DeviceType.CPU);
        torch.set_num_threads(threads);
        var vocab = HfTokenizerFiles.Read(Path.Combine(dir, "tokenizer.json"));
        using var model = LogitsCommand.Load(dir);
        var rows = QuickEvaluation.Stratified(EvalSetBuilder.Build(EvalSetBuilder.DefaultSeed, 120, 60, 20), perGroup);
        Console.WriteLine($"greedy evaluation of {dir} on {rows.Count} held-out rows (no steering):");
        QuickEvaluation.Run(model, vocab, rows, Console.Out, showReplies: show);
        return 0;
    }
}
