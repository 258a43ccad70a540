using Directer.Testing;

namespace Directer.Extensions.AI.Tests;

/// <summary>Directer.Extensions.AI's public types are the committed list (tests/Directer.Extensions.AI.Tests/PublicApi/Directer.Extensions.AI.txt); see <see cref="PublicApi"/>.</summary>
public sealed class PublicApiTests
{
    [Fact]
    public void ThePublicTypesAreTheCommittedList() =>
        Assert.Empty(PublicApi.Differences(typeof(Directer.Extensions.AI.DirecterChatClient).Assembly));
}
