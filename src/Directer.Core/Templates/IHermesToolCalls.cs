namespace Directer.Core.Templates;

/// <summary>Marks a template whose tool calls are Hermes <c>&lt;tool_call&gt;</c> blocks (what
/// <see cref="Generation.Constraints.ToolCallConstraint"/> can constrain).</summary>
internal interface IHermesToolCalls
{
}
