using System.Text.RegularExpressions;

namespace Directer.Evaluation.IfEval;

/// <summary><c>detectable_format:number_bullet_lists</c>: exactly <c>num_bullets</c> lines matching
/// <c>^\s*\*[^\*].*$</c> (a <c>*</c> bullet, so <c>**bold**</c> lines do not count) plus lines matching
/// <c>^\s*-.*$</c> (a <c>-</c> bullet, with or without a space; also <c>---</c> rules).</summary>
internal sealed partial class BulletListChecker : IInstructionChecker
{
    private readonly int _bullets;

    public BulletListChecker(InstructionKwargs kwargs) => _bullets = kwargs.Int("num_bullets");

    public string InstructionId => IfEvalInstructions.FormatNumberBulletLists;

    [GeneratedRegex("^" + PyText.SpaceClass + @"*\*[^\*].*$", RegexOptions.Multiline)]
    private static partial Regex StarBullet();

    [GeneratedRegex("^" + PyText.SpaceClass + "*-.*$", RegexOptions.Multiline)]
    private static partial Regex DashBullet();

    public bool IsFollowed(string response) => StarBullet().Count(response) + DashBullet().Count(response) == _bullets;
}
