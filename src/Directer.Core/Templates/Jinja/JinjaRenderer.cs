using System.Numerics;
using System.Text;

namespace Directer.Core.Templates.Jinja;

/// <summary>Executes a parsed template against variables, writing into one <see cref="JinjaOutput"/>.</summary>
internal sealed class JinjaRenderer
{
    private enum Flow
    {
        Normal,
        Break,
        Continue,
    }

    private readonly Func<string, string> strftimeNow;
    private readonly Func<string, string> describeRefusal;
    private JinjaOutput output;

    /// <summary>Creates a renderer.</summary>
    /// <param name="output">Where the text goes.</param>
    /// <param name="strftimeNow">The <c>strftime_now</c> global.</param>
    /// <param name="describeRefusal">Turns a <c>raise_exception</c> message into the exception message.</param>
    public JinjaRenderer(JinjaOutput output, Func<string, string> strftimeNow, Func<string, string>? describeRefusal = null)
    {
        this.output = output;
        this.strftimeNow = strftimeNow;
        this.describeRefusal = describeRefusal ?? (message => message);
    }

    /// <summary>Renders a template body with the given top-level scope.</summary>
    public void Render(Stmt[] body, JinjaScope globals)
    {
        var scope = new JinjaScope(globals);
        if (Execute(body, scope) != Flow.Normal)
        {
            throw JinjaErrors.Syntax(body.Length > 0 ? body[0].Line : 1, "'break' or 'continue' outside a loop.");
        }
    }

    /// <summary>The global functions every template sees.</summary>
    public JinjaScope CreateGlobals()
    {
        var globals = new JinjaScope(null);
        globals.Set("range", new JinjaBuiltin("range", (_, args, _, line) => Range(args, line)));
        globals.Set("namespace", new JinjaBuiltin("namespace", (_, args, named, line) =>
        {
            var ns = new JinjaNamespace();
            foreach (var arg in args)
            {
                if (arg is JinjaDict dict)
                {
                    foreach (var entry in dict.Entries)
                    {
                        ns.Attributes.Set(entry.Key, entry.Value);
                    }
                }
            }

            foreach (var (name, value) in named)
            {
                ns.Attributes.Set(name, value);
            }

            return ns;
        }));
        globals.Set("dict", new JinjaBuiltin("dict", (_, args, named, _) =>
        {
            var dict = new JinjaDict();
            if (args.Length > 0 && args[0] is JinjaDict source)
            {
                foreach (var entry in source.Entries)
                {
                    dict.Set(entry.Key, entry.Value);
                }
            }

            foreach (var (name, value) in named)
            {
                dict.Set(name, value);
            }

            return dict;
        }));
        globals.Set("raise_exception", new JinjaBuiltin("raise_exception", (_, args, _, line) =>
            throw (args.Length > 0
                ? new ChatTemplateException(describeRefusal(JinjaValues.ToStr(args[0])))
                : JinjaErrors.Runtime(line, "raise_exception() missing 1 required positional argument: 'message'."))));
        globals.Set("strftime_now", new JinjaBuiltin("strftime_now", (_, args, _, line) =>
            strftimeNow(JinjaValues.AsString(args.Length > 0 ? args[0] : null) ?? throw JinjaErrors.Runtime(line, "strftime_now needs a format string."))));
        return globals;
    }

    private static List<object?> Range(object?[] args, int line)
    {
        long Int(object? v) => v switch
        {
            long l => l,
            bool b => b ? 1 : 0,
            _ => throw JinjaErrors.Runtime(line, $"'{JinjaValues.TypeName(v)}' object cannot be interpreted as an integer."),
        };
        long start = 0, stop, step = 1;
        switch (args.Length)
        {
            case 1: stop = Int(args[0]); break;
            case 2: start = Int(args[0]); stop = Int(args[1]); break;
            case 3: start = Int(args[0]); stop = Int(args[1]); step = Int(args[2]); break;
            default: throw JinjaErrors.Runtime(line, args.Length == 0 ? "range expected at least 1 argument, got 0." : $"range expected at most 3 arguments, got {args.Length}.");
        }

        if (step == 0)
        {
            throw JinjaErrors.Runtime(line, "range() arg 3 must not be zero.");
        }

        var items = new List<object?>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step)
        {
            if (items.Count >= 100_000)
            {
                throw JinjaErrors.Runtime(line, "Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
            }

            items.Add(i);
        }

        return items;
    }

    private Flow Execute(Stmt[] body, JinjaScope scope)
    {
        foreach (var stmt in body)
        {
            var flow = Execute(stmt, scope);
            if (flow != Flow.Normal)
            {
                return flow;
            }
        }

        return Flow.Normal;
    }

    private Flow Execute(Stmt stmt, JinjaScope scope)
    {
        switch (stmt)
        {
            case DataStmt data:
                output.Append(data.Text);
                return Flow.Normal;
            case PrintStmt print:
                output.Write(Evaluate(print.Value, scope));
                return Flow.Normal;
            case IfStmt conditional:
                foreach (var (condition, branch) in conditional.Branches)
                {
                    if (JinjaValues.IsTrue(Evaluate(condition, scope)))
                    {
                        return Execute(branch, scope);
                    }
                }

                return Execute(conditional.Else, scope);
            case ForStmt loop:
                return ExecuteFor(loop, scope);
            case SetStmt set:
                ExecuteSet(set, scope);
                return Flow.Normal;
            case SetBlockStmt block:
            {
                object value = Capture(block.Body, scope);
                foreach (var filter in block.Filters)
                {
                    value = JinjaFilters.StringValue(ApplyFilter(filter, value, scope));
                }

                scope.Set(block.Target, value);
                return Flow.Normal;
            }

            case MacroStmt macro:
                scope.Set(macro.Name, new JinjaMacro(macro.Name, macro.Parameters, macro.Defaults, macro.Body, scope));
                return Flow.Normal;
            case CallBlockStmt call:
            {
                var caller = new JinjaMacro("caller", call.Parameters, call.Defaults, call.Body, scope) { Anonymous = true };
                var callee = Evaluate(call.Call.Callee, scope);
                var (args, named) = EvaluateArguments(call.Call.Args, scope);
                output.Write(Invoke(callee, args, [.. named, ("caller", caller)], call.Line));
                return Flow.Normal;
            }

            case FilterBlockStmt filterBlock:
            {
                object? value = Capture(filterBlock.Body, scope);
                foreach (var filter in filterBlock.Filters)
                {
                    value = ApplyFilter(filter, value, scope);
                }

                output.Write(value);
                return Flow.Normal;
            }

            case BreakStmt:
                return Flow.Break;
            case ContinueStmt:
                return Flow.Continue;
            default:
                throw JinjaErrors.Unsupported(stmt.Line, stmt.GetType().Name);
        }
    }

    /// <summary>Renders statements into a separate buffer and returns what they wrote.</summary>
    private object Capture(Stmt[] body, JinjaScope scope)
    {
        var saved = output;
        output = new JinjaOutput();
        try
        {
            Execute(body, scope);
            return output.ToValue();
        }
        finally
        {
            output = saved;
        }
    }

    private Flow ExecuteFor(ForStmt loop, JinjaScope scope)
    {
        var source = Evaluate(loop.Iterable, scope);
        var items = JinjaValues.Iterate(source, loop.Line);
        if (loop.Filter is not null)
        {
            var kept = new List<object?>(items.Count);
            foreach (var item in items)
            {
                var probe = new JinjaScope(scope);
                Bind(loop, probe, item);
                if (JinjaValues.IsTrue(Evaluate(loop.Filter, probe)))
                {
                    kept.Add(item);
                }
            }

            items = kept;
        }

        // jinja2 runs the else block unless some iteration reached the end of the body: it clears its flag after
        // the body, which break and continue skip (so a loop that always breaks or continues runs else too).
        bool completed = false;
        var info = new JinjaLoop { Items = items };
        for (int i = 0; i < items.Count; i++)
        {
            info.Index0 = i;
            var iteration = new JinjaScope(scope);
            iteration.Set("loop", info);
            Bind(loop, iteration, items[i]);
            var flow = Execute(loop.Body, iteration);
            if (flow == Flow.Break)
            {
                break;
            }

            completed |= flow == Flow.Normal;
        }

        return completed ? Flow.Normal : Execute(loop.Else, scope);
    }

    private static void Bind(ForStmt loop, JinjaScope scope, object? item)
    {
        if (loop.Targets.Length == 1)
        {
            scope.Set(loop.Targets[0], item);
            return;
        }

        Unpack(loop.Targets, item, scope, loop.Line);
    }

    private static void Unpack(string[] targets, object? value, JinjaScope scope, int line)
    {
        var parts = JinjaValues.Iterate(value, line);
        if (parts.Count != targets.Length)
        {
            throw JinjaErrors.Runtime(line, parts.Count > targets.Length
                ? $"too many values to unpack (expected {targets.Length})."
                : $"not enough values to unpack (expected {targets.Length}, got {parts.Count}).");
        }

        for (int i = 0; i < targets.Length; i++)
        {
            scope.Set(targets[i], parts[i]);
        }
    }

    private void ExecuteSet(SetStmt set, JinjaScope scope)
    {
        var value = Evaluate(set.Value, scope);
        if (set.Attribute is { } attribute)
        {
            if (!scope.TryGet(set.Targets[0], out var target) || target is not JinjaNamespace ns)
            {
                throw JinjaErrors.Runtime(set.Line, "cannot assign attribute on non-namespace object.");
            }

            ns.Attributes.Set(attribute, value);
            return;
        }

        if (set.Targets.Length == 1)
        {
            scope.Set(set.Targets[0], value);
            return;
        }

        Unpack(set.Targets, value, scope, set.Line);
    }

    /// <summary>Evaluates an expression.</summary>
    public object? Evaluate(Expr expr, JinjaScope scope)
    {
        switch (expr)
        {
            case LiteralExpr literal:
                return literal.Value;
            case NameExpr name:
                return scope.TryGet(name.Name, out var value) ? value : new JinjaUndefined($"'{name.Name}' is undefined");
            case AttrExpr attr:
                return GetAttribute(Evaluate(attr.Target, scope), attr.Name, attr.Line);
            case ItemExpr item:
                return GetItem(Evaluate(item.Target, scope), Evaluate(item.Index, scope), item.Line);
            case SliceExpr slice:
                return Slice(Evaluate(slice.Target, scope), Optional(slice.Start, scope), Optional(slice.Stop, scope), Optional(slice.Step, scope), slice.Line);
            case ListExpr list:
            {
                var items = new List<object?>(list.Items.Length);
                foreach (var e in list.Items)
                {
                    items.Add(Evaluate(e, scope));
                }

                return items;
            }

            case TupleExpr tuple:
            {
                var items = new object?[tuple.Items.Length];
                for (int i = 0; i < items.Length; i++)
                {
                    items[i] = Evaluate(tuple.Items[i], scope);
                }

                return items;
            }

            case DictExpr dict:
            {
                var result = new JinjaDict();
                foreach (var (k, v) in dict.Items)
                {
                    var key = Evaluate(k, scope);
                    if (key is List<object?> or JinjaDict)
                    {
                        throw JinjaErrors.Runtime(dict.Line, $"unhashable type: '{JinjaValues.TypeName(key)}'.");
                    }

                    if (key is null or JinjaUndefined)
                    {
                        // Python accepts these keys; a JinjaDict cannot hold them.
                        throw JinjaErrors.Unsupported(dict.Line, "a dict key that is None or undefined");
                    }

                    result.Set(key, Evaluate(v, scope));
                }

                return result;
            }

            case CallExpr call:
                return EvaluateCall(call, scope);
            case FilterExpr filter:
                return ApplyFilter(filter, Evaluate(filter.Value!, scope), scope);
            case TestExpr test:
            {
                var subject = Evaluate(test.Value, scope);
                var (args, _) = EvaluateArguments(test.Args, scope);
                return JinjaTests.Apply(test.Name, subject, args, test.Line) != test.Negated;
            }

            case UnaryExpr unary:
            {
                var operand = Evaluate(unary.Operand, scope);
                return unary.Op switch
                {
                    "not" => !JinjaValues.IsTrue(operand),
                    "-" => operand switch
                    {
                        long l => (object)(-l),
                        double d => -d,
                        bool b => b ? -1L : 0L,
                        BigInteger i => -i,
                        _ => throw TypeError(unary.Line, operand, "bad operand type for unary -"),
                    },
                    _ => operand is long or double or bool or BigInteger ? (operand is bool b2 ? (b2 ? 1L : 0L) : operand) : throw TypeError(unary.Line, operand, "bad operand type for unary +"),
                };
            }

            case BinaryExpr binary:
                return EvaluateBinary(binary, scope);
            case CompareExpr compare:
            {
                var left = Evaluate(compare.First, scope);
                foreach (var (op, operand) in compare.Rest)
                {
                    var right = Evaluate(operand, scope);
                    bool ok = op switch
                    {
                        "==" => JinjaValues.PyEquals(left, right),
                        "!=" => !JinjaValues.PyEquals(left, right),
                        "<" => Order(op, left, right, compare.Line) < 0,
                        "<=" => Order(op, left, right, compare.Line) <= 0,
                        ">" => Order(op, left, right, compare.Line) > 0,
                        ">=" => Order(op, left, right, compare.Line) >= 0,
                        "in" => Contains(right, left, compare.Line),
                        _ => !Contains(right, left, compare.Line),
                    };
                    if (!ok)
                    {
                        return false;
                    }

                    left = right;
                }

                return true;
            }

            case ConditionalExpr conditional:
                return JinjaValues.IsTrue(Evaluate(conditional.Condition, scope))
                    ? Evaluate(conditional.Then, scope)
                    : conditional.Else is null
                        ? new JinjaUndefined($"the inline if-expression on line {conditional.Line} evaluated to false and no else section was defined")
                        : Evaluate(conditional.Else, scope);
            default:
                throw JinjaErrors.Unsupported(expr.Line, expr.GetType().Name);
        }
    }

    private static int Order(string op, object? left, object? right, int line)
    {
        FailIfUndefined(left, line);
        FailIfUndefined(right, line);
        return JinjaValues.Compare(left, right, line, op);
    }

    private object? Optional(Expr? expr, JinjaScope scope) => expr is null ? null : Evaluate(expr, scope);

    private object? EvaluateBinary(BinaryExpr binary, JinjaScope scope)
    {
        var left = Evaluate(binary.Left, scope);
        switch (binary.Op)
        {
            case "and":
                return JinjaValues.IsTrue(left) ? Evaluate(binary.Right, scope) : left;
            case "or":
                return JinjaValues.IsTrue(left) ? left : Evaluate(binary.Right, scope);
            case "~":
                var right = Evaluate(binary.Right, scope);
                return TrackedString.Concat(JinjaFilters.StringValue(left is JinjaUndefined ? string.Empty : left), JinjaFilters.StringValue(right is JinjaUndefined ? string.Empty : right));
            default:
                return Arithmetic(binary.Op, left, Evaluate(binary.Right, scope), binary.Line);
        }
    }

    /// <summary>Python's arithmetic operators.</summary>
    public static object? Arithmetic(string op, object? left, object? right, int line)
    {
        FailIfUndefined(left, line);
        FailIfUndefined(right, line);
        if (op == "+")
        {
            if (JinjaValues.IsString(left) && JinjaValues.IsString(right))
            {
                return TrackedString.Concat(left!, right!);
            }

            if (left is List<object?> la && right is List<object?> lb)
            {
                return la.Concat(lb).ToList();
            }

            if (left is object?[] ta && right is object?[] tb)
            {
                return ta.Concat(tb).ToArray();
            }

            // Python names the left operand's type when only it is a sequence: 'a' + 1.
            if ((JinjaValues.IsString(left) && !JinjaValues.IsString(right)) || (left is List<object?> && right is not List<object?>)
                || (left is object?[] && right is not object?[]))
            {
                string type = JinjaValues.TypeName(left);
                throw JinjaErrors.Runtime(line, $"can only concatenate {type} (not \"{JinjaValues.TypeName(right)}\") to {type}.");
            }
        }

        if (op == "*")
        {
            if (JinjaValues.IsString(left) && right is long or bool)
            {
                return Repeat(JinjaValues.AsString(left)!, Convert.ToInt64(right, System.Globalization.CultureInfo.InvariantCulture));
            }

            if (JinjaValues.IsString(right) && left is long or bool)
            {
                return Repeat(JinjaValues.AsString(right)!, Convert.ToInt64(left, System.Globalization.CultureInfo.InvariantCulture));
            }

            if (left is List<object?> list && right is long times)
            {
                var result = new List<object?>();
                for (long i = 0; i < times; i++)
                {
                    result.AddRange(list);
                }

                return result;
            }
        }

        if (op == "%" && JinjaValues.IsString(left))
        {
            throw JinjaErrors.Unsupported(line, "printf-style string formatting ('...' % value)");
        }

        bool integers = left is long or bool && right is long or bool;
        if (JinjaValues.AsDouble(left) is not double x || JinjaValues.AsDouble(right) is not double y || left is BigInteger || right is BigInteger)
        {
            throw JinjaErrors.Runtime(line, $"unsupported operand type(s) for {op}: '{JinjaValues.TypeName(left)}' and '{JinjaValues.TypeName(right)}'.");
        }

        if (integers)
        {
            long a = left is bool ba ? (ba ? 1 : 0) : (long)left!;
            long b = right is bool bb ? (bb ? 1 : 0) : (long)right!;
            switch (op)
            {
                // Python's ints do not overflow: a result past a long is exact (printed, compared).
                case "+": return Exact(() => checked(a + b), () => (BigInteger)a + b);
                case "-": return Exact(() => checked(a - b), () => (BigInteger)a - b);
                case "*": return Exact(() => checked(a * b), () => (BigInteger)a * b);
                case "/": return b == 0 ? throw JinjaErrors.Runtime(line, "division by zero.") : (double)a / b;
                case "//": return b == 0 ? throw JinjaErrors.Runtime(line, "integer division or modulo by zero.") : FloorDiv(a, b);
                case "%": return b == 0 ? throw JinjaErrors.Runtime(line, "integer modulo by zero.") : a - (FloorDiv(a, b) * b);
                case "**":
                    if (b < 0)
                    {
                        return Math.Pow(a, b);
                    }

                    // Python's ints have no limit: 2 ** 64 stays exact (printed, compared), past a long.
                    var power = BigInteger.Pow(a, (int)Math.Min(b, int.MaxValue));
                    return power >= long.MinValue && power <= long.MaxValue ? (object)(long)power : power;
            }
        }

        switch (op)
        {
            case "+": return x + y;
            case "-": return x - y;
            case "*": return x * y;
            case "/": return y == 0 ? throw JinjaErrors.Runtime(line, "float division by zero.") : x / y;
            case "//": return y == 0 ? throw JinjaErrors.Runtime(line, "float floor division by zero.") : Math.Floor(x / y);
            case "%":
                if (y == 0)
                {
                    throw JinjaErrors.Runtime(line, "float modulo.");
                }

                // Python's float %: the sign of the divisor, a zero result included (-6.0 % 3 is 0.0).
                double m = x % y;
                return m == 0 ? Math.CopySign(0.0, y) : (m < 0) != (y < 0) ? m + y : m;
            case "**": return Math.Pow(x, y);
            default: throw JinjaErrors.Unsupported(line, $"the operator '{op}'");
        }
    }

    private static object Exact(Func<long> fast, Func<BigInteger> exact)
    {
        try
        {
            return fast();
        }
        catch (OverflowException)
        {
            return exact();
        }
    }

    private static long FloorDiv(long a, long b)
    {
        long q = a / b;
        return (a % b != 0) && ((a < 0) != (b < 0)) ? q - 1 : q;
    }

    private static string Repeat(string s, long times)
    {
        if (times <= 0)
        {
            return string.Empty;
        }

        var text = new StringBuilder(s.Length * (int)Math.Min(times, 100_000));
        for (long i = 0; i < times; i++)
        {
            text.Append(s);
        }

        return text.ToString();
    }

    private static void FailIfUndefined(object? value, int line)
    {
        if (value is JinjaUndefined undefined)
        {
            throw JinjaErrors.Runtime(line, undefined.Hint + ".");
        }
    }

    private static ChatTemplateException TypeError(int line, object? value, string what) =>
        JinjaErrors.Runtime(line, $"{what}: '{JinjaValues.TypeName(value)}'.");

    /// <summary>Python's <c>needle in haystack</c>.</summary>
    public static bool Contains(object? haystack, object? needle, int line)
    {
        switch (haystack)
        {
            case string or TrackedString:
                string? n = JinjaValues.AsString(needle);
                if (n is null)
                {
                    throw JinjaErrors.Runtime(line, $"'in <string>' requires string as left operand, not {JinjaValues.TypeName(needle)}.");
                }

                return JinjaValues.AsString(haystack)!.Contains(n, StringComparison.Ordinal);
            case JinjaDict dict:
                return dict.ContainsKey(needle);
            case IList<object?> list:
                foreach (var item in list)
                {
                    if (JinjaValues.PyEquals(item, needle))
                    {
                        return true;
                    }
                }

                return false;
            case JinjaUndefined:
                return false;
            default:
                throw JinjaErrors.Runtime(line, $"argument of type '{JinjaValues.TypeName(haystack)}' is not iterable.");
        }
    }

    /// <summary>jinja2's <c>getattr</c>: an attribute (a method of str/dict/list, a namespace or loop attribute),
    /// then an item of that name; undefined when neither exists. Raises on an undefined target.</summary>
    public static object? GetAttribute(object? target, string name, int line)
    {
        switch (target)
        {
            case JinjaUndefined undefined:
                throw JinjaErrors.Runtime(line, undefined.Hint + ".");
            case JinjaNamespace ns:
                return ns.Attributes.TryGet(name, out var attribute) ? attribute : new JinjaUndefined($"'jinja2.utils.Namespace object' has no attribute '{name}'");
            case JinjaLoop loop:
                return loop.TryGet(name, out var loopValue) ? loopValue : new JinjaUndefined($"'jinja2.runtime.LoopContext object' has no attribute '{name}'");
            case null:
                return new JinjaUndefined($"'None' has no attribute '{name}'");
        }

        if (JinjaMethods.HasMethod(target, name))
        {
            return new JinjaBoundMethod(target, name);
        }

        if (target is JinjaDict dict && dict.TryGet(name, out var item))
        {
            return item;
        }

        return new JinjaUndefined($"'{JinjaValues.TypeName(target)} object' has no attribute '{name}'");
    }

    /// <summary>A dotted attribute path, as <c>selectattr</c> and <c>map(attribute=...)</c> take it.</summary>
    public static object? GetAttributePath(object? target, string path, int line)
    {
        foreach (string part in path.Split('.'))
        {
            target = long.TryParse(part, out long index) ? GetItem(target, index, line) : GetItem(target, part, line);
        }

        return target;
    }

    /// <summary>jinja2's <c>getitem</c>: an item, then an attribute of that name; undefined when neither exists.</summary>
    public static object? GetItem(object? target, object? key, int line)
    {
        switch (target)
        {
            case JinjaUndefined undefined:
                throw JinjaErrors.Runtime(line, undefined.Hint + ".");
            case JinjaDict dict:
                if (dict.TryGet(key, out var value))
                {
                    return value;
                }

                break;
            case IList<object?> list when key is long or bool:
                long i = key is bool b ? (b ? 1 : 0) : (long)key;
                if (i < 0)
                {
                    i += list.Count;
                }

                return i >= 0 && i < list.Count ? list[(int)i] : new JinjaUndefined($"{JinjaValues.TypeName(target)} object has no element {JinjaValues.Repr(key)}");
            case string or TrackedString when key is long index:
                var runes = CodePoints(JinjaValues.AsString(target)!);
                long at = index < 0 ? index + runes.Count : index;
                return at >= 0 && at < runes.Count ? runes[(int)at] : new JinjaUndefined($"str object has no element {index}");
        }

        if (JinjaValues.AsString(key) is { } name)
        {
            return GetAttribute(target, name, line);
        }

        return new JinjaUndefined($"{JinjaValues.TypeName(target)} object has no element {JinjaValues.Repr(key)}");
    }

    private static List<string> CodePoints(string s) => s.EnumerateRunes().Select(r => r.ToString()).ToList();

    private static object? Slice(object? target, object? start, object? stop, object? step, int line)
    {
        FailIfUndefined(target, line);
        long? Bound(object? v) => v switch
        {
            null => null,
            long l => l,
            bool b => b ? 1 : 0,
            _ => throw JinjaErrors.Runtime(line, "slice indices must be integers or None or have an __index__ method."),
        };
        long stride = Bound(step) ?? 1;
        if (stride == 0)
        {
            throw JinjaErrors.Runtime(line, "slice step cannot be zero.");
        }

        if (JinjaValues.IsString(target))
        {
            string s = JinjaValues.AsString(target)!;
            bool simple = !s.Any(char.IsSurrogate);
            int length = simple ? s.Length : JinjaValues.CodePointCount(s);
            var indices = SliceIndices(length, Bound(start), Bound(stop), stride);
            if (simple && stride == 1)
            {
                int from = indices.Count == 0 ? 0 : (int)indices[0];
                return JinjaMethods.SliceOf(target!, from, indices.Count);
            }

            var runes = CodePoints(s);
            return string.Concat(indices.Select(i => runes[(int)i]));
        }

        if (target is IList<object?> list)
        {
            var picked = SliceIndices(list.Count, Bound(start), Bound(stop), stride).Select(i => list[(int)i]);
            return target is object?[] ? picked.ToArray() : picked.ToList();
        }

        throw JinjaErrors.Runtime(line, $"'{JinjaValues.TypeName(target)}' object is not subscriptable.");
    }

    /// <summary>The indices Python's <c>slice(start, stop, step).indices(length)</c> selects.</summary>
    private static List<long> SliceIndices(long length, long? start, long? stop, long step)
    {
        long lower = step > 0 ? 0 : -1;
        long upper = step > 0 ? length : length - 1;
        long Clamp(long? v, long fallback)
        {
            if (v is not long x)
            {
                return fallback;
            }

            if (x < 0)
            {
                x += length;
                return x < lower ? lower : x;
            }

            return x > upper ? upper : x;
        }

        long s = Clamp(start, step > 0 ? lower : upper);
        long e = Clamp(stop, step > 0 ? upper : lower);
        var result = new List<long>();
        for (long i = s; step > 0 ? i < e : i > e; i += step)
        {
            result.Add(i);
        }

        return result;
    }

    private (object?[] Args, (string Name, object? Value)[] Named) EvaluateArguments(Arguments arguments, JinjaScope scope)
    {
        object?[] args = arguments.Positional.Length == 0 ? [] : new object?[arguments.Positional.Length];
        for (int i = 0; i < args.Length; i++)
        {
            args[i] = Evaluate(arguments.Positional[i], scope);
        }

        (string, object?)[] named = arguments.Named.Length == 0 ? [] : new (string, object?)[arguments.Named.Length];
        for (int i = 0; i < named.Length; i++)
        {
            named[i] = (arguments.Named[i].Name, Evaluate(arguments.Named[i].Value, scope));
        }

        return (args, named);
    }

    private object? EvaluateCall(CallExpr call, JinjaScope scope)
    {
        if (call.Callee is AttrExpr attr)
        {
            // A method call: look the method up without allocating a bound method.
            var target = Evaluate(attr.Target, scope);
            if (target is not null and not JinjaUndefined and not JinjaNamespace and not JinjaLoop && JinjaMethods.HasMethod(target, attr.Name))
            {
                var (margs, mnamed) = EvaluateArguments(call.Args, scope);
                return JinjaMethods.Call(target, attr.Name, margs, mnamed, call.Line);
            }

            var function = GetAttribute(target, attr.Name, attr.Line);
            var (fargs, fnamed) = EvaluateArguments(call.Args, scope);
            return Invoke(function, fargs, fnamed, call.Line);
        }

        var callee = Evaluate(call.Callee, scope);
        var (args, named) = EvaluateArguments(call.Args, scope);
        return Invoke(callee, args, named, call.Line);
    }

    private object? Invoke(object? callee, object?[] args, (string Name, object? Value)[] named, int line)
    {
        if (callee is JinjaFunction function)
        {
            return function.Invoke(this, args, named, line);
        }

        if (callee is JinjaUndefined undefined)
        {
            throw JinjaErrors.Runtime(line, undefined.Hint + ".");
        }

        throw JinjaErrors.Runtime(line, $"'{JinjaValues.TypeName(callee)}' object is not callable.");
    }

    private object? ApplyFilter(FilterExpr filter, object? value, JinjaScope scope)
    {
        var (args, named) = EvaluateArguments(filter.Args, scope);
        return JinjaFilters.Apply(filter.Name, value, args, named, filter.Line);
    }

    /// <summary>Runs a macro body in a new scope and returns what it wrote.</summary>
    internal object CallMacro(JinjaMacro macro, object?[] args, (string Name, object? Value)[] named, int line)
    {
        var scope = new JinjaScope(macro.Closure);
        if (args.Length > macro.Parameters.Length)
        {
            throw JinjaErrors.Runtime(line, $"macro '{macro.Name}' takes not more than {macro.Parameters.Length} argument(s).");
        }

        for (int i = 0; i < macro.Parameters.Length; i++)
        {
            string parameter = macro.Parameters[i];
            object? value;
            if (i < args.Length)
            {
                value = args[i];
            }
            else if (named.Any(n => n.Name == parameter))
            {
                value = named.First(n => n.Name == parameter).Value;
            }
            else if (macro.Defaults[i] is { } fallback)
            {
                value = Evaluate(fallback, scope);
            }
            else
            {
                value = new JinjaUndefined($"parameter '{parameter}' was not provided");
            }

            scope.Set(parameter, value);
        }

        foreach (var (name, value) in named)
        {
            if (name == "caller")
            {
                scope.Set("caller", value);
            }
            else if (Array.IndexOf(macro.Parameters, name) < 0)
            {
                throw JinjaErrors.Runtime(line, $"macro '{macro.Name}' takes no keyword argument '{name}'.");
            }
        }

        return Capture(macro.Body, scope);
    }
}

/// <summary>A macro (or the body of a call block, as <c>caller</c>), bound to the scope it was defined in.</summary>
internal sealed class JinjaMacro(string name, string[] parameters, Expr?[] defaults, Stmt[] body, JinjaScope closure) : JinjaFunction
{
    /// <inheritdoc />
    public override string Name => name;

    /// <summary>Parameter names.</summary>
    public string[] Parameters => parameters;

    /// <summary>Default value expressions (null where none).</summary>
    public Expr?[] Defaults => defaults;

    /// <summary>The body.</summary>
    public Stmt[] Body => body;

    /// <summary>The scope the macro was defined in.</summary>
    public JinjaScope Closure => closure;

    /// <summary>A call block's body (<c>caller</c>), which jinja2 shows as an anonymous macro.</summary>
    public bool Anonymous { get; init; }

    /// <inheritdoc />
    public override object? Invoke(JinjaRenderer renderer, object?[] args, (string Name, object? Value)[] named, int line) =>
        renderer.CallMacro(this, args, named, line);
}
