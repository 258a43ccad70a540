namespace Directer.Training.Data;

/// <summary>
/// A conversation rendered with the chat template, plus the character ranges the model is trained to
/// produce (assistant replies including their closing &lt;|im_end|&gt;).
/// </summary>
internal sealed record RenderedChat(string Text, IReadOnlyList<(int Start, int End)> TrainableRanges);
