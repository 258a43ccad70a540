using Directer.Core.Chat;
using Directer.Core.Modeling;

namespace Directer.SemanticKernel;

/// <summary>Options of a Directer chat service registration.</summary>
public sealed class DirecterConnectorOptions
{
    /// <summary>The Hugging Face checkpoint folder (config.json, *.safetensors, tokenizer files).</summary>
    public string ModelPath { get; set; } = string.Empty;

    /// <summary>Chat template to force; null = detected from the checkpoint.</summary>
    public string? ChatTemplate { get; set; }

    /// <summary>Compute dtype.</summary>
    public ComputeDType DType { get; set; } = ComputeDType.Float32;

    /// <summary>Torch device ("cpu", or "cuda" with the CUDA build).</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>CPU threads for torch; null = torch's choice.</summary>
    public int? Threads { get; set; }

    /// <summary>Context size of the KV cache; null = the model's default.</summary>
    public int? MaxSequenceLength { get; set; }

    /// <summary>Defaults for requests that do not say (steering, system emphasis, token budget).</summary>
    public DirecterRequestDefaults Defaults { get; set; } = new();

    internal ChatModelOptions ToChatModelOptions() => new()
    {
        ChatTemplate = ChatTemplate,
        Model = new ModelOptions { DType = DType, Device = Device, Threads = Threads, MaxSequenceLength = MaxSequenceLength },
    };

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(ModelPath))
        {
            throw new ArgumentException("DirecterConnectorOptions.ModelPath is required: the checkpoint folder to load.");
        }
    }
}
