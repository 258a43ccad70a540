namespace Directer.Core.Checkpoints;

/// <summary>The first check of every load: the checkpoint path is an existing folder (not a file, not missing).</summary>
internal static class CheckpointFolder
{
    /// <summary>Throws a <see cref="CheckpointException"/> that says what the path is when it is not a folder.</summary>
    public static void Require(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string full = Path.GetFullPath(directory);
        if (File.Exists(full))
        {
            throw new CheckpointException(
                $"Checkpoint path '{full}' is a file; pass the checkpoint folder that holds config.json, the *.safetensors weights and the tokenizer files (for '{Path.GetFileName(full)}', its folder '{Path.GetDirectoryName(full)}').",
                full);
        }

        if (!Directory.Exists(full))
        {
            throw new CheckpointException(
                $"Checkpoint folder '{full}' does not exist (a checkpoint is a folder holding config.json, *.safetensors weights and tokenizer files).",
                full);
        }
    }
}
