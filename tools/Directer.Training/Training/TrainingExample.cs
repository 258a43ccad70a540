using Directer.Training.Data;
using Directer.Training.Tokenization;

namespace Directer.Training.Training;

/// <summary>
/// A tokenized conversation: token ids and, per token, whether the model is trained to produce it
/// (assistant replies and their closing &lt;|im_end|&gt;; never the prompt, tool results or headers).
/// </summary>
internal sealed record TrainingExample(int[] Ids, bool[] Trainable)
{
    public int Length => Ids.Length;

    /// <summary>
    /// Whether some token after the first is trainable, i.e. the example has a next-token target at all; truncation
    /// can cut every assistant token, and such an example teaches nothing.
    /// </summary>
    public bool HasTarget => Trainable.Length > 1 && Trainable.AsSpan(1).Contains(true);

    /// <summary>Renders and tokenizes <paramref name="conversation"/>, truncating to <paramref name="maxLength"/> tokens.</summary>
    /// <exception cref="InvalidOperationException">An assistant span does not start or end on a token boundary.</exception>
    public static TrainingExample From(GeneratedConversation conversation, BpeVocabulary vocab, int maxLength)
    {
        var rendered = ChatMlRenderer.Render(conversation.Messages, conversation.Tools);
        var tokens = vocab.EncodeWithOffsets(rendered.Text);
        var trainable = new bool[tokens.Count];
        foreach (var (start, end) in rendered.TrainableRanges)
        {
            bool startsOnBoundary = false;
            bool endsOnBoundary = end == rendered.Text.Length;
            for (int i = 0; i < tokens.Count; i++)
            {
                int offset = tokens[i].Offset;
                startsOnBoundary |= offset == start;
                endsOnBoundary |= offset == end;
                if (offset >= start && offset < end)
                {
                    trainable[i] = true;
                }
            }

            if (!startsOnBoundary || !endsOnBoundary)
            {
                throw new InvalidOperationException($"Assistant span [{start}, {end}) does not fall on token boundaries in: {rendered.Text}");
            }
        }

        int n = Math.Min(tokens.Count, maxLength);
        return new TrainingExample(tokens.Take(n).Select(t => t.Id).ToArray(), trainable.Take(n).ToArray());
    }
}
