namespace Directer.Core.Tests.Hub;

/// <summary>A request <see cref="FakeHubServer"/> received.</summary>
internal sealed record FakeHubRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
