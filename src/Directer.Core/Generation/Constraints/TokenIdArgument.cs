namespace Directer.Core.Generation.Constraints;

/// <summary>
/// The check each constraint's <c>Accept</c> makes first. An id below 0 is no token, and −1 is also what a constraint
/// holds for "this tokenizer has no such token" (an opener or a tag), so letting it through matched that absent token.
/// </summary>
internal static class TokenIdArgument
{
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tokenId"/> is below 0.</exception>
    public static void RequireNotNegative(int tokenId)
    {
        if (tokenId < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(tokenId), tokenId, $"Token id {tokenId} is below 0; token ids start at 0.");
        }
    }
}
