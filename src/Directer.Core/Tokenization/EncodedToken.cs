namespace Directer.Core.Tokenization;

/// <summary>
/// One token of an encoding with the UTF-16 character range of the input text it covers. A byte-level token that
/// covers only part of a multi-byte character covers that whole character; tokens the tokenizer adds on its own
/// (BOS/EOS from <c>addSpecialTokens</c>, a SentencePiece dummy-prefix piece) have an empty range.
/// </summary>
/// <param name="Id">Token id.</param>
/// <param name="Start">First UTF-16 index in the input text (inclusive).</param>
/// <param name="End">Last UTF-16 index in the input text (exclusive).</param>
public readonly record struct EncodedToken(int Id, int Start, int End);
