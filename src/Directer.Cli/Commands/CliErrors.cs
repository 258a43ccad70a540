using Directer.Core.Checkpoints;
using Directer.Core.Modeling;
using Directer.Core.Emphasis;
using Directer.Core.Templates;
using Directer.Core.Tokenization;

namespace Directer.Cli.Commands;

/// <summary>Which exceptions are the user's to fix (bad arguments, files, checkpoints): printed as one line and exit code 2, not a stack trace.</summary>
internal static class CliErrors
{
    public const int UsageExitCode = 2;

    /// <summary>The model itself failed (non-finite logits): not the user's arguments.</summary>
    public const int ModelFailureExitCode = 3;

    public static bool IsUsageError(Exception e) => e is CheckpointException or ArgumentException or FormatException or ContextLengthExceededException or IOException
        or UnauthorizedAccessException or TokenizerLoadException or ChatTemplateException or EmphasisNotFoundException;
}
