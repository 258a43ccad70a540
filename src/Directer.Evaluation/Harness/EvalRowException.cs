namespace Directer.Evaluation.Harness;

/// <summary>A row could not be run (its emphasis is not in the rendered prompt, it is longer than the context...).</summary>
public sealed class EvalRowException : Exception
{
    /// <summary>Wraps <paramref name="inner"/>, naming the row and method.</summary>
    public EvalRowException(string key, string method, Exception inner)
        : base($"Row '{key}' ({method}): {inner?.Message}", inner)
    {
        Key = key;
        Method = method;
    }

    /// <summary>The row's key.</summary>
    public string Key { get; }

    /// <summary>The method.</summary>
    public string Method { get; }
}
