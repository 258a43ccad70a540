using Directer.Testing;

namespace Directer.Evaluation.Tests;

/// <summary>Directer.Evaluation's public types are the committed list (tests/Directer.Evaluation.Tests/PublicApi/Directer.Evaluation.txt); see <see cref="PublicApi"/>.</summary>
public sealed class PublicApiTests
{
    [Fact]
    public void ThePublicTypesAreTheCommittedList() =>
        Assert.Empty(PublicApi.Differences(typeof(Directer.Evaluation.Harness.EvalMethod).Assembly));
}
