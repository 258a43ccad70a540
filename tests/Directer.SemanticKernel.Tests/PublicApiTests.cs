using Directer.Testing;

namespace Directer.SemanticKernel.Tests;

/// <summary>Directer.SemanticKernel's public types are the committed list (tests/Directer.SemanticKernel.Tests/PublicApi/Directer.SemanticKernel.txt); see <see cref="PublicApi"/>.</summary>
public sealed class PublicApiTests
{
    [Fact]
    public void ThePublicTypesAreTheCommittedList() =>
        Assert.Empty(PublicApi.Differences(typeof(Directer.SemanticKernel.DirecterPromptExecutionSettings).Assembly));
}
