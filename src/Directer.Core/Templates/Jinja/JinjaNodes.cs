namespace Directer.Core.Templates.Jinja;

// The syntax tree of a parsed template. Every node carries the template line it starts on, for error messages.

/// <summary>An expression.</summary>
internal abstract record Expr(int Line);

/// <summary>A constant (string, integer, float, boolean, none).</summary>
internal sealed record LiteralExpr(int Line, object? Value) : Expr(Line);

/// <summary>A variable.</summary>
internal sealed record NameExpr(int Line, string Name) : Expr(Line);

/// <summary><c>[a, b]</c>.</summary>
internal sealed record ListExpr(int Line, Expr[] Items) : Expr(Line);

/// <summary><c>(a, b)</c>: a tuple (held as an immutable list).</summary>
internal sealed record TupleExpr(int Line, Expr[] Items) : Expr(Line);

/// <summary><c>{k: v}</c>.</summary>
internal sealed record DictExpr(int Line, (Expr Key, Expr Value)[] Items) : Expr(Line);

/// <summary><c>obj.name</c>.</summary>
internal sealed record AttrExpr(int Line, Expr Target, string Name) : Expr(Line);

/// <summary><c>obj[index]</c>.</summary>
internal sealed record ItemExpr(int Line, Expr Target, Expr Index) : Expr(Line);

/// <summary><c>obj[start:stop:step]</c>.</summary>
internal sealed record SliceExpr(int Line, Expr Target, Expr? Start, Expr? Stop, Expr? Step) : Expr(Line);

/// <summary>Call arguments.</summary>
internal sealed record Arguments(Expr[] Positional, (string Name, Expr Value)[] Named)
{
    /// <summary>No arguments.</summary>
    public static readonly Arguments None = new([], []);
}

/// <summary><c>f(args)</c>.</summary>
internal sealed record CallExpr(int Line, Expr Callee, Arguments Args) : Expr(Line);

/// <summary><c>value | name(args)</c>; a null value stands for a filter block's body.</summary>
internal sealed record FilterExpr(int Line, Expr? Value, string Name, Arguments Args) : Expr(Line);

/// <summary><c>value is [not] name args</c>.</summary>
internal sealed record TestExpr(int Line, Expr Value, string Name, Arguments Args, bool Negated) : Expr(Line);

/// <summary><c>not x</c>, <c>-x</c>, <c>+x</c>.</summary>
internal sealed record UnaryExpr(int Line, string Op, Expr Operand) : Expr(Line);

/// <summary>Arithmetic, <c>~</c>, <c>and</c>, <c>or</c>.</summary>
internal sealed record BinaryExpr(int Line, string Op, Expr Left, Expr Right) : Expr(Line);

/// <summary>A comparison chain: <c>a &lt; b == c</c>, <c>in</c>, <c>not in</c>.</summary>
internal sealed record CompareExpr(int Line, Expr First, (string Op, Expr Operand)[] Rest) : Expr(Line);

/// <summary><c>a if cond else b</c>.</summary>
internal sealed record ConditionalExpr(int Line, Expr Condition, Expr Then, Expr? Else) : Expr(Line);

/// <summary>A statement.</summary>
internal abstract record Stmt(int Line);

/// <summary>Literal template text.</summary>
internal sealed record DataStmt(int Line, string Text) : Stmt(Line);

/// <summary><c>{{ expr }}</c>.</summary>
internal sealed record PrintStmt(int Line, Expr Value) : Stmt(Line);

/// <summary><c>{% if %}…{% elif %}…{% else %}…{% endif %}</c>.</summary>
internal sealed record IfStmt(int Line, (Expr Condition, Stmt[] Body)[] Branches, Stmt[] Else) : Stmt(Line);

/// <summary><c>{% for targets in iterable if filter %}…{% else %}…{% endfor %}</c>.</summary>
internal sealed record ForStmt(int Line, string[] Targets, Expr Iterable, Expr? Filter, Stmt[] Body, Stmt[] Else) : Stmt(Line);

/// <summary><c>{% set a = x %}</c>, <c>{% set a, b = x %}</c>, <c>{% set ns.attr = x %}</c>.</summary>
internal sealed record SetStmt(int Line, string[] Targets, string? Attribute, Expr Value) : Stmt(Line);

/// <summary><c>{% set a | filter %}…{% endset %}</c>.</summary>
internal sealed record SetBlockStmt(int Line, string Target, FilterExpr[] Filters, Stmt[] Body) : Stmt(Line);

/// <summary><c>{% macro name(params) %}…{% endmacro %}</c>.</summary>
internal sealed record MacroStmt(int Line, string Name, string[] Parameters, Expr?[] Defaults, Stmt[] Body) : Stmt(Line);

/// <summary><c>{% call(params) macro(args) %}…{% endcall %}</c>.</summary>
internal sealed record CallBlockStmt(int Line, CallExpr Call, string[] Parameters, Expr?[] Defaults, Stmt[] Body) : Stmt(Line);

/// <summary><c>{% filter name %}…{% endfilter %}</c>.</summary>
internal sealed record FilterBlockStmt(int Line, FilterExpr[] Filters, Stmt[] Body) : Stmt(Line);

/// <summary><c>{% break %}</c>.</summary>
internal sealed record BreakStmt(int Line) : Stmt(Line);

/// <summary><c>{% continue %}</c>.</summary>
internal sealed record ContinueStmt(int Line) : Stmt(Line);
