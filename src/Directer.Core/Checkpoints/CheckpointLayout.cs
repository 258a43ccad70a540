namespace Directer.Core.Checkpoints;

/// <summary>
/// The Hugging Face tensor names and shapes of a Llama-family checkpoint (Llama, Mistral, Qwen2, Qwen3, Phi-3), as
/// config.json implies them. Shared by the loader (to check a checkpoint) and by tools that write checkpoints.
/// </summary>
public static class CheckpointLayout
{
    /// <summary>The embedding table, <c>[vocab_size, hidden_size]</c>.</summary>
    public const string EmbedTokens = "model.embed_tokens.weight";

    /// <summary>The final RMSNorm weight, <c>[hidden_size]</c>.</summary>
    public const string FinalNorm = "model.norm.weight";

    /// <summary>The LM head, <c>[vocab_size, hidden_size]</c>; absent when the embeddings are tied.</summary>
    public const string LmHead = "lm_head.weight";

    /// <summary>The name prefix of one decoder layer, e.g. <c>model.layers.3.</c>.</summary>
    /// <param name="layer">Layer index, 0-based.</param>
    public static string LayerPrefix(int layer) => $"model.layers.{layer}.";

    /// <summary>Every tensor the checkpoint must hold, in a stable order (embeddings, layers in order, norm, head).</summary>
    /// <param name="config">The model configuration.</param>
    public static IReadOnlyList<ExpectedTensor> For(ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        long hidden = config.HiddenSize;
        long query = config.QueryDim;
        long keyValue = config.KeyValueDim;
        long intermediate = config.IntermediateSize;
        var list = new List<ExpectedTensor> { new(EmbedTokens, [config.VocabSize, hidden]) };
        for (int i = 0; i < config.NumHiddenLayers; i++)
        {
            string p = LayerPrefix(i);
            list.Add(new(p + "input_layernorm.weight", [hidden]));
            if (config.FusedProjections)
            {
                list.Add(new(p + "self_attn.qkv_proj.weight", [query + (2 * keyValue), hidden]));
            }
            else
            {
                list.Add(new(p + "self_attn.q_proj.weight", [query, hidden]));
                list.Add(new(p + "self_attn.k_proj.weight", [keyValue, hidden]));
                list.Add(new(p + "self_attn.v_proj.weight", [keyValue, hidden]));
            }

            if (config.QueryKeyNorm)
            {
                list.Add(new(p + "self_attn.q_norm.weight", [config.HeadDim]));
                list.Add(new(p + "self_attn.k_norm.weight", [config.HeadDim]));
            }

            if (config.AttentionQkvBias)
            {
                list.Add(new(p + "self_attn.q_proj.bias", [query]));
                list.Add(new(p + "self_attn.k_proj.bias", [keyValue]));
                list.Add(new(p + "self_attn.v_proj.bias", [keyValue]));
            }

            list.Add(new(p + "self_attn.o_proj.weight", [hidden, query]));
            if (config.AttentionOutputBias)
            {
                list.Add(new(p + "self_attn.o_proj.bias", [hidden]));
            }

            list.Add(new(p + "post_attention_layernorm.weight", [hidden]));
            if (config.FusedProjections)
            {
                list.Add(new(p + "mlp.gate_up_proj.weight", [2 * intermediate, hidden]));
            }
            else
            {
                list.Add(new(p + "mlp.gate_proj.weight", [intermediate, hidden]));
                list.Add(new(p + "mlp.up_proj.weight", [intermediate, hidden]));
            }

            list.Add(new(p + "mlp.down_proj.weight", [hidden, intermediate]));
            if (config.MlpBias)
            {
                list.Add(new(p + "mlp.gate_proj.bias", [intermediate]));
                list.Add(new(p + "mlp.up_proj.bias", [intermediate]));
                list.Add(new(p + "mlp.down_proj.bias", [hidden]));
            }
        }

        list.Add(new(FinalNorm, [hidden]));
        if (!config.TieWordEmbeddings)
        {
            list.Add(new(LmHead, [config.VocabSize, hidden]));
        }

        return list;
    }
}
