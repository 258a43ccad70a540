using Directer.Testing;

namespace Directer.Core.Tests;

/// <summary>Directer.Core's public types are the committed list (tests/Directer.Core.Tests/PublicApi/Directer.Core.txt); see <see cref="PublicApi"/>.</summary>
public sealed class PublicApiTests
{
    [Fact]
    public void ThePublicTypesAreTheCommittedList() =>
        Assert.Empty(PublicApi.Differences(typeof(Directer.Core.Chat.ChatModel).Assembly));
}
