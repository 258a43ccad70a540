namespace Directer.Core.Tokenization;

/// <summary>Which tokenizer family a <see cref="TextTokenizer"/> was loaded as.</summary>
public enum TextTokenizerKind
{
    /// <summary>Byte-level BPE from <c>tokenizer.json</c> (GPT-2, Llama 3.x, Qwen2/2.5, SmolLM2 style).</summary>
    ByteLevelBpe,

    /// <summary>SentencePiece BPE (Llama 2, Mistral 7B, Phi-3, TinyLlama style): a <c>tokenizer.json</c> converted from
    /// SentencePiece (<c>byte_fallback</c>), or <c>tokenizer.model</c> itself.</summary>
    SentencePieceBpe,
}
