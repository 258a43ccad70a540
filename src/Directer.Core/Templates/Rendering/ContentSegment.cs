namespace Directer.Core.Templates;

/// <summary>A run of the rendered prompt that is a verbatim copy of a turn's content (as opposed to template
/// scaffolding): characters <c>[ContentStart, ContentStart + Length)</c> of turn <c>TurnIndex</c>'s content sit at
/// <c>[OutputStart, OutputStart + Length)</c> of the prompt.</summary>
internal readonly record struct ContentSegment(int TurnIndex, int ContentStart, int OutputStart, int Length);
