using System.CommandLine;
using Directer.Core.Modeling;
using Directer.Core.Templates;

namespace Directer.Cli.Commands;

/// <summary>How a checkpoint is loaded and run (--dtype, --device, --threads, --chat-template), shared by the commands that load one.</summary>
internal sealed class ModelCliOptions
{
    public Option<string> DType { get; } = new("--dtype") { Description = "Compute dtype: f32 or bf16.", DefaultValueFactory = _ => "f32" };

    public Option<string> Device { get; } = new("--device") { Description = "cpu (default) or cuda[:N] (needs the CUDA build).", DefaultValueFactory = _ => "cpu" };

    public Option<int?> Threads { get; } = new("--threads") { Description = "CPU threads for torch (default: torch's choice)." };

    public Option<string?> ChatTemplate { get; } = new("--chat-template") { Description = $"Chat template to force: {string.Join(", ", ChatTemplates.Names)} (default: detected)." };

    public Option<bool> CheckWeights { get; } = new("--check-weights") { Description = "Check every weight for NaN/Inf while loading (slower load; names the broken tensor)." };

    /// <summary>The options, to add to a command.</summary>
    public IEnumerable<Option> All => [ChatTemplate, DType, Threads, Device, CheckWeights];

    /// <summary>The runtime options parsed from <paramref name="result"/>.</summary>
    public ModelOptions Build(ParseResult result) => new()
    {
        DType = ParseDType(result.GetValue(DType)!),
        Device = result.GetValue(Device)!,
        Threads = result.GetValue(Threads),
        CheckWeights = result.GetValue(CheckWeights),
    };

    public static ComputeDType ParseDType(string text) => text.ToLowerInvariant() switch
    {
        "f32" or "float32" or "fp32" => ComputeDType.Float32,
        "bf16" or "bfloat16" => ComputeDType.BFloat16,
        _ => throw new FormatException($"--dtype: '{text}' is not supported; use f32 or bf16."),
    };
}
