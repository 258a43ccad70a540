namespace Directer.Core.Tokenization;

/// <summary>
/// A token matched verbatim in the input before the model sees the text (Hugging Face <c>added_tokens</c>):
/// special tokens such as <c>&lt;|im_end|&gt;</c> and non-special ones such as <c>&lt;tool_call&gt;</c>.
/// </summary>
/// <param name="Id">Token id.</param>
/// <param name="Content">The text that is matched and that the token decodes to.</param>
/// <param name="Special">Whether the token is special (skipped by <c>skipSpecialTokens</c> decoding and by streaming).</param>
/// <param name="LStrip">Whether the match swallows whitespace on its left.</param>
/// <param name="RStrip">Whether the match swallows whitespace on its right.</param>
/// <param name="SingleWord">Whether the token only matches when it is not glued to word characters.</param>
/// <param name="Normalized">Whether the token is matched against the normalized text rather than the raw text.</param>
internal sealed record AddedToken(int Id, string Content, bool Special, bool LStrip, bool RStrip, bool SingleWord, bool Normalized);
